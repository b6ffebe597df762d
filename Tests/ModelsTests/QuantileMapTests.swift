import Foundation
import Models
import Tensor
import Testing

/// Φ and Φ⁻¹, and the quantile transform's value <-> normal score map.
@Suite struct QuantileMapTests {
  /// Reference quantiles (R's qnorm, to 16 digits) within 1e-12.
  @Test func quantileMatchesReferenceValues() {
    let references: [(p: Double, z: Double)] = [
      (0.5, 0), (0.975, 1.959963984540054), (0.1, -1.2815515655446004), (0.999, 3.090232306167813),
      (1e-10, -6.361340902404056), (0.2, -0.8416212335729143),
    ]
    for (p, z) in references {
      #expect(abs(NormalDistribution.quantile(p) - z) <= 1e-12 * max(1, abs(z)), "p = \(p)")
    }
  }

  /// Φ(Φ⁻¹(p)) = p to a relative 1e-9 from 1e-12 to 1 - 1e-12, checked against libm's erfc.
  @Test func quantileInvertsTheCDF() {
    var probabilities: [Double] = []
    for exponent in stride(from: -12.0, through: -1, by: 0.25) { probabilities.append(pow(10, exponent)) }
    for i in 1..<200 { probabilities.append(Double(i) / 200) }
    probabilities += probabilities.map { 1 - $0 }
    for p in probabilities {
      let z = NormalDistribution.quantile(p)
      let back = p < 0.5 ? NormalDistribution.cdf(z) : 1 - NormalDistribution.cdf(-z)
      let tail = min(p, 1 - p)
      #expect(abs(back - p) <= 1e-9 * tail, "p = \(p)")
    }
  }

  /// p is clamped to [1e-12, 1 - 1e-12], so 0 and 1 give finite scores; NaN stays NaN.
  @Test func quantileClampsProbabilities() {
    #expect(NormalDistribution.quantile(0) == NormalDistribution.quantile(1e-12))
    #expect(NormalDistribution.quantile(-3) == NormalDistribution.quantile(1e-12))
    #expect(NormalDistribution.quantile(1) == NormalDistribution.quantile(1 - 1e-12))
    #expect(abs(NormalDistribution.quantile(0) + 7.034483825) < 1e-6)
    #expect(NormalDistribution.quantile(.nan).isNaN)
  }

