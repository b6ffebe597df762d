// TEMPORARY stand-in until h-numerics merges (replaced by its file).
import Foundation
public struct GaussianMixture1D: Equatable, Sendable {
  public var weights: [Double]; public var means: [Double]; public var deviations: [Double]
  public static func fit(_ values: [Double], maxComponents: Int = 10, minimumWeight: Double = 0.005, seed: UInt64) -> GaussianMixture1D {
    let sorted = values.sorted(); let n = sorted.count
    let range = max(sorted[n - 1] - sorted[0], 1e-12), floor = max(range * 1e-3, 1e-9)
    var k = min(maxComponents, n)
    var means = (0..<k).map { sorted[min(n - 1, Int((Double($0) + 0.5) / Double(k) * Double(n)))] }
    var devs = [Double](repeating: max(range / Double(2 * k), floor), count: k), weights = [Double](repeating: 1 / Double(k), count: k)
    for _ in 0..<40 {
      var sw = [Double](repeating: 0, count: k), sx = sw, sxx = sw
      for x in sorted {
        var p = [Double](repeating: 0, count: k); var total = 0.0
        for j in 0..<k { let z = (x - means[j]) / devs[j]; p[j] = weights[j] / devs[j] * exp(-0.5 * z * z); total += p[j] }
        if total <= 0 { continue }
        for j in 0..<k { let r = p[j] / total; sw[j] += r; sx[j] += r * x; sxx[j] += r * x * x }
      }
      var keep: [Int] = []
      for j in 0..<k where sw[j] / Double(n) >= minimumWeight { keep.append(j) }
      if keep.isEmpty { keep = [0]; sw[0] = Double(n); sx[0] = sorted.reduce(0, +); sxx[0] = sorted.reduce(0) { $0 + $1 * $1 } }
      means = keep.map { sx[$0] / sw[$0] }
      devs = keep.map { max((max(sxx[$0] / sw[$0] - pow(sx[$0] / sw[$0], 2), 0)).squareRoot(), floor) }
      weights = keep.map { sw[$0] / Double(n) }
      k = keep.count
    }
    return GaussianMixture1D(weights: weights, means: means, deviations: devs)
  }
}
