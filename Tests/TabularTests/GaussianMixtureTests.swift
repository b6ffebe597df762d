import Tabular
import Tensor
import Testing

/// The per-column Gaussian mixture of mode-specific normalization.
@Suite struct GaussianMixtureTests {
  /// `count` draws from a mixture, seeded.
  static func draws(_ components: [(weight: Double, mean: Double, deviation: Double)], count: Int, seed: UInt64) -> [Double] {
    var random = SeededRandom(seed: seed)
    return (0..<count).map { _ in
      var u = Double(random.next() >> 11) / 9_007_199_254_740_992
      let component = components.first { u -= $0.weight; return u < 0 } ?? components.last!
      return component.mean + component.deviation * Double(random.gaussian())
    }
  }

  /// Every mixture the fit returns is usable: weights positive and summing to 1, means sorted
  /// within the data's range, deviations positive and finite.
  static func expectValid(_ mixture: GaussianMixture1D, within range: ClosedRange<Double>, sourceLocation: SourceLocation = #_sourceLocation) {
    let k = mixture.weights.count
    #expect(k >= 1 && mixture.means.count == k && mixture.deviations.count == k, sourceLocation: sourceLocation)
    #expect(abs(mixture.weights.reduce(0, +) - 1) < 1e-9, sourceLocation: sourceLocation)
    #expect(mixture.weights.allSatisfy { $0 > 0 && $0.isFinite }, sourceLocation: sourceLocation)
    #expect(mixture.means.allSatisfy { range.contains($0) }, "\(mixture.means)", sourceLocation: sourceLocation)
    #expect(mixture.means == mixture.means.sorted(), sourceLocation: sourceLocation)
    #expect(mixture.deviations.allSatisfy { $0 > 0 && $0.isFinite }, "\(mixture.deviations)", sourceLocation: sourceLocation)
  }

  /// Three well-separated modes in 30,000 seeded draws: three components, means within 0.08 of
  /// the truth (3 standard errors of the widest mode's sample mean, 2 / sqrt(6000)), weights
  /// within 0.02, deviations within 5%.
  @Test func recoversThreeModes() {
    let truth: [(weight: Double, mean: Double, deviation: Double)] = [(0.3, -10, 1), (0.5, 0, 0.5), (0.2, 8, 2)]
    let values = Self.draws(truth, count: 30_000, seed: 5)
    let mixture = GaussianMixture1D.fit(values, seed: 1)
    Self.expectValid(mixture, within: values.min()!...values.max()!)
    #expect(mixture.weights.count == 3, "\(mixture)")
    guard mixture.weights.count == 3 else { return }
    for (j, component) in truth.enumerated() {
      #expect(abs(mixture.means[j] - component.mean) < 0.08, "\(mixture)")
      #expect(abs(mixture.weights[j] - component.weight) < 0.02, "\(mixture)")
      #expect(abs(mixture.deviations[j] / component.deviation - 1) < 0.05, "\(mixture)")
    }
  }

  /// One normal column needs one component.
  @Test func oneModeGivesOneComponent() {
    let values = Self.draws([(1, 3, 2)], count: 20_000, seed: 9)
    let mixture = GaussianMixture1D.fit(values, seed: 1)
    #expect(mixture.weights == [1])
    #expect(abs(mixture.means[0] - 3) < 0.05 && abs(mixture.deviations[0] - 2) < 0.05)
  }

