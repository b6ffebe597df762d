import Foundation

/// Tick positions a person would choose, and their labels.
enum Ticks {
  /// Round steps (1, 2, 2.5 or 5 times a power of ten) giving about `target` ticks in
  /// `low...high`; with `integers`, steps of at least 1.
  static func linearStep(_ low: Double, _ high: Double, target: Int = 6, integers: Bool = false) -> Double {
    let span = max(high - low, .leastNormalMagnitude)
    let raw = span / Double(max(target, 2) - 1)
    let power = pow(10, floor(log10(raw)))
    let fraction = raw / power
    let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10
    let step = nice * power
    return integers ? max(1, step.rounded(.up)) : step
  }

  /// Multiples of `step` inside `low...high` (with a little slack for rounding).
  static func linear(_ low: Double, _ high: Double, step: Double) -> [Double] {
    guard step > 0, low.isFinite, high.isFinite, high >= low else { return [] }
    let first = ceil(low / step - 1e-9), last = floor(high / step + 1e-9)
    guard last - first < 1000 else { return [] }
    return stride(from: first, through: last, by: 1).map { $0 * step }
  }

  /// Ticks for a log axis over `low...high` (both positive): powers of ten when the range holds
  /// at least two, else 1-2-5 multiples, else round linear steps (a loss going from 280 to 230
  /// still gets labels).
  static func logarithmic(_ low: Double, _ high: Double) -> [Double] {
    guard low > 0, high >= low, low.isFinite, high.isFinite else { return [] }
    let from = low * (1 - 1e-9), to = high * (1 + 1e-9)
    let exponents: [Double] = Array(stride(from: floor(log10(low)), through: ceil(log10(high)), by: 1))
    let decades: [Double] = exponents.map { pow(10, $0) }
    let powers = decades.filter { $0 >= from && $0 <= to }
    if powers.count >= 2 { return powers }
    let multiples: [Double] = decades.flatMap { (decade: Double) -> [Double] in [decade, 2 * decade, 5 * decade] }
    let oneTwoFive = multiples.filter { $0 >= from && $0 <= to }
    if oneTwoFive.count >= 3 { return oneTwoFive }
    return linear(low, high, step: linearStep(low, high, target: 7))
  }

  /// A short label for `value` on an axis whose ticks are `step` apart: as many decimals as the
  /// step needs, and powers of ten written as 1e5 when they get long.
  static func label(_ value: Double, step: Double) -> String {
    if value == 0 { return "0" }
    let magnitude = abs(value)
    if magnitude >= 1e6 || magnitude < 1e-4 {
      let exponent = Int(floor(log10(magnitude)))
      let mantissa = value / pow(10, Double(exponent))
      let text = abs(mantissa - mantissa.rounded()) < 1e-9 ? String(Int(mantissa.rounded())) : String(format: "%.2g", mantissa)
      return "\(text)e\(exponent)"
    }
    let decimals = step > 0 ? max(0, min(6, Int(ceil(-log10(step) - 1e-9)) + (isHalfStep(step) ? 1 : 0))) : 3
    var text = String(format: "%.\(decimals)f", value)
    // 1 rather than 1.0 beside 0.2: no trailing zeros.
    if text.contains(".") {
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
    }
    return text == "-0" ? "0" : text
  }

  /// Steps like 0.25 or 2.5 need one decimal more than their power of ten suggests.
  private static func isHalfStep(_ step: Double) -> Bool {
    let fraction = step / pow(10, floor(log10(step)))
    return abs(fraction - 2.5) < 1e-9
  }
}
