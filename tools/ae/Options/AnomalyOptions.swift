import ArgumentParser
import Models

/// How `ae train` makes the model score anomalies, and whether it calibrates a threshold on
/// the validation split.
struct AnomalyOptions: ParsableArguments {
  @Option(help: ArgumentHelp(
    "Anomaly score the model gives (ae score, ae_score, Model.score): combined (the default: excess, code and neighbours, each standardised on the training rows, summed), excess (the loss minus a perfect reconstruction's: BCE minus the pixels' own entropy), loss (the training loss), mse (squared error in the data's units), code (the code's Mahalanobis distance to the training codes), or neighbours (its distance to the 5 nearest training codes).",
    valueName: "score"))
  var score: AnomalySettings.Score?

  @Option(help: ArgumentHelp(
    "Store an anomaly threshold: the score at this quantile of the validation rows (e.g. 0.99: about 1 % of normal rows are flagged).",
    valueName: "quantile"))
  var calibrate: Double?

  @Option(help: ArgumentHelp(
    "Store an anomaly threshold for this expected share of anomalies (PyOD's contamination; 0.05 is the score at the validation rows' 95th percentile).",
    valueName: "share"))
  var contamination: Double?

  func validate() throws {
    if calibrate != nil && contamination != nil { throw ValidationError("give --calibrate or --contamination, not both") }
    if let calibrate, !(calibrate > 0 && calibrate < 1) { throw ValidationError("--calibrate takes a quantile between 0 and 1, not \(calibrate)") }
    if let contamination, !(contamination > 0 && contamination < 1) {
      throw ValidationError("--contamination takes a share between 0 and 1, not \(contamination)")
    }
  }

  /// What the model scores by when --score is not given: `combined`, the best of the scores on
  /// the bench for every kind of model, or `excess` on training data too small for the code
  /// statistics.
  static let defaultScore = AnomalySettings.Score.combined

  /// The calibration asked for, if any.
  var calibration: (rule: AnomalySettings.Calibration.Rule, level: Double)? {
    if let calibrate { return (.quantile, calibrate) }
    if let contamination { return (.contamination, contamination) }
    return nil
  }
}

extension AnomalySettings.Score: ExpressibleByArgument {}
