/// Points coloured by class (a latent space, labelled), with a legend of the classes beside
/// the plot. Rows are drawn in their own order, so no class hides all the others.
public struct ScatterChart: Sendable {
  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var x: [Double]
  public var y: [Double]
  /// One class per point (nil: all one colour, no legend); classes index `classNames`.
  public var classes: [Int]?
  /// Names of classes 0, 1, 2, ... for the legend; classes beyond get their number.
  public var classNames: [String]
  public var size: ChartSize

  public init(title: String, xLabel: String, yLabel: String, x: [Double], y: [Double], classes: [Int]? = nil,
              classNames: [String] = [], size: ChartSize = ChartSize()) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.x = x
    self.y = y
    self.classes = classes
    self.classNames = classNames
    self.size = size
  }

  /// The chart as an SVG document.
  public func svg() -> String {
    let count = min(x.count, y.count, classes?.count ?? .max)
    let rows = (0..<count).filter { x[$0].isFinite && y[$0].isFinite }
    let xAxis = Axis.fitted(rows.map { x[$0] }, label: xLabel, padding: 0.04)
    let yAxis = Axis.fitted(rows.map { y[$0] }, label: yLabel, padding: 0.04)
    let present = Array(Set(rows.compactMap { classes?[$0] })).sorted()
    let legend = Legend(entries: present.map { label in
      .init(label: label >= 0 && label < classNames.count ? classNames[label] : "class \(label)", colour: Palette.colour(label), swatch: .dot)
    })
    let frame = PlotFrame(size: size, x: xAxis, y: yAxis, title: title, reservedRight: legend.entries.isEmpty ? 0 : legend.outsideWidth)
    var svg = SVG(width: size.width, height: size.height)
    frame.drawBackground(into: &svg)
    // A style per class keeps each of thousands of points short.
    let style = present.map { "circle.c\($0){fill:\(Palette.colour($0))}" }.joined()
    svg.raw("<style>circle.point{fill:\(Palette.colour(0));fill-opacity:0.7}\(style)</style>")
    svg.raw("<g class=\"data\">")
    let radius = rows.count > 3000 ? "1.6" : "2.4"
    for row in rows {
      guard let p = frame.point(x[row], y[row]) else { continue }
      let kind = classes.map { "point c\($0[row])" } ?? "point"
      svg.raw("<circle class=\"\(kind)\" cx=\"\(SVG.number(p.0))\" cy=\"\(SVG.number(p.1))\" r=\"\(radius)\"/>")
    }
    svg.raw("</g>")
    legend.drawOutside(frame, into: &svg)
    return svg.render(title: title)
  }
}
