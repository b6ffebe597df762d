/// A receiver operating characteristic: the true positive rate against the false positive
/// rate as the threshold falls from the highest score to the lowest.
public struct ROCCurve: Sendable {
  public var name: String
  public var falsePositiveRate: [Double]
  public var truePositiveRate: [Double]

  /// The curve of `scores` against `truth` (nonzero: an anomaly, the positive class); tied
  /// scores make one diagonal step, as scikit-learn's `roc_curve`. Nil unless both classes
  /// occur. Points along a straight run are dropped (the picture is the same, the file smaller).
  public init?(name: String, scores: [Double], truth: [Int]) {
    let count = min(scores.count, truth.count)
    let rows = (0..<count).filter { !scores[$0].isNaN }
    let positives = rows.filter { truth[$0] != 0 }.count, negatives = rows.count - positives
    guard positives > 0, negatives > 0 else { return nil }
    let order = rows.sorted { scores[$0] > scores[$1] }
    var fpr = [0.0], tpr = [0.0]
    var truePositives = 0, falsePositives = 0, i = 0
    while i < order.count {
      var j = i
      while j < order.count && scores[order[j]] == scores[order[i]] {
        if truth[order[j]] != 0 { truePositives += 1 } else { falsePositives += 1 }
        j += 1
      }
      let point = (Double(falsePositives) / Double(negatives), Double(truePositives) / Double(positives))
      // Drop the previous point when it lies on the straight line to this one.
      if fpr.count >= 2 {
        let (ax, ay) = (fpr[fpr.count - 2], tpr[tpr.count - 2]), (bx, by) = (fpr[fpr.count - 1], tpr[tpr.count - 1])
        if abs((bx - ax) * (point.1 - ay) - (by - ay) * (point.0 - ax)) < 1e-12 {
          fpr.removeLast()
          tpr.removeLast()
        }
      }
      fpr.append(point.0)
      tpr.append(point.1)
      i = j
    }
    self.name = name
    falsePositiveRate = fpr
    truePositiveRate = tpr
  }

  /// The area under the curve (trapezoids): the AUROC.
  public var area: Double {
    var sum = 0.0
    let count = min(falsePositiveRate.count, truePositiveRate.count)
    guard count >= 2 else { return 0 }
    for i in 1..<count {
      let width = falsePositiveRate[i] - falsePositiveRate[i - 1]
      sum += width * (truePositiveRate[i] + truePositiveRate[i - 1]) / 2
    }
    return sum
  }
}

/// ROC curves on the unit square, with the diagonal of guessing, each curve's AUROC in the
/// legend, and optionally an operating point (where a stored threshold sits on the curve).
public struct ROCChart: Sendable {
  public var title: String
  public var curves: [ROCCurve]
  /// A marked point: its legend label and (false positive rate, true positive rate).
  public var operatingPoint: (label: String, falsePositiveRate: Double, truePositiveRate: Double)?
  public var size: ChartSize

  public init(title: String, curves: [ROCCurve],
              operatingPoint: (label: String, falsePositiveRate: Double, truePositiveRate: Double)? = nil,
              size: ChartSize = ChartSize()) {
    self.title = title
    self.curves = curves
    self.operatingPoint = operatingPoint
    self.size = size
  }

  /// The chart as an SVG document.
  public func svg() -> String {
    let x = Axis.fitted([], label: "false positive rate (normal rows flagged)", fixed: 0...1)
    let y = Axis.fitted([], label: "true positive rate (anomalies found)", fixed: 0...1)
    let frame = PlotFrame(size: size, x: x, y: y, title: title)
    var svg = SVG(width: size.width, height: size.height)
    frame.drawBackground(into: &svg)
    var occupied: [(Double, Double)] = []
    svg.raw("<g class=\"data\">")
    if let a = frame.point(0, 0), let b = frame.point(1, 1) {
      svg.element("line", [("class", "chance")] + frame.line(a.0, a.1, b.0, b.1)
                  + [("stroke", "#999999"), ("stroke-width", "1.5"), ("stroke-dasharray", "5 4")])
      occupied += between(a, b)
    }
    for (index, curve) in curves.enumerated() {
      var path = "", last: (Double, Double)?
      for (fx, ty) in zip(curve.falsePositiveRate, curve.truePositiveRate) {
        guard let p = frame.point(fx, ty) else { continue }
        path += "\(last == nil ? "M" : "L")\(SVG.number(p.0)) \(SVG.number(p.1)) "
        if let last { occupied += [p] + between(last, p) }
        last = p
      }
      svg.element("path", [("class", "series"), ("d", path.isEmpty ? "M0 0" : String(path.dropLast())), ("fill", "none"),
                           ("stroke", Palette.colour(index)), ("stroke-width", "2.2"), ("data-name", curve.name)])
    }
    var entries = curves.enumerated().map {
      Legend.Entry(label: "\($1.name) (AUROC \(String(format: "%.3f", $1.area)))", colour: Palette.colour($0), swatch: .line(dashed: false))
    }
    entries.append(.init(label: "chance (AUROC 0.5)", colour: "#999999", swatch: .line(dashed: true)))
    if let point = operatingPoint, let p = frame.point(point.falsePositiveRate, point.truePositiveRate) {
      svg.element("circle", [("class", "operating-point"), ("cx", SVG.number(p.0)), ("cy", SVG.number(p.1)), ("r", "5"),
                             ("fill", "#222222")])
      entries.append(.init(label: point.label, colour: "#222222", swatch: .dot))
      occupied.append(p)
    }
    svg.raw("</g>")
    Legend(entries: entries).drawInside(frame, occupied: occupied, into: &svg)
    return svg.render(title: title)
  }
}
