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

  /// These settings with the statistics the `code` and `combined` scores need, read from the
  /// rows the model was trained on (at most `rowLimit` of them, evenly spaced): the codes'
  /// mean and whitened covariance, and the medians and spreads of the `excess` and `code`
  /// scores. Throws `invalidArgument` for fewer than 2 rows.
  public func withTrainingStatistics(on x: Tensor, conditions: Tensor? = nil, labels: [Int]? = nil,
                                     rowLimit: Int = 20_000) throws -> AnomalySettings {
    guard x.rows >= 2 else { throw InferenceError(.invalidArgument, "the code statistics need at least 2 training rows, got \(x.rows)") }
    let step = (x.rows + rowLimit - 1) / rowLimit
    let picked = Array(stride(from: 0, to: x.rows, by: step))
    func pick(_ tensor: Tensor?) -> Tensor? {
      guard let tensor, step > 1 else { return tensor }
      let out = Tensor(rows: 0, cols: tensor.cols)
      out.gather(rows: picked[...], from: tensor)
      return out
    }
    let rows = pick(x)!, rowConditions = pick(conditions), rowLabels = labels.map { all in picked.map { all[$0] } }
    let codes = try encode(rows, conditions: rowConditions, labels: rowLabels)
    guard UnsafeBufferPointer(start: codes.data, count: codes.count).allSatisfy(\.isFinite) else { throw InferenceError(.nonFinite, "a training row's code is not finite") }

    // Whitening from the eigen-decomposition of the codes' covariance: rows v_c / sqrt(lambda_c + ridge).
    // The ridge (a millionth of the mean variance) keeps directions the codes never vary in finite.
    let k = codes.cols
    let pca: PCA
    do { pca = try PCA(fitting: codes, components: k) } catch {
      throw InferenceError(.invalidArgument, "the code statistics could not be fitted: \(error)")
    }
    let ridge = 1e-6 * max(pca.explainedVariance.reduce(0, +) / Double(k), .leastNormalMagnitude)
    var whitening = [Float](repeating: 0, count: k * k)
    for c in 0..<k {
      let scale = 1 / (max(pca.explainedVariance[c], 0) + ridge).squareRoot()
      for j in 0..<k { whitening[c * k + j] = Float(Double(pca.components[j * k + c]) * scale) }
    }
    var settings = anomaly
    settings.codes = AnomalySettings.CodeDistribution(mean: pca.mean, whitening: whitening)
    settings.standardisation = nil
    let excess = try scoring(with: AnomalySettings(score: .excess)).score(rows, conditions: rowConditions, labels: rowLabels)
    let distance = try scoring(with: AnomalySettings(score: .code, codes: settings.codes))
      .score(rows, conditions: rowConditions, labels: rowLabels)
    guard excess.allSatisfy(\.isFinite) && distance.allSatisfy(\.isFinite) else {
      throw InferenceError(.nonFinite, "a training row's score is not finite")
    }
    settings.standardisation = .fitted(excess: excess, code: distance)
    return settings
  }
}
