#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Models
import Tensor

/// The mode-specific normalization of CTGAN/TVAE: a small Gaussian mixture fitted to one column.
///
/// CTGAN fits scikit-learn's BayesianGaussianMixture (10 components, weight concentration prior
/// 0.001) and keeps the components whose weight is at least 0.005; the Dirichlet-process prior
/// is there to switch surplus components off. Plain EM does not switch them off (it splits one
/// bump among all ten), so here the number of components is chosen by BIC instead, which has
/// the same aim, a few components where the column has a few modes, and is simple to get right:
/// EM for 1, 2, ... components on a subsample of at most 5,000 values, the lowest BIC wins
/// (stopping after two counts in a row do worse). The winner is refined on at most 50,000
/// values, components lighter than `minimumWeight` are dropped and the rest fitted again.
///
/// Everything is computed on the values mapped onto [-1, 1] (by the column's midrange and
/// half-range, both finite for any finite values), so columns near ±1e308 neither overflow nor
/// lose the mixture to rounding. Components start at quantiles of the distinct values, so the fit is
/// deterministic; the seed only picks the subsamples of large columns.
public typealias GaussianMixture1D = TableSchema.Modes

/// The fitting lives here, above the model's schema, which only stores and applies a mixture
/// (`TableSchema.Modes`: weights summing to 1, means sorted, deviations positive and finite).
extension TableSchema.Modes {
  /// Values EM runs on; a larger column is subsampled (seeded) to this many.
  public static let fittingSampleSize = 50_000
  /// Values the component count is chosen on.
  public static let selectionSampleSize = 5_000
  /// EM iterations per fit, at most (scikit-learn's default is 100 too).
  public static let maximumIterations = 100

  /// EM on the finite `values`, at most `maxComponents` components (see the type's comment).
  /// No finite values at all give one standard normal component, so callers always get a valid
  /// mixture; a constant column gives one component with a tiny deviation.
  public static func fit(_ values: [Double], maxComponents: Int = 10, minimumWeight: Double = 0.005, seed: UInt64) -> GaussianMixture1D {
    var random = SeededRandom(seed: seed, stream: 0x474D_4D31) // "GMM1"
    let finite = values.filter(\.isFinite)
    let sample = subsample(finite, count: fittingSampleSize, random: &random).sorted()
    guard let low = sample.first, let high = sample.last else {
      return GaussianMixture1D(weights: [1], means: [0], deviations: [1])
    }
    let center = low / 2 + high / 2, halfRange = high / 2 - low / 2
    guard halfRange > 0 else {
      return GaussianMixture1D(weights: [1], means: [low], deviations: [max(abs(low), 1) * 1e-9])
    }
    // (x - center) / halfRange, computed on halves so nothing overflows.
    let scaled = sample.map { min(max((($0 / 2 - center / 2) / halfRange) * 2, -1), 1) }
    // Deviations are floored at a thousandth of the interquartile range (a robust spread, so
    // one far outlier does not blur the modes), or a millionth of the range when half the
    // values or more are equal.
    let quartiles = (scaled[scaled.count / 4], scaled[scaled.count * 3 / 4])
    let floor = max(1e-3 * (quartiles.1 - quartiles.0), 1e-6)

    let distinct = zip(scaled, scaled.dropFirst()).reduce(1) { $0 + ($1.0 < $1.1 ? 1 : 0) }
    let limit = max(1, min(maxComponents, distinct))
    let selection = subsample(scaled, count: selectionSampleSize, random: &random).sorted()
    var best: (mixture: Mixture, bic: Double)?, worseInARow = 0
    for components in 1...limit where worseInARow < 2 {
      let fitted = Mixture(startingFrom: selection, components: components, floor: floor).expectationMaximization(selection)
      let parameters = Double(3 * components - 1)
      let bic = -2 * fitted.logLikelihood + parameters * log(Double(selection.count))
      if bic < best?.bic ?? .infinity { best = (fitted, bic); worseInARow = 0 } else { worseInARow += 1 }
    }

    // The subsample's fit is close already, so EM on all the values starts from it.
    var mixture = best!.mixture.expectationMaximization(scaled)
    while mixture.dropComponents(lighterThan: minimumWeight) {
      mixture = mixture.expectationMaximization(scaled)
    }

    let order = mixture.means.indices.sorted { mixture.means[$0] < mixture.means[$1] }
    return GaussianMixture1D(
      weights: order.map { mixture.weights[$0] },
      means: order.map { min(max(center + mixture.means[$0] * halfRange, low), high) },
      deviations: order.map { max(mixture.deviations[$0] * halfRange, Double.leastNormalMagnitude) })
  }

