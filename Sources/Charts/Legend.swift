/// A chart's key: a swatch and a label per series, drawn in the corner of the plot area that
/// covers the fewest data points, or beside the plot when there are many entries.
struct Legend {
  enum Swatch {
    case line(dashed: Bool)
    case dot
    case box
  }

  struct Entry {
    var label: String
    var colour: String
    var swatch: Swatch
  }

  var entries: [Entry]

  var boxWidth: Double {
    Double(entries.map(\.label.count).max() ?? 0) * PlotFrame.characterWidth + 40
  }

  var boxHeight: Double { Double(entries.count) * 18 + 10 }

  /// Pixels to keep free on the right for a legend beside the plot.
  var outsideWidth: Double { boxWidth + 12 }

  /// Draw inside the plot area, in the corner with the fewest of `occupied` (pixel points the
  /// data covers) under it.
  func drawInside(_ frame: PlotFrame, occupied: [(Double, Double)], into svg: inout SVG) {
    guard !entries.isEmpty else { return }
    let inset = 8.0
    let corners = [
      (frame.right - inset - boxWidth, frame.top + inset), (frame.left + inset, frame.top + inset),
      (frame.right - inset - boxWidth, frame.bottom - inset - boxHeight), (frame.left + inset, frame.bottom - inset - boxHeight),
    ]
    let covered = corners.map { corner in
      occupied.filter { $0.0 >= corner.0 && $0.0 <= corner.0 + boxWidth && $0.1 >= corner.1 && $0.1 <= corner.1 + boxHeight }.count
    }
    let best = covered.indices.min { covered[$0] < covered[$1] } ?? 0
    draw(at: corners[best], into: &svg)
  }

  /// Draw beside the plot area, on the right (reserve `outsideWidth` in the frame).
  func drawOutside(_ frame: PlotFrame, into svg: inout SVG) {
    guard !entries.isEmpty else { return }
    draw(at: (frame.right + 12, frame.top), into: &svg)
  }

  private func draw(at corner: (Double, Double), into svg: inout SVG) {
    svg.raw("<g class=\"legend\" font-size=\"12\">")
    svg.element("rect", [("x", SVG.number(corner.0)), ("y", SVG.number(corner.1)), ("width", SVG.number(boxWidth)),
                         ("height", SVG.number(boxHeight)), ("fill", "#ffffff"), ("fill-opacity", "0.9"), ("stroke", "#bbbbbb")])
    for (i, entry) in entries.enumerated() {
      let middle = corner.1 + 14 + Double(i) * 18
      let swatchLeft = corner.0 + 8
      svg.raw("<g class=\"legend-entry\">")
      switch entry.swatch {
      case .line(let dashed):
        svg.element("line", [("x1", SVG.number(swatchLeft)), ("y1", SVG.number(middle)), ("x2", SVG.number(swatchLeft + 20)),
                             ("y2", SVG.number(middle)), ("stroke", entry.colour), ("stroke-width", "2.5")]
                    + (dashed ? [("stroke-dasharray", "5 3")] : []))
      case .dot:
        svg.element("circle", [("cx", SVG.number(swatchLeft + 10)), ("cy", SVG.number(middle)), ("r", "4.5"), ("fill", entry.colour)])
      case .box:
        svg.element("rect", [("x", SVG.number(swatchLeft + 2)), ("y", SVG.number(middle - 6)), ("width", "16"), ("height", "12"),
                             ("fill", entry.colour), ("fill-opacity", "0.55"), ("stroke", entry.colour)])
      }
      svg.element("text", [("x", SVG.number(swatchLeft + 28)), ("y", SVG.number(middle + 4)), ("fill", "#222222")], text: entry.label)
      svg.raw("</g>")
    }
    svg.raw("</g>")
  }
}
