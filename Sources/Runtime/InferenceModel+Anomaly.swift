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
    return AnomalySettings.calibrated(score: anomaly.score, scores: scores, rule: rule, level: level)
  }
}
