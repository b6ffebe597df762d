import CVector

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
    /// The mean distance of the row's code to its 5 nearest training codes (`codes`): a
    /// density estimate that follows the codes' clusters, which a Gaussian blurs.
    case neighbours
    /// `excess`, `code` and `neighbours`, each standardised by its median and interquartile
    /// range on the training rows (`standardisation`), summed.
    case combined

    /// Whether the score needs the training codes, or the decoder's reconstruction.
    public var usesCode: Bool { self == .code || self == .neighbours || self == .combined }
    public var usesReconstruction: Bool { self != .code && self != .neighbours }
  }

  /// What the `code`, `neighbours` and `combined` scores know of the training rows' codes (a
  /// VAE's means): their Gaussian, as a mean and a whitening matrix, and a sample of the codes
  /// themselves. Stored as datasets (`/anomaly/code_mean`, `code_whitening`, `code_neighbours`),
  /// not in the JSON attribute.
  public struct TrainingCodes: Equatable, Sendable {
    /// Code width values.
    public var mean: [Float] { didSet { neighbourColumns = Self.columns(of: neighbours, width: width) } }
    /// width x width values, row-major: the covariance's eigenvectors as rows, each divided
    /// by the square root of its variance, so `|whitening (z - mean)|^2` is the squared
    /// Mahalanobis distance.
    public var whitening: [Float]
    /// Training codes, rows of width values (at most `neighbourLimit` rows).
    public var neighbours: [Float] { didSet { neighbourColumns = Self.columns(of: neighbours, width: width) } }
    /// The same codes a value at a time: width runs of the row count rounded up to 16 (the rows padded to
    /// whole blocks of 16 with codes that are no one's neighbour), so that one query's
    /// distances to 16 codes are 16 lanes of one vector.
    private var neighbourColumns: [Float]
    public var width: Int { mean.count }
    public var neighbourRows: Int { width == 0 ? 0 : neighbours.count / width }

    /// Nearest training codes the `neighbours` score averages over.
    public static let neighbourCount = 5
    /// Training codes kept for it: enough for a class of Fashion-MNIST; a larger training set
    /// keeps an evenly spaced sample (each row then costs this many distances to score).
    public static let neighbourLimit = 10_000

    public init(mean: [Float], whitening: [Float], neighbours: [Float]) {
      self.mean = mean
      self.whitening = whitening
      self.neighbours = neighbours
      neighbourColumns = Self.columns(of: neighbours, width: mean.count)
    }

    /// Equal statistics: the vector layout is derived from them (and its NaN padding is equal to nothing).
    public static func == (a: Self, b: Self) -> Bool {
      a.mean == b.mean && a.whitening == b.whitening && a.neighbours == b.neighbours
    }

    /// Rows of `width` values as columns of rows padded to a multiple of 16. A padding code
    /// is NaN on every axis: its distance compares as nearer than nothing.
    static func columns(of rows: [Float], width: Int) -> [Float] {
      guard width > 0 else { return [] }
      let count = rows.count / width, padded = (count + 15) / 16 * 16
      var columns = [Float](repeating: .nan, count: width * padded)
      for row in 0..<count { for j in 0..<width { columns[j * padded + row] = rows[row * width + j] } }
      return columns
    }

    /// The squared Mahalanobis distance of code `z`; `scratch` holds width floats. Summed in
    /// double precision: products of a crafted model's large codes and whitening overflow a
    /// float with both signs, and their sum would be NaN (the result then saturates instead).
    @inline(__always)
    public func mahalanobis(_ z: UnsafePointer<Float>, scratch centred: UnsafeMutablePointer<Float>) -> Float {
      let k = width
      return mean.withUnsafeBufferPointer { mean in
        whitening.withUnsafeBufferPointer { whitening in
          for j in 0..<k { centred[j] = z[j] - mean[j] }
          var sum: Double = 0
          for i in 0..<k {
            let w = whitening.baseAddress! + i * k
            var projection: Double = 0
            for j in 0..<k { projection += Double(w[j]) * Double(centred[j]) }
            sum += projection * projection
          }
          return Float(sum)
        }
      }
    }

    /// The mean Euclidean distance from code `z` to its `neighbourCount` nearest training
    /// codes; `skippingNearest` leaves out the nearest (a training row's own code). Each
    /// distance sums its squared differences axis by axis, in axis order, 16 codes per vector
    /// (CVector's aevec_nearest_squares: AVX-512 where the CPU has it); only a block with a
    /// code nearer than the current fifth is looked at lane by lane.
    @inline(__always)
    public func neighbourDistance(_ z: UnsafePointer<Float>, skippingNearest: Bool = false) -> Float {
      let k = width, count = Self.neighbourCount + (skippingNearest ? 1 : 0)
      // The `count` smallest squared distances so far, ascending (a tuple: no allocation).
      var nearest: (Float, Float, Float, Float, Float, Float) = (.infinity, .infinity, .infinity, .infinity, .infinity, .infinity)
      return withUnsafeMutableBytes(of: &nearest) { raw in
        let best = raw.baseAddress!.assumingMemoryBound(to: Float.self)
        neighbourColumns.withUnsafeBufferPointer { columns in
          guard let base = columns.baseAddress, k > 0 else { return }
          aevec_nearest_squares(z, base, k, columns.count / k, best, count)
        }
        let used = min(count, neighbourRows)
        var total: Float = 0
        for i in (skippingNearest ? 1 : 0)..<used { total += best[i].squareRoot() }
        return total / Float(max(used - (skippingNearest ? 1 : 0), 1))
      }
    }

    /// Problems with crafted statistics, for a model whose codes are `codeWidth` wide.
    func problems(codeWidth: Int?) -> [String] {
      var found: [String] = []
      if let codeWidth, width != codeWidth { found.append("the training codes are \(width) wide, the model's \(codeWidth)") }
      if whitening.count != width * width { found.append("the code whitening matrix holds \(whitening.count) values, not \(width)^2") }
      if width > 0 && neighbours.count % width != 0 { found.append("the neighbour codes are not rows of \(width) values") }
      if neighbourRows > Self.neighbourLimit { found.append("more than \(Self.neighbourLimit) neighbour codes") }
      if neighbourRows < Self.neighbourCount + 1 { found.append("fewer than \(Self.neighbourCount + 1) neighbour codes") }
      if !mean.allSatisfy(\.isFinite) || !whitening.allSatisfy(\.isFinite) || !neighbours.allSatisfy(\.isFinite) {
        found.append("the training codes' statistics are not finite")
      }
      return found
    }
  }

  /// Where the training rows' scores sit (median and interquartile range), so that scores in
  /// different units can be summed (`combined`).
  public struct Standardisation: Codable, Equatable, Sendable {
    public var excessMedian: Double
    public var excessSpread: Double
    public var codeMedian: Double
    public var codeSpread: Double
    public var neighboursMedian: Double
    public var neighboursSpread: Double

    public init(excess: (median: Double, spread: Double), code: (median: Double, spread: Double),
                neighbours: (median: Double, spread: Double)) {
      (excessMedian, excessSpread) = excess
      (codeMedian, codeSpread) = code
      (neighboursMedian, neighboursSpread) = neighbours
    }

    /// From the training rows' scores (a spread of 0 becomes 1: the score is then constant on
    /// the training rows and only its offset matters).
    public static func fitted(excess: [Float], code: [Float], neighbours: [Float]) -> Standardisation {
      func location(_ values: [Float]) -> (median: Double, spread: Double) {
        let sorted = values.map(Double.init).sorted()
        let spread = AnomalySettings.quantile(sorted, 0.75) - AnomalySettings.quantile(sorted, 0.25)
        return (AnomalySettings.quantile(sorted, 0.5), spread > 0 ? spread : 1)
      }
      return Standardisation(excess: location(excess), code: location(code), neighbours: location(neighbours))
    }

    /// The code terms of the combined score.
    @inline(__always)
    public func codePart(code: Float, neighbours: Float) -> Float {
      Float((Double(code) - codeMedian) / codeSpread + (Double(neighbours) - neighboursMedian) / neighboursSpread)
    }

    /// The reconstruction term of the combined score.
    @inline(__always)
    public func excessPart(_ excess: Float) -> Float { Float((Double(excess) - excessMedian) / excessSpread) }

    var isUsable: Bool {
      let all = [excessMedian, excessSpread, codeMedian, codeSpread, neighboursMedian, neighboursSpread]
      return all.allSatisfy(\.isFinite) && excessSpread > 0 && codeSpread > 0 && neighboursSpread > 0
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
  /// The training codes' statistics (nil in files from before the `code` score).
  public var codes: TrainingCodes?
  /// The training rows' `excess`, `code` and `neighbours` scores' medians and spreads.
  public var standardisation: Standardisation?

  public init(score: Score, threshold: Double? = nil, calibration: Calibration? = nil,
              codes: TrainingCodes? = nil, standardisation: Standardisation? = nil) {
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

  /// What a model without training statistics scores by (the best of the reconstruction
  /// scores on the bench); `ae train` fits the statistics and scores by `combined`.
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
      found.append("the \(score.rawValue) score needs the training codes' statistics (code_mean, code_whitening, code_neighbours), which the file lacks")
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