  /// Same data and seed, same mixture; more than 50,000 values are subsampled by the seed, and
  /// other seeds still find the same modes.
  @Test func deterministicForASeed() {
    let values = Self.draws([(0.6, -2, 1), (0.4, 4, 1)], count: 120_000, seed: 3)
    let first = GaussianMixture1D.fit(values, seed: 42)
    #expect(GaussianMixture1D.fit(values, seed: 42) == first)
    let other = GaussianMixture1D.fit(values, seed: 43)
    #expect(first.means.count == 2 && other.means.count == 2)
    guard first.means.count == 2, other.means.count == 2 else { return }
    for j in 0..<2 { #expect(abs(first.means[j] - other.means[j]) < 0.05) }
  }

  /// A constant column, one value, two values: one valid component, or two at the values.
  @Test func degenerateColumns() {
    let constant = GaussianMixture1D.fit(Array(repeating: 5, count: 1000), seed: 1)
    #expect(constant.weights == [1] && constant.means == [5])
    Self.expectValid(constant, within: 5...5)
    let single = GaussianMixture1D.fit([-7], seed: 1)
    #expect(single.means == [-7])
    Self.expectValid(single, within: -7 ... -7)
    let two = GaussianMixture1D.fit([1, 2], seed: 1)
    Self.expectValid(two, within: 1...2)
    let zero = GaussianMixture1D.fit([0, 0, 0], seed: 1)
    Self.expectValid(zero, within: 0...0)
  }

  /// Values that repeat (a spike at 0 beside a spread of others) give a narrow component at the
  /// spike, its deviation floored but positive, and the other mode intact.
  @Test func spikeOfRepeatedValues() {
    let values = Array(repeating: 0.0, count: 8000) + Self.draws([(1, 10, 1)], count: 2000, seed: 4)
    let mixture = GaussianMixture1D.fit(values, seed: 1)
    Self.expectValid(mixture, within: values.min()!...values.max()!)
    #expect(mixture.means.first == 0)
    #expect(mixture.deviations[0] < 1e-2)
    #expect(abs(mixture.weights[0] - 0.8) < 0.01)
    #expect(mixture.means.contains { abs($0 - 10) < 0.2 }, "\(mixture)")
  }

  /// Values near the limits of Double neither overflow nor turn into NaN.
  @Test func hugeValuesStayFinite() {
    let huge = Self.draws([(0.5, -1, 0.1), (0.5, 1, 0.1)], count: 2000, seed: 8).map { $0 * 1e300 }
    let mixture = GaussianMixture1D.fit(huge, seed: 1)
    Self.expectValid(mixture, within: huge.min()!...huge.max()!)
    #expect(mixture.means.count == 2)
    let extremes = GaussianMixture1D.fit([-1.7e308, 1.7e308, 0, 1e308], seed: 1)
    Self.expectValid(extremes, within: -1.7e308...1.7e308)
    let subnormal = Double.leastNormalMagnitude / 1000
    let tiny = GaussianMixture1D.fit([subnormal, 2 * subnormal, 3 * subnormal], seed: 1)
    Self.expectValid(tiny, within: subnormal...(3 * subnormal))
  }

  /// NaN and infinities are ignored; no finite value at all gives a standard normal.
  @Test func nonFiniteValuesAreIgnored() {
    let mixture = GaussianMixture1D.fit([.nan, 2, .infinity, 2, -.infinity], seed: 1)
    #expect(mixture.means == [2] && mixture.weights == [1])
    let empty = GaussianMixture1D.fit([.nan], seed: 1)
    #expect(empty == GaussianMixture1D(weights: [1], means: [0], deviations: [1]))
  }

  /// maxComponents and minimumWeight bound the mixture: one component when asked for one, and
  /// a minimum weight above every component's share still leaves the heaviest.
  @Test func limitsAreHonoured() {
    let values = Self.draws([(0.3, -10, 1), (0.5, 0, 0.5), (0.2, 8, 2)], count: 5000, seed: 6)
    #expect(GaussianMixture1D.fit(values, maxComponents: 1, seed: 1).weights == [1])
    #expect(GaussianMixture1D.fit(values, maxComponents: 0, seed: 1).weights == [1])
    let pruned = GaussianMixture1D.fit(values, minimumWeight: 0.9, seed: 1)
    #expect(pruned.weights == [1])
    Self.expectValid(pruned, within: values.min()!...values.max()!)
  }
}
