import Foundation

/// Values of one group (normal rows, anomalies) for a histogram.
public struct HistogramGroup: Sendable {
  public var name: String
  public var values: [Double]

  public init(name: String, values: [Double]) {
    self.name = name
    self.values = values
  }
}

/// Histograms of one or more groups over shared bins, overlaid in translucent colours, with an
/// optional vertical threshold line (anomaly scores and the model's threshold).
public struct HistogramChart: Sendable {
  public var title: String
  public var xLabel: String
  public var groups: [HistogramGroup]
  public var bins: Int
  public var threshold: Double?
  public var thresholdLabel: String
  /// Each group's bars as a percentage of its own rows (groups of very different sizes stay
  /// comparable), instead of counts.
  public var share: Bool
  /// Values above this go into the last bin, and a note says how many (a long tail would
  /// otherwise squeeze every other bar into a few pixels).
  public var upperLimit: Double?
  public var size: ChartSize

  public init(title: String, xLabel: String, groups: [HistogramGroup], bins: Int = 40, threshold: Double? = nil,
              thresholdLabel: String = "threshold", share: Bool = false, upperLimit: Double? = nil, size: ChartSize = ChartSize()) {
    self.title = title
    self.xLabel = xLabel
    self.groups = groups
    self.bins = bins
    self.threshold = threshold
    self.thresholdLabel = thresholdLabel
    self.share = share
    self.upperLimit = upperLimit
    self.size = size
  }

  /// The chart as an SVG document.
  public func svg() -> String {
    let bins = min(max(self.bins, 1), 1000)
    let finite = groups.map { $0.values.filter(\.isFinite) }
    let all = finite.flatMap { $0 }
    let limit = upperLimit.flatMap { $0.isFinite ? $0 : nil }
    var low = all.min() ?? 0, high = min(all.max() ?? 1, limit ?? .infinity)
    if let threshold, threshold.isFinite { low = min(low, threshold); high = max(high, threshold) }
    if high <= low { low -= 0.5; high += 0.5 }
    let width = (high - low) / Double(bins)
    // Counts per group and bin; values past the limit land in the last bin.
    let heights = finite.map { values -> [Double] in
      var counts = [Double](repeating: 0, count: bins)
      for value in values { counts[min(max(Int((value - low) / width), 0), bins - 1)] += 1 }
      return share && !values.isEmpty ? counts.map { 100 * $0 / Double(values.count) } : counts
    }
    let x = Axis.fitted([low, high], label: xLabel)
    let y = Axis.fitted(heights.flatMap { $0 } + [0], label: share ? "share of the group's rows (%)" : "rows",
                        expandToTicks: true, integers: !share)
    let frame = PlotFrame(size: size, x: x, y: y, title: title)
    var svg = SVG(width: size.width, height: size.height)
    frame.drawBackground(into: &svg)
    var occupied: [(Double, Double)] = []
    svg.raw("<g class=\"data\">")
    // Every group's translucent fill first, then every outline over all the fills, so a group's
    // outline stays sharp where a later group's bars cover it (normal rows above the threshold,
    // under the anomalies' bars).
    var outlines: [(path: String, colour: String, name: String)] = []
    for (index, group) in groups.enumerated() {
      let colour = Palette.colour(index == 1 ? 3 : index) // blue, then red: normal against anomalous
      guard let base = frame.py(0) else { continue }
      var path = "M\(SVG.number(frame.px(low) ?? frame.left)) \(SVG.number(base))"
      for bin in 0..<bins {
        guard let a = frame.px(low + Double(bin) * width), let b = frame.px(low + Double(bin + 1) * width),
              let top = frame.py(heights[index][bin]) else { continue }
        path += " L\(SVG.number(a)) \(SVG.number(top)) L\(SVG.number(b)) \(SVG.number(top))"
        if heights[index][bin] > 0 {
          occupied += stride(from: top, through: base, by: 8).map { ((a + b) / 2, $0) }
        }
      }
      path += " L\(SVG.number(frame.px(high) ?? frame.right)) \(SVG.number(base)) Z"
      svg.element("path", [("class", "fill"), ("d", path), ("fill", colour), ("fill-opacity", "0.45"), ("stroke", "none")])
      outlines.append((path, colour, group.name))
    }
    for outline in outlines {
      svg.element("path", [("class", "series"), ("d", outline.path), ("fill", "none"), ("stroke", outline.colour),
                           ("stroke-width", "1.5"), ("data-name", outline.name)])
    }
    var entries = groups.enumerated().map { Legend.Entry(label: $1.name, colour: Palette.colour($0 == 1 ? 3 : $0), swatch: .box) }
    if let threshold, threshold.isFinite, let at = frame.px(threshold) {
      svg.element("line", [("class", "threshold")] + frame.line(at, frame.top, at, frame.bottom)
                  + [("stroke", "#222222"), ("stroke-width", "2"), ("stroke-dasharray", "6 4")])
      occupied += stride(from: frame.top, through: frame.bottom, by: 8).map { (at, $0) }
      entries.append(.init(label: "\(thresholdLabel) \(compact(threshold))", colour: "#222222", swatch: .line(dashed: true)))
    }
    svg.raw("</g>")
    if let limit {
      let above = all.filter { $0 > limit }.count
      if above > 0 {
        svg.element("text", [("class", "note"), ("x", SVG.number(frame.right)), ("y", SVG.number(frame.top - 6)), ("text-anchor", "end"),
                             ("font-size", "11"), ("fill", "#555555")],
                    text: "the last bin also holds \(above) row\(above == 1 ? "" : "s") above \(compact(limit))")
      }
    }
    Legend(entries: entries).drawInside(frame, occupied: occupied, into: &svg)
    return svg.render(title: title)
  }
}

extension HistogramChart {
  /// Where a long right tail starts, for `upperLimit`: nil when an axis to the largest value
  /// keeps the bulk of the values legible. Two rules, the lower limit winning when both apply:
  /// the 99.5th percentile, when the last 0.5 % of values would stretch the axis by more than a
  /// quarter; and 3 interquartile ranges above the upper quartile (Tukey's far-out fence), when
  /// the values past it would stretch the axis by more than a quarter (a tail of several per cent
  /// reaching a hundred times the median, as the `combined` score gives the rows most unlike
  /// the training rows, would otherwise squeeze everything else into one bin). Fewer than 200
  /// finite values: nil.
  public static func tailLimit(_ values: [Double]) -> Double? {
    let sorted = values.filter(\.isFinite).sorted()
    guard sorted.count >= 200, let low = sorted.first, let high = sorted.last else { return nil }
    func quantile(_ q: Double) -> Double { sorted[Int(Double(sorted.count - 1) * q)] }
    var limits: [Double] = []
    let percentile = quantile(0.995)
    if high - percentile > 0.25 * (percentile - low) { limits.append(percentile) }
    let upperQuartile = quantile(0.75), spread = upperQuartile - quantile(0.25)
    let fence = upperQuartile + 3 * spread
    if spread > 0, high - fence > 0.25 * (fence - low) { limits.append(fence) }
    return limits.min()
  }
}

/// A figure in four significant digits, for labels.
func compact(_ value: Double) -> String {
  String(format: "%.4g", value)
}
