import Foundation

/// How an axis places values: evenly, or by their logarithm (losses that fall by decades).
public enum AxisScale: String, CaseIterable, Sendable {
  case linear, log
}

/// One axis of a chart: its range, scale, ticks and label.
struct Axis {
  var low: Double
  var high: Double
  var scale: AxisScale
  var ticks: [Double]
  /// Distance between linear ticks, for their labels' decimals (log ticks label each alone).
  var step: Double
  var label: String

  /// Where `value` sits between `low` (0) and `high` (1), or nil when it has no place on
  /// this axis (not finite, or not positive on a log axis).
  func fraction(_ value: Double) -> Double? {
    guard value.isFinite else { return nil }
    switch scale {
    case .linear:
      return (value - low) / (high - low)
    case .log:
      guard value > 0 else { return nil }
      return (log10(value) - log10(low)) / (log10(high) - log10(low))
    }
  }

  /// A tick's label.
  func tickLabel(_ value: Double) -> String {
    scale == .log ? Ticks.label(value, step: logStep(value)) : Ticks.label(value, step: step)
  }

  /// A log tick's own step: 200 needs no decimals, 0.05 needs two.
  private func logStep(_ value: Double) -> Double {
    let all = ticks.sorted()
    let gaps = zip(all, all.dropFirst()).map { $1 - $0 }.filter { $0 > 0 }
    return min(pow(10, floor(log10(value))), gaps.min() ?? value)
  }

  /// An axis that holds `values` (non-finite ones, and non-positive ones on a log axis, are
  /// left out), and `include` too (a threshold line, say).
  ///
  /// - `padding`: extra room at both ends, as a share of the span (points do not sit on the frame).
  /// - `expandToTicks`: widen the range out to the nearest ticks (a loss axis starts on a label).
  /// - `integers`: ticks on whole numbers only (epochs).
  /// - `fixed`: a range to use as it is (ROC's 0...1).
  static func fitted(
    _ values: [Double], scale: AxisScale = .linear, label: String, padding: Double = 0, expandToTicks: Bool = false,
    integers: Bool = false, include: [Double] = [], fixed: ClosedRange<Double>? = nil
  ) -> Axis {
    let usable = (values + include).filter { $0.isFinite && (scale == .linear || $0 > 0) }
    var low = fixed?.lowerBound ?? usable.min() ?? (scale == .log ? 1 : 0)
    var high = fixed?.upperBound ?? usable.max() ?? (scale == .log ? 10 : 1)
    if high <= low {
      // One value: a range around it.
      if scale == .log {
        low /= 2; high *= 2
      } else {
        let half = integers ? 0.5 : max(abs(low) * 0.1, 0.5)
        low -= half; high += half
      }
    }
    if scale == .log {
      if fixed == nil && padding > 0 {
        let span = log10(high) - log10(low)
        low = pow(10, log10(low) - span * padding)
        high = pow(10, log10(high) + span * padding)
      }
      return Axis(low: low, high: high, scale: .log, ticks: Ticks.logarithmic(low, high), step: 0, label: label)
    }
    if fixed == nil && padding > 0 {
      let span = high - low
      low -= span * padding
      high += span * padding
    }
    let step = Ticks.linearStep(low, high, integers: integers)
    if fixed == nil && expandToTicks {
      low = floor(low / step + 1e-9) * step
      high = ceil(high / step - 1e-9) * step
    }
    return Axis(low: low, high: high, scale: .linear, ticks: Ticks.linear(low, high, step: step), step: step, label: label)
  }
}