  /// Knots are NumPy's linear percentiles: arange(100) at 0, 10, ..., 100 percent.
  @Test func fitTakesLinearPercentiles() {
    let map = QuantileMap.fit((0..<100).map { Double($0 * 37 % 100) }, knotCount: 11)
    #expect(map.knots.count == 11)
    for (i, knot) in map.knots.enumerated() { #expect(abs(knot - 9.9 * Double(i)) < 1e-9) }
    #expect(map.problems().isEmpty)
  }

  /// NaN and infinities are left out; fewer values than knots give one knot a value.
  @Test func fitUsesFiniteValuesOnly() {
    let map = QuantileMap.fit([3, .nan, 1, .infinity, 2, -.infinity], knotCount: 1000)
    #expect(map.knots == [1, 2, 3])
    #expect(QuantileMap.fit([.nan]).problems() == ["the quantile map has no knots"])
  }

  /// value(normalScore(knot)) gives each knot back, to rounding: within 1e-9 of the span.
  @Test func roundTripOnTheKnots() {
    var random = SeededRandom(seed: 11)
    let values = (0..<5000).map { _ in exp(Double.random(in: -3...3, using: &random)) }
    let map = QuantileMap.fit(values, knotCount: 200)
    let k = map.knots.count, span = map.knots[k - 1] - map.knots[0]
    for (i, knot) in map.knots.enumerated() {
      let back = map.value(normalScore: map.normalScore(knot))
      #expect(abs(back - knot) <= 1e-9 * span, "knot \(i)")
    }
  }

  /// Scores rise with values, values with scores, and both stay in range.
  @Test func monotoneAndBounded() {
    let map = QuantileMap.fit((0..<1000).map { Double($0 * $0 % 997) / 10 }, knotCount: 100)
    var previous = -Double.infinity
    for x in stride(from: -10.0, through: 110, by: 0.01) {
      let score = map.normalScore(x)
      #expect(score >= previous && abs(score) <= QuantileMap.scoreLimit)
      previous = score
    }
    previous = -Double.infinity
    for z in stride(from: -8.0, through: 8, by: 0.001) {
      let value = map.value(normalScore: z)
      #expect(value >= previous && value >= map.knots.first! && value <= map.knots.last!)
      previous = value
    }
  }

  /// The end knots score ±5.5 and values beyond them clip there; ±5.5 and beyond give the end knots.
  @Test func clipping() {
    let map = QuantileMap(knots: [0, 1, 2, 3])
    #expect(map.normalScore(-1e300) == -QuantileMap.scoreLimit)
    #expect(abs(map.normalScore(0) + QuantileMap.scoreLimit) < 1e-12)
    #expect(abs(map.normalScore(3) - QuantileMap.scoreLimit) < 1e-12)
    #expect(map.normalScore(.infinity) == QuantileMap.scoreLimit)
    #expect(map.value(normalScore: 100) == 3)
    #expect(map.value(normalScore: -.infinity) == 0)
    #expect(map.normalScore(.nan).isNaN && map.value(normalScore: .nan).isNaN)
  }

  /// A value many rows share maps to the middle of its probability range, and back to itself.
  @Test func tiesMapToTheMiddleOfTheirRange() {
    let map = QuantileMap.fit(Array(repeating: 0, count: 50) + Array(repeating: 1, count: 50), knotCount: 11)
    #expect(map.knots == [0, 0, 0, 0, 0, 0.5, 1, 1, 1, 1, 1])
    // 0 holds knots 0-4 (probabilities 0 to 0.4): the middle is 0.2 (squeezed by 1.9e-8, see scoreLimit).
    #expect(abs(map.normalScore(0) - NormalDistribution.quantile(0.2)) < 1e-7)
    #expect(abs(map.normalScore(1) - NormalDistribution.quantile(0.8)) < 1e-7)
    #expect(map.value(normalScore: map.normalScore(0)) == 0)
    #expect(map.value(normalScore: map.normalScore(1)) == 1)
  }

  /// One value, one knot: every value scores 0 and every score gives the value.
  @Test func singleKnot() {
    let map = QuantileMap.fit([4.5])
    #expect(map.knots == [4.5])
    #expect(map.normalScore(4.5) == 0 && map.normalScore(-9) == 0)
    #expect(map.value(normalScore: 2) == 4.5)
  }

  /// Knots near ±1e308, whose span overflows, still give finite scores and values.
  @Test func hugeKnotsStayFinite() {
    let map = QuantileMap.fit([-1e308, 1e308, 0, 5e307, -5e307], knotCount: 5)
    #expect(map.problems().isEmpty)
    #expect(abs(map.normalScore(0)) < 1e-12)
    #expect(map.normalScore(7e307).isFinite)
    for z in stride(from: -6.0, through: 6, by: 0.5) { #expect(map.value(normalScore: z).isFinite) }
  }

  /// Crafted knots are reported, and using them anyway neither crashes nor hangs.
  @Test func problemsCatchCraftedKnots() {
    #expect(QuantileMap(knots: []).problems() == ["the quantile map has no knots"])
    #expect(QuantileMap(knots: [0, .nan, 2]).problems() == ["quantile knot 1 is nan, not a finite number"])
    #expect(QuantileMap(knots: [0, .infinity]).problems().count == 1)
    #expect(QuantileMap(knots: [0, 2, 1]).problems() == ["quantile knots are not sorted: knot 1 is 2.0, knot 2 is 1.0"])
    #expect(QuantileMap(knots: [0, 0, 1]).problems().isEmpty)
    for knots: [Double] in [[], [3, 1, 2], [.nan, .infinity, -.infinity]] {
      let map = QuantileMap(knots: knots)
      for x in [-1.0, 0, 1.5, 5] { _ = map.value(normalScore: map.normalScore(x)) }
    }
  }

  /// The map survives a JSON round trip unchanged (it is stored in model files).
  @Test func codableRoundTrip() throws {
    let map = QuantileMap.fit([0.1, 2.5, 2.5, 7, -3], knotCount: 4)
    let back = try JSONDecoder().decode(QuantileMap.self, from: JSONEncoder().encode(map))
    #expect(back == map)
  }
}
