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
    /// The squared Mahalanobis distance of the row's code (a VAE's mean) to the Gaussian of
    /// the training rows' codes (`codes`): how unlike the training data the encoder finds
    /// the row, whether or not the decoder can rebuild it.
    case code
    /// `excess` and `code`, each standardised by its median and interquartile range on the
    /// training rows (`standardisation`), summed.
    case combined

    /// Whether the score needs the code distribution, or the decoder's reconstruction.
    public var usesCode: Bool { self == .code || self == .combined }
    public var usesReconstruction: Bool { self != .code }
  }

  /// The Gaussian of the training rows' codes: `distance(z) = |whitening (z - mean)|^2`, the
  /// squared Mahalanobis distance. Stored as datasets (`/anomaly/code_mean`, `code_whitening`),
  /// not in the JSON attribute.
  public struct CodeDistribution: Equatable, Sendable {
    /// Code width values.
    public var mean: [Float]
    /// width x width values, row-major: the covariance's eigenvectors as rows, each divided
    /// by the square root of its variance.
    public var whitening: [Float]
    public var width: Int { mean.count }

    public init(mean: [Float], whitening: [Float]) {
      self.mean = mean
      self.whitening = whitening
    }

    /// Problems with a crafted distribution, for a model whose codes are `codeWidth` wide.
    func problems(codeWidth: Int?) -> [String] {
      var found: [String] = []
      if let codeWidth, width != codeWidth { found.append("the code distribution is \(width) wide, the codes \(codeWidth)") }
      if whitening.count != width * width { found.append("the code whitening matrix holds \(whitening.count) values, not \(width)^2") }
      if !mean.allSatisfy(\.isFinite) || !whitening.allSatisfy(\.isFinite) { found.append("the code distribution is not finite") }
      return found
    }
  }

  /// Where the training rows' scores sit, so that two scores in different units can be summed.
  public struct Standardisation: Codable, Equatable, Sendable {
    public var excessMedian: Double
    public var excessSpread: Double
    public var codeMedian: Double
    public var codeSpread: Double

    public init(excessMedian: Double, excessSpread: Double, codeMedian: Double, codeSpread: Double) {
      self.excessMedian = excessMedian
      self.excessSpread = excessSpread
      self.codeMedian = codeMedian
      self.codeSpread = codeSpread
    }

    /// Median and interquartile range (a spread of 0 becomes 1: the score is then constant
    /// on the training rows and only its offset matters).
    public static func fitted(excess: [Float], code: [Float]) -> Standardisation {
      func location(_ values: [Float]) -> (Double, Double) {
        let sorted = values.map(Double.init).sorted()
        let spread = AnomalySettings.quantile(sorted, 0.75) - AnomalySettings.quantile(sorted, 0.25)
        return (AnomalySettings.quantile(sorted, 0.5), spread > 0 ? spread : 1)
      }
      let (e, es) = location(excess), (c, cs) = location(code)
      return Standardisation(excessMedian: e, excessSpread: es, codeMedian: c, codeSpread: cs)
    }

    /// The combined score of one row.
    @inline(__always)
    public func combined(excess: Float, code: Float) -> Float {
      Float((Double(excess) - excessMedian) / excessSpread + (Double(code) - codeMedian) / codeSpread)
    }

    var isUsable: Bool {
      [excessMedian, excessSpread, codeMedian, codeSpread].allSatisfy(\.isFinite) && excessSpread > 0 && codeSpread > 0
    }
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
  /// The training codes' Gaussian (nil in files from before the `code` score).
  public var codes: CodeDistribution?
  /// The training rows' `excess` and `code` scores' medians and spreads (with `codes`).
  public var standardisation: Standardisation?

  public init(score: Score, threshold: Double? = nil, calibration: Calibration? = nil,
              codes: CodeDistribution? = nil, standardisation: Standardisation? = nil) {
    self.score = score
    self.threshold = threshold
    self.calibration = calibration
    self.codes = codes
    self.standardisation = standardisation
  }

  /// The JSON attribute holds everything but the code distribution's arrays.
  enum CodingKeys: String, CodingKey { case score, threshold, calibration, standardisation }

  /// The same training statistics scoring by `score`, without a threshold unless the score is
  /// this one's: a threshold belongs to the score it was read from.
  public func scoring(by score: Score) -> AnomalySettings {
    guard score != self.score else { return self }
    return AnomalySettings(score: score, codes: codes, standardisation: standardisation)
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
  /// These settings calibrated on held-out scores of normal rows (at least one, all finite).
  public func calibrated(scores: [Float], rule: Calibration.Rule, level: Double) -> AnomalySettings {
    let sorted = scores.map(Double.init).sorted()
    let quantiles = (0..<Self.quantileCount).map { Self.quantile(sorted, Double($0) / Double(Self.quantileCount - 1)) }
    var settings = self
    settings.calibration = Calibration(rule: rule, level: level, rows: sorted.count, quantiles: quantiles)
    settings.threshold = Self.quantile(sorted, settings.calibration!.thresholdQuantile)
    return settings
  }

  /// Linear interpolation between order statistics (NumPy's default `quantile`).
  static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
    return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
  }

  /// Reasons these settings are unusable for a model with `pipeline` (a crafted file may hold
  /// anything): `mse` needs rows of numbers in the data's units, which a table model has not;
  /// `code` and `combined` need the training codes' statistics. `pipeline` and `codeWidth` nil
  /// check the settings on their own.
  public func problems(pipeline: Pipeline?, codeWidth: Int? = nil) -> [String] {
    var found: [String] = []
    if score == .mse, let pipeline, pipeline.table != nil || pipeline.scaling == nil {
      found.append("the mse score needs a model of numeric rows with an affine scaling (not a table model)")
    }
    if score.usesCode && codes == nil {
      found.append("the \(score.rawValue) score needs the training codes' distribution (code_mean, code_whitening), which the file lacks")
    }
    if score == .combined && standardisation == nil {
      found.append("the combined score needs the training scores' standardisation, which the file lacks")
    }
    if let codes { found += codes.problems(codeWidth: codeWidth) }
    if let standardisation, !standardisation.isUsable {
      found.append("the standardisation is not finite numbers with positive spreads")
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
