/// How a model scores rows as anomalies, and, once calibrated on held-out normal rows, the
/// threshold above which a row counts as anomalous. Stored in the model file (`/anomaly`).
public struct AnomalySettings: Codable, Equatable, Sendable {
  public enum Score: String, Codable, CaseIterable, Sendable {
    /// The model's loss on the row (its scaled values), summed over the output heads: what
    /// training minimises. Files written before scores could be chosen score this way.
    case loss
    /// The loss minus the loss a perfect reconstruction of the same row would have (for BCE
    /// and cross-entropy the target's own entropy; for a Gaussian head its log-variance
    /// terms): zero for a perfect reconstruction. On grey pixels BCE is dominated by each
    /// image's entropy, so the plain loss mostly measures brightness (mean AUROC 0.72 against
    /// 0.92 for this score on one-class Fashion-MNIST; bench/anomaly).
    case excess
    /// Mean squared error in the data's units (affine pipelines only).
    case mse
  }

  /// How the threshold was set: the score at `level` (a quantile of held-out scores,
  /// `quantile`), or at `1 - level` (PyOD's `contamination`: the share of anomalies expected).
  public struct Calibration: Codable, Equatable, Sendable {
    public enum Rule: String, Codable, Sendable { case quantile, contamination }
    public var rule: Rule
    public var level: Double
    /// Held-out rows the threshold was read from.
    public var rows: Int
    /// The held-out scores' quantiles at 0, 1, ..., 100 %.
    public var quantiles: [Double]

    public init(rule: Rule, level: Double, rows: Int, quantiles: [Double]) {
      self.rule = rule
      self.level = level
      self.rows = rows
      self.quantiles = quantiles
    }

    /// The quantile the threshold sits at.
    public var thresholdQuantile: Double { rule == .quantile ? level : 1 - level }
  }

  public var score: Score
  /// Rows scoring above it are anomalies (nil until calibrated).
  public var threshold: Double?
  public var calibration: Calibration?

  public init(score: Score, threshold: Double? = nil, calibration: Calibration? = nil) {
    self.score = score
    self.threshold = threshold
    self.calibration = calibration
  }

  /// 1 for a score above the threshold (an anomaly), 0 otherwise; nil without a threshold.
  /// The one place the comparison is made (ae_classify, `ae score`'s label column).
  public func label(_ score: Float) -> Int32? {
    threshold.map { Double(score) > $0 ? 1 : 0 }
  }

  /// What new models score by: the best detector of the three on the bench.
  public static let `default` = AnomalySettings(score: .excess)
  /// What a file without `/anomaly` scores by (as it did when it was written).
  public static let legacy = AnomalySettings(score: .loss)

  public static let quantileCount = 101

  /// Calibrated settings from held-out scores of normal rows (at least one, all finite).
  public static func calibrated(score: Score, scores: [Float], rule: Calibration.Rule, level: Double) -> AnomalySettings {
    let sorted = scores.map(Double.init).sorted()
    let quantiles = (0..<quantileCount).map { quantile(sorted, Double($0) / Double(quantileCount - 1)) }
    let calibration = Calibration(rule: rule, level: level, rows: sorted.count, quantiles: quantiles)
    return AnomalySettings(score: score, threshold: quantile(sorted, calibration.thresholdQuantile), calibration: calibration)
  }

  /// Linear interpolation between order statistics (NumPy's default `quantile`).
  static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
    return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
  }

  /// Reasons these settings are unusable for a model with `pipeline` (a crafted file may hold
  /// anything): `mse` needs rows of numbers in the data's units, which a table model has not.
  /// `pipeline` nil checks the settings on their own.
  public func problems(pipeline: Pipeline?) -> [String] {
    var found: [String] = []
    if score == .mse, let pipeline, pipeline.table != nil || pipeline.scaling == nil {
      found.append("the mse score needs a model of numeric rows with an affine scaling (not a table model)")
    }
    if let threshold, !threshold.isFinite { found.append("the threshold is not a finite number") }
    if let calibration {
      if threshold == nil { found.append("a calibration without a threshold") }
      if !(calibration.level > 0 && calibration.level < 1) { found.append("the calibration level is between 0 and 1, not \(calibration.level)") }
      if calibration.rows < 1 { found.append("a calibration reads at least one row, not \(calibration.rows)") }
      let q = calibration.quantiles
      if q.count != Self.quantileCount { found.append("the calibration holds \(Self.quantileCount) quantiles, not \(q.count)") }
      else if !q.allSatisfy(\.isFinite) || zip(q, q.dropFirst()).contains(where: { $0 > $1 }) {
        found.append("the calibration's quantiles are not finite and increasing")
      }
    }
    return found
  }
}
