import Baselines
import Models
import Tensor

/// Anomaly detection on top of `score`: calibrating a threshold on held-out normal rows, and
/// labelling rows against it.
extension InferenceModel {
  /// The calibrated threshold: rows scoring above it are anomalies (nil: not calibrated).
  public var threshold: Double? { anomaly.threshold }

  /// 1 for each row whose score is above the threshold, else 0; throws `unsupported` on a
  /// model without one. `scores` (n floats) receives the scores on the way.
  public func classify(
    _ x: UnsafePointer<Float>, rows: Int, conditions: UnsafePointer<Float>? = nil, labels: UnsafePointer<Int32>? = nil,
    scores: UnsafeMutablePointer<Float>, into classes: UnsafeMutablePointer<Int32>, workspace: Workspace
  ) throws {
    guard anomaly.threshold != nil else {
      throw InferenceError(.unsupported, "the model has no anomaly threshold: train it with --calibrate Q or --contamination C")
    }
    try score(x, rows: rows, conditions: conditions, labels: labels, into: scores, workspace: workspace)
    for r in 0..<rows { classes[r] = anomaly.label(scores[r])! }
  }

  /// Settings with a threshold read from the scores of held-out rows the model should call
  /// normal: at quantile `level` (`rule` quantile) or at `1 - level` (contamination).
  public func calibrated(on x: Tensor, conditions: Tensor? = nil, labels: [Int]? = nil,
                         rule: AnomalySettings.Calibration.Rule, level: Double) throws -> AnomalySettings {
    guard x.rows > 0 else { throw InferenceError(.invalidArgument, "calibration needs held-out rows; there are none") }
    guard level > 0 && level < 1 else { throw InferenceError(.invalidArgument, "a calibration level is between 0 and 1, not \(level)") }
    let scores = try score(x, conditions: conditions, labels: labels)
    guard scores.allSatisfy(\.isFinite) else { throw InferenceError(.nonFinite, "a held-out row's score is not finite") }
    return anomaly.calibrated(scores: scores, rule: rule, level: level)
  }

  /// These settings with the statistics the `code`, `neighbours` and `combined` scores need,
  /// read from the rows the model was trained on (at most `rowLimit` of them, evenly spaced):
  /// the codes' mean and whitened covariance, a sample of the codes, and the medians and
  /// spreads of the three scores (the neighbour score of a sampled row leaves out its own code).
  public func withTrainingStatistics(on x: Tensor, conditions: Tensor? = nil, labels: [Int]? = nil,
                                     rowLimit: Int = 20_000) throws -> AnomalySettings {
    typealias TrainingCodes = AnomalySettings.TrainingCodes
    let least = TrainingCodes.neighbourCount + 1
    guard x.rows >= least else {
      throw InferenceError(.invalidArgument, "the training codes' statistics need at least \(least) training rows, got \(x.rows)")
    }
    let rows = evenlySpaced(x, atMost: rowLimit), rowConditions = conditions.map { evenlySpaced($0, atMost: rowLimit) }
    let rowLabels = labels.map { all in evenlySpacedIndices(all.count, atMost: rowLimit).map { all[$0] } }
    let codes = try encode(rows, conditions: rowConditions, labels: rowLabels)
    guard UnsafeBufferPointer(start: codes.data, count: codes.count).allSatisfy(\.isFinite) else {
      throw InferenceError(.nonFinite, "a training row's code is not finite")
    }

    // Whitening from the eigen-decomposition of the codes' covariance: rows v_c / sqrt(lambda_c + ridge).
    // The ridge (a millionth of the mean variance) keeps directions the codes never vary in finite.
    let k = codes.cols
    let pca: PCA
    do { pca = try PCA(fitting: codes, components: k) } catch {
      throw InferenceError(.invalidArgument, "the training codes' statistics could not be fitted: \(error)")
    }
    // The floor keeps the whitening finite when the codes never vary at all (dead code units).
    let ridge = 1e-6 * max(pca.explainedVariance.reduce(0, +) / Double(k), 1e-12)
    var whitening = [Float](repeating: 0, count: k * k)
    for c in 0..<k {
      let scale = 1 / (max(pca.explainedVariance[c], 0) + ridge).squareRoot()
      for j in 0..<k { whitening[c * k + j] = Float(Double(pca.components[j * k + c]) * scale) }
    }
    let sample = evenlySpaced(codes, atMost: TrainingCodes.neighbourLimit)
    let training = TrainingCodes(mean: pca.mean, whitening: whitening,
                                 neighbours: Array(UnsafeBufferPointer(start: sample.data, count: sample.count)))

    let excess = try scoring(with: AnomalySettings(score: .excess)).score(rows, conditions: rowConditions, labels: rowLabels)
    var scratch = [Float](repeating: 0, count: k)
    let code = (0..<codes.rows).map { r in training.mahalanobis(codes.data + r * k, scratch: &scratch) }
    let neighbours = (0..<sample.rows).map { r in training.neighbourDistance(sample.data + r * k, skippingNearest: true) }
    guard excess.allSatisfy(\.isFinite) && code.allSatisfy(\.isFinite) && neighbours.allSatisfy(\.isFinite) else {
      throw InferenceError(.nonFinite, "a training row's score is not finite")
    }
    var settings = anomaly
    settings.codes = training
    settings.standardisation = .fitted(excess: excess, code: code, neighbours: neighbours)
    return settings
  }
}

/// The indices of at most `limit` evenly spaced rows of `count`.
private func evenlySpacedIndices(_ count: Int, atMost limit: Int) -> [Int] {
  Array(stride(from: 0, to: count, by: max(1, (count + limit - 1) / limit)))
}

/// At most `limit` evenly spaced rows of `x` (x itself when it has no more).
private func evenlySpaced(_ x: Tensor, atMost limit: Int) -> Tensor {
  guard x.rows > limit else { return x }
  let out = Tensor(rows: 0, cols: x.cols)
  out.gather(rows: evenlySpacedIndices(x.rows, atMost: limit)[...], from: x)
  return out
}
