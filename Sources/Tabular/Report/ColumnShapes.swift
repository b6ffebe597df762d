#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How alike one column's values are in the real and the synthetic table, as SDMetrics'
/// QualityReport measures it: KSComplement for numeric columns, TVComplement for categories.
/// Both drop missing cells first; a column with no values on one side has no score (nil).
public enum ColumnShapes {
  /// 1 - the two-sample Kolmogorov-Smirnov statistic: the largest gap between the two
  /// empirical CDFs, each evaluated as the share of values <= x (so tied values move a CDF
  /// together). Values are first rounded to 14 decimals, as SDMetrics does.
  public static func ksComplement(real: [Double], synthetic: [Double]) -> Double? {
    let a = real.filter { !$0.isNaN }.map(roundedTo14Decimals).sorted()
    let b = synthetic.filter { !$0.isNaN }.map(roundedTo14Decimals).sorted()
    guard !a.isEmpty, !b.isEmpty else { return nil }
    var i = 0, j = 0, largestGap = 0.0
    while i < a.count || j < b.count {
      // The next distinct value of either sample; step both CDFs past every copy of it.
      let x = j == b.count || (i < a.count && a[i] <= b[j]) ? a[i] : b[j]
      while i < a.count, a[i] <= x { i += 1 }
      while j < b.count, b[j] <= x { j += 1 }
      largestGap = max(largestGap, abs(Double(i) / Double(a.count) - Double(j) / Double(b.count)))
    }
    return 1 - largestGap
  }

  /// 1 - the total variation distance between the two label frequencies. As in SDMetrics,
  /// a label only the synthetic table has counts 1e-6 times in the real one, so its real
  /// frequency is near zero rather than undefined.
  public static func tvComplement(real: [String?], synthetic: [String?]) -> Double? {
    var realCounts = counts(real)
    let syntheticCounts = counts(synthetic)
    let syntheticTotal = Double(syntheticCounts.values.reduce(0, +))
    guard !realCounts.isEmpty, syntheticTotal > 0 else { return nil }
    for label in syntheticCounts.keys where realCounts[label] == nil { realCounts[label] = 1e-6 }
    let realTotal = realCounts.values.reduce(0, +)
    var distance = 0.0
    for label in realCounts.keys.sorted() { // a fixed order, so the sum is the same every run
      distance += abs(syntheticCounts[label, default: 0] / syntheticTotal - realCounts[label]! / realTotal)
    }
    return 1 - 0.5 * distance
  }

  /// How many times each present label occurs.
  static func counts(_ labels: [String?]) -> [String: Double] {
    var counts: [String: Double] = [:]
    for case let label? in labels { counts[label, default: 0] += 1 }
    return counts
  }

  /// numpy's round(x, 14): scale, round half to even, scale back.
  static func roundedTo14Decimals(_ x: Double) -> Double {
    (x * 1e14).rounded(.toNearestOrEven) / 1e14
  }
}
