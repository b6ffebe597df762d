/// A named sequence of (x, y) points: one line of a line chart.
public struct Series: Sendable {
  public var name: String
  public var x: [Double]
  public var y: [Double]

  /// Points pair up by position; extra values on either side are ignored.
  public init(name: String, x: [Double], y: [Double]) {
    self.name = name
    self.x = x
    self.y = y
  }
}

/// Lines over a common x axis (losses per epoch), each in its palette colour with a legend
/// entry; the y axis linear or logarithmic. Non-finite points (and non-positive ones on a log
/// axis) break the line rather than bend it.
public struct LineChart: Sendable {
  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [Series]
  public var yScale: AxisScale
  /// Ticks on whole numbers only (epochs).
  public var integerX: Bool
  public var size: ChartSize

  public init(title: String, xLabel: String, yLabel: String, series: [Series], yScale: AxisScale = .linear,
              integerX: Bool = false, size: ChartSize = ChartSize()) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.yScale = yScale
    self.integerX = integerX
    self.size = size
  }

  /// The chart as an SVG document.
  public func svg() -> String {
    let pairs = series.map { zip($0.x, $0.y).filter { $0.0.isFinite && $0.1.isFinite && (yScale == .linear || $0.1 > 0) } }
    let x = Axis.fitted(pairs.flatMap { $0.map(\.0) }, label: xLabel, padding: 0.03, integers: integerX) // markers clear of the frame
    let y = Axis.fitted(pairs.flatMap { $0.map(\.1) }, scale: yScale, label: yLabel, padding: 0.04, expandToTicks: true)
    let frame = PlotFrame(size: size, x: x, y: y, title: title)
    var svg = SVG(width: size.width, height: size.height)
    frame.drawBackground(into: &svg)
    var occupied: [(Double, Double)] = []
    svg.raw("<g class=\"data\">")
    for (index, line) in series.enumerated() {
      // Each run of usable points is one subpath: a gap leaves a gap.
      var path = "", penDown = false, points: [(Double, Double)] = []
      for (vx, vy) in zip(line.x, line.y) {
        guard vx.isFinite, vy.isFinite, let p = frame.point(vx, vy) else { penDown = false; continue }
        path += "\(penDown ? "L" : "M")\(SVG.number(p.0)) \(SVG.number(p.1)) "
        if penDown, let last = points.last { occupied += between(last, p) }
        points.append(p)
        penDown = true
      }
      occupied += points
      svg.element("path", [("class", "series"), ("d", path.isEmpty ? "M0 0" : String(path.dropLast())), ("fill", "none"),
                           ("stroke", Palette.colour(index)), ("stroke-width", "2"), ("stroke-linejoin", "round"),
                           ("data-name", line.name)] + (path.isEmpty ? [("visibility", "hidden")] : []))
      // Markers show single points and where each epoch is, while there are few.
      if points.count <= 60 {
        for p in points {
          svg.element("circle", [("class", "marker"), ("cx", SVG.number(p.0)), ("cy", SVG.number(p.1)), ("r", "3"),
                                 ("fill", Palette.colour(index))])
        }
      }
    }
    svg.raw("</g>")
    let legend = Legend(entries: series.enumerated().map { .init(label: $1.name, colour: Palette.colour($0), swatch: .line(dashed: false)) })
    legend.drawInside(frame, occupied: occupied, into: &svg)
    return svg.render(title: title)
  }
}

/// Points every few pixels between two points, so a legend box does not sit on a line's middle.
func between(_ a: (Double, Double), _ b: (Double, Double), every spacing: Double = 6) -> [(Double, Double)] {
  let distance = ((b.0 - a.0) * (b.0 - a.0) + (b.1 - a.1) * (b.1 - a.1)).squareRoot()
  let steps = min(Int(distance / spacing), 400)
  guard steps > 1 else { return [] }
  return (1..<steps).map { i in
    let t = Double(i) / Double(steps)
    return (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
  }
}
