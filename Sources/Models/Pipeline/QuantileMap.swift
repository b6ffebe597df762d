// TEMPORARY stand-in until h-numerics merges (replaced by its file).
import Foundation
public enum NormalDistribution {
  public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
  public static func quantile(_ p: Double) -> Double {
    let q = min(max(p, 1e-12), 1 - 1e-12)
    var lo = -8.0, hi = 8.0
    for _ in 0..<80 { let mid = (lo + hi) / 2; if cdf(mid) < q { lo = mid } else { hi = mid } }
    return (lo + hi) / 2
  }
}
public struct QuantileMap: Codable, Equatable, Sendable {
  public var knots: [Double]
  public init(knots: [Double]) { self.knots = knots }
  public static func fit(_ values: [Double], knotCount: Int = 1000) -> QuantileMap {
    let sorted = values.sorted(); let k = min(knotCount, sorted.count)
    if k == 1 { return QuantileMap(knots: [sorted[0]]) }
    return QuantileMap(knots: (0..<k).map { sorted[Int((Double($0) / Double(k - 1) * Double(sorted.count - 1)).rounded())] })
  }
  public func normalScore(_ x: Double) -> Double {
    guard knots.count > 1 else { return 0 }
    var i = 0; while i < knots.count - 1 && knots[i + 1] < x { i += 1 }
    let a = knots[i], b = knots[min(i + 1, knots.count - 1)]
    let f = b > a ? min(max((x - a) / (b - a), 0), 1) : 0.5
    let p = (Double(i) + f) / Double(knots.count - 1)
    return max(-5.5, min(5.5, NormalDistribution.quantile(p)))
  }
  public func value(normalScore z: Double) -> Double {
    guard knots.count > 1 else { return knots[0] }
    let p = NormalDistribution.cdf(z) * Double(knots.count - 1)
    let i = min(max(Int(p), 0), knots.count - 2), f = min(max(p - Double(i), 0), 1)
    return knots[i] + f * (knots[i + 1] - knots[i])
  }
  public func problems() -> [String] {
    if knots.isEmpty { return ["no knots"] }
    if !knots.allSatisfy(\.isFinite) { return ["non-finite knot"] }
    for i in 1..<knots.count where knots[i] < knots[i - 1] { return ["unsorted knots"] }
    return []
  }
}