  /// `count` values drawn without replacement (a partial Fisher-Yates shuffle), or all of them.
  private static func subsample(_ values: [Double], count: Int, random: inout SeededRandom) -> [Double] {
    guard values.count > count else { return values }
    var pool = values
    for i in 0..<count {
      let j = i + Int(random.next() % UInt64(pool.count - i))
      pool.swapAt(i, j)
    }
    return Array(pool[..<count])
  }
}

/// A mixture being fitted, on values in [-1, 1].
private struct Mixture {
  var weights: [Double]
  var means: [Double]
  var deviations: [Double]
  /// Smallest deviation allowed, so a component on repeated values keeps a finite density.
  let floor: Double
  /// Of the values last fitted, after the final iteration.
  var logLikelihood = -Double.infinity

  /// Equal weights, a common deviation, and means at the quantiles (i + 0.5) / k of the
  /// distinct values among `sorted`, so a value many rows share starts one component, not several
  /// identical ones that EM could never pull apart.
  init(startingFrom sorted: [Double], components: Int, floor: Double) {
    var distinct = [sorted[0]]
    for x in sorted.dropFirst() where x > distinct[distinct.count - 1] { distinct.append(x) }
    let spread = (sorted[sorted.count - 1] - sorted[0]) / Double(2 * components)
    weights = Array(repeating: 1 / Double(components), count: components)
    means = (0..<components).map { distinct[min(Int((Double($0) + 0.5) / Double(components) * Double(distinct.count)), distinct.count - 1)] }
    deviations = Array(repeating: max(spread, floor), count: components)
    self.floor = floor
  }

  /// Drop the components lighter than `minimumWeight` (never the heaviest), renormalizing the
  /// weights of the rest; whether any was dropped.
  mutating func dropComponents(lighterThan minimumWeight: Double) -> Bool {
    let heaviest = weights.indices.max { weights[$0] < weights[$1] }!
    let kept = weights.indices.filter { $0 == heaviest || weights[$0] >= minimumWeight }
    guard kept.count < weights.count else { return false }
    let total = kept.reduce(0) { $0 + weights[$1] }
    weights = kept.map { weights[$0] / total }
    means = kept.map { means[$0] }
    deviations = kept.map { deviations[$0] }
    return true
  }

  /// EM until the log-likelihood gains less than 1e-4 a value in an iteration (scikit-learn
  /// stops at 1e-3), or the iteration limit.
  func expectationMaximization(_ values: [Double]) -> Mixture {
    var mixture = self
    let k = weights.count, n = Double(values.count)
    var previous = -Double.infinity
    var responsibility = [Double](repeating: 0, count: k)
    for _ in 0..<GaussianMixture1D.maximumIterations {
      var mass = [Double](repeating: 0, count: k), sum = mass, squares = mass
      var logLikelihood = -0.5 * log(2 * Double.pi) * n
      let logWeights = mixture.weights.map { $0 > 0 ? log($0) : -Double.infinity }
      let logDeviations = mixture.deviations.map(log), inverseDeviations = mixture.deviations.map { 1 / $0 }
      for x in values {
        // E step in logs, so a point far from every component still gets responsibilities.
        var largest = -Double.infinity
        for j in 0..<k {
          let z = (x - mixture.means[j]) * inverseDeviations[j]
          responsibility[j] = logWeights[j] - logDeviations[j] - 0.5 * z * z
          largest = max(largest, responsibility[j])
        }
        var total = 0.0
        for j in 0..<k { responsibility[j] = exp(responsibility[j] - largest); total += responsibility[j] }
        logLikelihood += largest + log(total)
        for j in 0..<k {
          let r = responsibility[j] / total
          mass[j] += r
          sum[j] += r * x
          squares[j] += r * x * x
        }
      }
      // M step. Values lie in [-1, 1] and deviations are at least `floor` (>= 1e-6), so the
      // variance as E[x²] - E[x]² loses nothing that matters. A component that lost every
      // value keeps its place with weight 0, to be pruned.
      for j in 0..<k where mass[j] > 0 {
        let mean = sum[j] / mass[j]
        mixture.means[j] = mean
        mixture.deviations[j] = max(max(squares[j] / mass[j] - mean * mean, 0).squareRoot(), floor)
      }
      for j in 0..<k { mixture.weights[j] = mass[j] / n }
      mixture.logLikelihood = logLikelihood
      if logLikelihood - previous < 1e-4 * n { break }
      previous = logLikelihood
    }
    return mixture
  }
}
