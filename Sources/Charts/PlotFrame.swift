import Foundation

/// The frame every chart draws in: the plot area inside the margins, its two axes, and the
/// mapping from data values to pixels. Draws the title, grid, ticks and axis labels.
struct PlotFrame {
  let size: ChartSize
  let x: Axis
  let y: Axis
  let title: String
  /// The plot area's edges, in pixels from the top left.
  let left: Double, right: Double, top: Double, bottom: Double

  /// Pixels per character of 12 px text (DejaVu Sans, the widest of the usual fonts).
  static let characterWidth = 7.0

  /// A frame of `size`, with `reservedRight` pixels kept free on the right (an outside legend).
  init(size: ChartSize, x: Axis, y: Axis, title: String, reservedRight: Double = 0) {
    self.size = size
    self.x = x
    self.y = y
    self.title = title
    let widestTick = y.ticks.map { y.tickLabel($0).count }.max() ?? 1
    left = max(58, Double(widestTick) * PlotFrame.characterWidth + 36)
    right = Double(size.width) - 20 - reservedRight
    top = title.isEmpty ? 16 : 46
    bottom = Double(size.height) - 54
  }

  var plotWidth: Double { right - left }
  var plotHeight: Double { bottom - top }

  /// The pixel column of `value` on the x axis, or nil when it has none.
  func px(_ value: Double) -> Double? { x.fraction(value).map { left + $0 * plotWidth } }
  /// The pixel row of `value` on the y axis (up is larger), or nil when it has none.
  func py(_ value: Double) -> Double? { y.fraction(value).map { bottom - $0 * plotHeight } }

  /// A point's pixels, clamped into the plot area (a line to a point just outside the range
  /// stays on the frame rather than leaving the picture).
  func point(_ vx: Double, _ vy: Double) -> (Double, Double)? {
    guard let a = px(vx), let b = py(vy) else { return nil }
    return (min(max(a, left), right), min(max(b, top), bottom))
  }

  /// 16 px, or smaller for a long title, so it fits the picture's width (bold DejaVu Sans
  /// averages about 0.66 em a character).
  var titleFontSize: Double {
    min(16, max(9, (Double(size.width) - 24) / (Double(title.count) * 0.66)))
  }

  /// Title, grid lines, the frame, tick marks and labels, and both axis labels.
  func drawBackground(into svg: inout SVG) {
    if !title.isEmpty {
      svg.element("text", [("class", "title"), ("x", SVG.number(Double(size.width) / 2)), ("y", "28"), ("text-anchor", "middle"),
                           ("font-size", SVG.number(titleFontSize)), ("font-weight", "bold"), ("fill", "#222222")], text: title)
    }
    svg.raw("<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">")
    for tick in x.ticks { if let a = px(tick) { svg.element("line", line(a, top, a, bottom)) } }
    for tick in y.ticks { if let b = py(tick) { svg.element("line", line(left, b, right, b)) } }
    svg.raw("</g>")
    svg.element("rect", [("class", "frame"), ("x", SVG.number(left)), ("y", SVG.number(top)), ("width", SVG.number(plotWidth)),
                         ("height", SVG.number(plotHeight)), ("fill", "none"), ("stroke", "#555555"), ("stroke-width", "1")])
    svg.raw("<g class=\"ticks\" font-size=\"12\" fill=\"#333333\">")
    for tick in x.ticks {
      guard let a = px(tick) else { continue }
      svg.element("line", line(a, bottom, a, bottom + 5) + [("stroke", "#555555")])
      svg.element("text", [("class", "tick-label x"), ("x", SVG.number(a)), ("y", SVG.number(bottom + 19)), ("text-anchor", "middle")],
                  text: x.tickLabel(tick))
    }
    for tick in y.ticks {
      guard let b = py(tick) else { continue }
      svg.element("line", line(left - 5, b, left, b) + [("stroke", "#555555")])
      svg.element("text", [("class", "tick-label y"), ("x", SVG.number(left - 8)), ("y", SVG.number(b + 4)), ("text-anchor", "end")],
                  text: y.tickLabel(tick))
    }
    svg.raw("</g>")
    svg.element("text", [("class", "axis-label x"), ("x", SVG.number((left + right) / 2)), ("y", SVG.number(Double(size.height) - 14)),
                         ("text-anchor", "middle"), ("font-size", "13"), ("fill", "#222222")], text: x.label)
    let middle = (top + bottom) / 2
    svg.element("text", [("class", "axis-label y"), ("x", "18"), ("y", SVG.number(middle)), ("text-anchor", "middle"),
                         ("font-size", "13"), ("fill", "#222222"), ("transform", "rotate(-90 18 \(SVG.number(middle)))")], text: y.label)
  }

  /// A line element's coordinates.
  func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> [(String, String)] {
    [("x1", SVG.number(x1)), ("y1", SVG.number(y1)), ("x2", SVG.number(x2)), ("y2", SVG.number(y2))]
  }
}

/// A chart's size in pixels (its viewBox).
public struct ChartSize: Equatable, Sendable {
  public var width: Int
  public var height: Int

  public init(width: Int = 640, height: Int = 420) {
    self.width = max(width, 240)
    self.height = max(height, 180)
  }
}
