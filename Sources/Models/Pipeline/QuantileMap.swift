/// A column's empirical distribution, for the quantile transform: value <-> normal score.
///
/// `knots[i]` is the value at probability i / (k - 1), as scikit-learn's QuantileTransformer
/// stores its `quantiles_`. A value maps to the probability interpolated between the knots
/// around it and then to Φ⁻¹ of that; a normal score maps back through Φ and the same
/// piecewise-linear curve. Repeated knots (a value many rows share) are kept: they hold the
/// probability mass of that value, so it maps to the middle of its range and back to itself.
public struct QuantileMap: Codable, Equatable, Sendable {
  /// Scores lie within ±scoreLimit: probabilities [0, 1] are squeezed linearly into
  /// [Φ(-5.5), Φ(5.5)] (Φ(-5.5) ≈ 1.9e-8) before Φ⁻¹, so the first and last knots get exactly
  /// ∓5.5 rather than ∓∞, values beyond them clip there, and ±5.5 map back to the end knots.
  public static let scoreLimit = 5.5
  private static let tail = NormalDistribution.cdf(-scoreLimit)

  /// The values at probabilities 0, 1/(k-1), ..., 1: sorted and finite.
  public var knots: [Double]

  public init(knots: [Double]) {
    self.knots = knots
  }

  /// The knots of the finite values among `values`: `min(max(knotCount, 2), count)` of them, at evenly
  /// spaced probabilities, each interpolated linearly between order statistics (NumPy's default
  /// percentile). No finite values give no knots, which `problems()` reports.
  public static func fit(_ values: [Double], knotCount: Int = 1000) -> QuantileMap {
    let sorted = values.filter(\.isFinite).sorted()
    let k = min(max(knotCount, 2), sorted.count)
    guard k > 1 else { return QuantileMap(knots: sorted) }
    let last = Double(sorted.count - 1)
    let knots = (0..<k).map { i -> Double in
      let position = Double(i) / Double(k - 1) * last
      let low = min(Int(position), sorted.count - 1), high = min(low + 1, sorted.count - 1)
      return interpolate(sorted[low], sorted[high], position - Double(low))
    }
    return QuantileMap(knots: knots)
  }

  /// Φ⁻¹ of the probability of `x` (squeezed, see `scoreLimit`). Values outside the knots get
  /// the extreme scores; a value equal to several knots gets the middle of their probabilities.
  /// NaN (a missing value) stays NaN, as does anything when there are no knots.
  public func normalScore(_ x: Double) -> Double {
    guard !x.isNaN, !knots.isEmpty else { return .nan }
    guard knots.count > 1 else { return 0 }
    let lower = firstIndex { $0 >= x }, upper = firstIndex { $0 > x }
    let position: Double
    if lower < upper {
      position = Double(lower + upper - 1) / 2
    } else if lower == 0 {
      position = 0
    } else if lower == knots.count {
      position = Double(knots.count - 1)
    } else {
      position = Double(lower - 1) + fraction(x, knots[lower - 1], knots[lower])
    }
    // The upper half through its own tail, so both ends are computed alike and exactly ±5.5.
    let probability = position / Double(knots.count - 1)
    let score = probability <= 0.5 ? NormalDistribution.quantile(Self.tail + probability * (1 - 2 * Self.tail))
      : -NormalDistribution.quantile(Self.tail + (1 - probability) * (1 - 2 * Self.tail))
    return min(max(score, -Self.scoreLimit), Self.scoreLimit)
  }

  /// The value whose normal score is `z`: Φ(z) (unsqueezed, see `scoreLimit`) placed on the
  /// piecewise-linear curve through the knots, so always within [knots.first, knots.last].
  /// NaN stays NaN, as does anything when there are no knots.
  public func value(normalScore z: Double) -> Double {
    guard !z.isNaN, let first = knots.first else { return .nan }
    guard knots.count > 1 else { return first }
    let z = min(max(z, -Self.scoreLimit), Self.scoreLimit)
    let unsqueezed = z <= 0 ? (NormalDistribution.cdf(z) - Self.tail) / (1 - 2 * Self.tail)
      : 1 - (NormalDistribution.cdf(-z) - Self.tail) / (1 - 2 * Self.tail)
    let probability = min(max(unsqueezed, 0), 1)
    let position = probability * Double(knots.count - 1)
    let low = min(Int(position), knots.count - 2)
    return Self.interpolate(knots[low], knots[low + 1], position - Double(low))
  }

  /// What is wrong with these knots, for a map read back from a file: empty, not finite, not
  /// sorted. Empty when the map is usable.
  public func problems() -> [String] {
    guard !knots.isEmpty else { return ["the quantile map has no knots"] }
    var problems: [String] = []
    if let bad = knots.firstIndex(where: { !$0.isFinite }) {
      problems.append("quantile knot \(bad) is \(knots[bad]), not a finite number")
    }
    if let bad = knots.indices.dropFirst().first(where: { knots[$0 - 1] > knots[$0] }) {
      problems.append("quantile knots are not sorted: knot \(bad - 1) is \(knots[bad - 1]), knot \(bad) is \(knots[bad])")
    }
    return problems
  }

  /// The first index whose knot satisfies `predicate` (knots.count if none), by binary search;
  /// `predicate` must be false then true along sorted knots.
  private func firstIndex(where predicate: (Double) -> Bool) -> Int {
    var low = 0, high = knots.count
    while low < high {
      let middle = (low + high) / 2
      if predicate(knots[middle]) { high = middle } else { low = middle + 1 }
    }
    return low
  }

  /// Where x lies between a < b, in [0, 1]; halved first when b - a overflows (knots near ±1e308).
  private func fraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
    let width = b - a
    let t = width.isFinite ? (x - a) / width : (x / 2 - a / 2) / (b / 2 - a / 2)
    return t.isNaN ? 0 : min(max(t, 0), 1)
  }

  /// a + t (b - a) for t in [0, 1], kept within [a, b] and finite even when b - a overflows.
  private static func interpolate(_ a: Double, _ b: Double, _ t: Double) -> Double {
    let value = a * (1 - t) + b * t
    return min(max(value, min(a, b)), max(a, b))
  }
}
