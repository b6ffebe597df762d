import Charts
import Foundation
import Testing
import Training

@Suite struct ChartsTests {
  @Test func lineChartHasASeriesPathAndLegendEntryPerSeriesAndLabelledTicks() {
    let epochs = (1...12).map(Double.init)
    let chart = LineChart(title: "Loss & more <per epoch>", xLabel: "epoch", yLabel: "loss",
                          series: [Series(name: "training", x: epochs, y: epochs.map { 300 / $0 + 200 }),
                                   Series(name: "validation", x: epochs, y: epochs.map { 310 / $0 + 205 })], integerX: true)
    let svg = SVGInspection(chart.svg())
    #expect(svg.all("path", class: "series").count == 2)
    #expect(svg.all("g", class: "legend-entry").count == 2)
    #expect(svg.all("g", class: "legend").first.map { _ in svg.elements.filter { $0.name == "text" && ["training", "validation"].contains($0.text) }.count } == 2)
    #expect(svg.all("circle", class: "marker").count == 24)
    // The escaped title reads back as it was given.
    #expect(svg.texts("title") == ["Loss & more <per epoch>"])
    #expect(svg.all("title").first?.text == "Loss & more <per epoch>")
    let xTicks = svg.all("text", class: "tick-label").filter { $0.classes.contains("x") }.map(\.text), yTicks = svg.all("text", class: "tick-label").filter { $0.classes.contains("y") }
    #expect(xTicks.count >= 4 && xTicks.allSatisfy { Int($0) != nil }, "\(xTicks)")
    #expect(yTicks.count >= 3)
    // The y axis holds every value: its lowest tick at or below the minimum, its highest at or above the maximum.
    let yValues = yTicks.compactMap { Double($0.text) }
    #expect((yValues.min() ?? .infinity) <= 300.0 / 12 + 200 && (yValues.max() ?? 0) >= 310 + 205)
    #expect(svg.texts("axis-label") == ["epoch", "loss"])
    svg.expectCoordinatesInside()
  }

  @Test func logScaleDropsNonPositiveAndNonFiniteValuesAndLabelsDecades() {
    let x = (1...6).map(Double.init)
    let chart = LineChart(title: "t", xLabel: "x", yLabel: "y",
                          series: [Series(name: "falling", x: x, y: [1000, 100, .nan, 1, 0, 0.1])], yScale: .log)
    let svg = SVGInspection(chart.svg())
    let labels = svg.all("text", class: "tick-label").filter { $0.classes.contains("y") }.map(\.text)
    #expect(labels.contains("1") && labels.contains("1000") && labels.contains("0.1"), "\(labels)")
    // The NaN and the 0 break the line: three runs (1000-100, 1, 0.1), three moves.
    let d = svg.all("path", class: "series").first?.attributes["d"] ?? ""
    #expect(d.filter { $0 == "M" }.count == 3, "\(d)")
    #expect(svg.all("circle", class: "marker").count == 4)
    svg.expectCoordinatesInside()
  }

  @Test func scatterColoursByClassWithEscapedClassNames() {
    var x: [Double] = [], y: [Double] = [], classes: [Int] = []
    for i in 0..<300 {
      x.append(Double(i % 17) - 8)
      y.append(Double(i % 23) * 0.01)
      classes.append(i % 3)
    }
    x[5] = .nan // left out, not drawn at 0
    let chart = ScatterChart(title: "codes", xLabel: "code 1", yLabel: "code 2", x: x, y: y, classes: classes,
                             classNames: ["T-shirt/top", "A & B", "<script>"])
    let text = chart.svg()
    let svg = SVGInspection(text)
    #expect(svg.all("circle", class: "point").count == 299)
    #expect(svg.all("g", class: "legend-entry").count == 3)
    let legendTexts = svg.elements.filter { $0.name == "text" && ["T-shirt/top", "A & B", "<script>"].contains($0.text) }
    #expect(legendTexts.count == 3)
    #expect(!text.contains("<script>") && text.contains("&lt;script&gt;") && text.contains("A &amp; B"))
    // Every class has its own colour.
    #expect(Set((0..<3).map { Palette.colour($0) }).count == 3 && Set(Palette.colours).count == 10)
    #expect(svg.all("circle", class: "c2").count == 99) // row 5, of class 2, is NaN
    #expect(svg.all("circle", class: "c1").count == 100)
    svg.expectCoordinatesInside()
  }

  @Test func histogramOverlaysTwoGroupsWithAThresholdLine() {
    var random = SeededGenerator(state: 7)
    let normal = (0..<900).map { _ in Double.random(in: 0...10, using: &random) }
    let anomalies = (0..<100).map { _ in Double.random(in: 8...20, using: &random) } + [500]
    let chart = HistogramChart(title: "scores", xLabel: "score", groups: [HistogramGroup(name: "normal", values: normal),
                                                                          HistogramGroup(name: "anomaly", values: anomalies)],
                               bins: 30, threshold: 9.5, share: true, upperLimit: 20)
    let svg = SVGInspection(chart.svg())
    #expect(svg.all("path", class: "series").count == 2)
    // The fills first, then the outlines over them, so no group's outline hides under another's bars.
    let paths = svg.all("path").compactMap { $0.attributes["class"] }
    #expect(paths == ["fill", "fill", "series", "series"], "\(paths)")
    #expect(svg.all("path", class: "series").allSatisfy { $0.attributes["fill"] == "none" })
    let threshold = svg.all("line", class: "threshold")
    #expect(threshold.count == 1)
    #expect(threshold.first?.attributes["x1"] == threshold.first?.attributes["x2"])
    // The threshold sits between the x ticks around 9.5, in proportion.
    let ticks = svg.all("text", class: "tick-label").filter { $0.classes.contains("x") }
      .compactMap { t in Double(t.text).flatMap { v in Double(t.attributes["x"] ?? "").map { (v, $0) } } }
    let lowTick = ticks.filter { $0.0 <= 9.5 }.max { $0.0 < $1.0 }!, highTick = ticks.filter { $0.0 >= 9.5 }.min { $0.0 < $1.0 }!
    let expected = lowTick.1 + (9.5 - lowTick.0) / (highTick.0 - lowTick.0) * (highTick.1 - lowTick.1)
    #expect(abs((Double(threshold.first?.attributes["x1"] ?? "") ?? 0) - expected) < 0.6)
    #expect(svg.all("g", class: "legend-entry").count == 3) // two groups and the threshold
    #expect(svg.texts("note") == ["the last bin also holds 1 row above 20"])
    #expect(svg.texts("axis-label").contains("share of the group's rows (%)"))
    svg.expectCoordinatesInside()
  }

  /// Where a score histogram's axis stops: at the 99.5th percentile for a few far rows, at 3
  /// interquartile ranges above the upper quartile for a long tail of several per cent (what the
  /// `combined` score gives), and nowhere when the values fit.
  @Test func tailLimitKeepsTheBulkOfTheScoresLegible() {
    let bulk = (0..<1000).map { Double($0 % 100) / 10 } // 0...9.9, quartiles 2.4 and 7.4
    #expect(HistogramChart.tailLimit(bulk) == nil)
    #expect(HistogramChart.tailLimit(Array(bulk.prefix(198)) + [1000]) == nil, "fewer than 200 values")
    // Three far rows: past both the 99.5th percentile and the fence; the lower limit wins.
    let fewFar = bulk + [500, 800, 1000]
    let sortedFew = fewFar.sorted(), q1 = sortedFew[Int(Double(fewFar.count - 1) * 0.25)], q3 = sortedFew[Int(Double(fewFar.count - 1) * 0.75)]
    #expect(HistogramChart.tailLimit(fewFar) == min(sortedFew[Int(Double(fewFar.count - 1) * 0.995)], q3 + 3 * (q3 - q1)))
    // A tail of 5 % from 100 to 10,000: the 99.5th percentile is far out, the fence is not.
    let longTail = bulk + (0..<53).map { 100 * pow(100, Double($0) / 52) }
    let sorted = longTail.sorted(), upper = sorted[Int(Double(longTail.count - 1) * 0.75)], lower = sorted[Int(Double(longTail.count - 1) * 0.25)]
    let limit = HistogramChart.tailLimit(longTail)
    #expect(limit == upper + 3 * (upper - lower) && (limit ?? .infinity) < 30, "\(String(describing: limit))")
    // Ties everywhere (no spread between the quartiles): only the percentile rule (the 99.5th of 303 values is 2).
    #expect(HistogramChart.tailLimit([Double](repeating: 1, count: 300) + [2, 3, 1000]) == 2)
    #expect(HistogramChart.tailLimit([Double](repeating: 1, count: 300) + [.nan, .infinity]) == nil)
  }

  @Test func rocCurveAreaIsTheAUROCOfDetectionMetricsAndShowsInTheLegend() throws {
    // Scores with ties (rounded), anomalies scoring higher on the whole.
    var generator = SeededGenerator(state: 11)
    let truth = (0..<500).map { $0 % 5 == 0 ? 1 : 0 }
    let scores = truth.map { Float(($0 == 1 ? 1.0 : 0.0) + Double.random(in: 0...2, using: &generator)).rounded(.toNearestOrEven) }
    let curve = try #require(ROCCurve(name: "m.h5", scores: scores.map(Double.init), truth: truth))
    let metrics = try #require(DetectionMetrics(scores: scores, truth: truth))
    #expect(abs(curve.area - metrics.auroc) < 1e-12)
    #expect(curve.falsePositiveRate.first == 0 && curve.truePositiveRate.first == 0)
    #expect(curve.falsePositiveRate.last == 1 && curve.truePositiveRate.last == 1)
    let chart = ROCChart(title: "ROC", curves: [curve], operatingPoint: ("threshold", 0.1, 0.6))
    let svg = SVGInspection(chart.svg())
    #expect(svg.all("path", class: "series").count == 1)
    #expect(svg.all("line", class: "chance").count == 1)
    #expect(svg.all("circle", class: "operating-point").count == 1)
    let legend = svg.elements.filter { $0.name == "text" }.map(\.text)
    #expect(legend.contains("m.h5 (AUROC \(String(format: "%.3f", metrics.auroc)))"), "\(legend)")
    #expect(legend.contains("chance (AUROC 0.5)"))
    #expect(svg.all("text", class: "tick-label").filter { $0.classes.contains("x") }.map(\.text) == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
    svg.expectCoordinatesInside()
    #expect(ROCCurve(name: "one class", scores: [1, 2, 3], truth: [0, 0, 0]) == nil)
  }

  @Test func emptyAndDegenerateDataStillMakeWellFormedCharts() {
    let charts = [
      LineChart(title: "", xLabel: "x", yLabel: "y", series: []).svg(),
      LineChart(title: "one", xLabel: "x", yLabel: "y", series: [Series(name: "a", x: [1], y: [5])], integerX: true).svg(),
      LineChart(title: "nan", xLabel: "x", yLabel: "y", series: [Series(name: "a", x: [1, 2], y: [.nan, .infinity])], yScale: .log).svg(),
      ScatterChart(title: "none", xLabel: "x", yLabel: "y", x: [], y: []).svg(),
      ScatterChart(title: "same", xLabel: "x", yLabel: "y", x: [3, 3], y: [3, 3]).svg(),
      HistogramChart(title: "empty", xLabel: "s", groups: [HistogramGroup(name: "a", values: [])], threshold: .nan).svg(),
      HistogramChart(title: "flat", xLabel: "s", groups: [HistogramGroup(name: "a", values: [2, 2, 2])], threshold: 2).svg(),
    ]
    for chart in charts {
      let svg = SVGInspection(chart)
      #expect(svg.parsed)
      let bad = svg.coordinates.filter { !$0.0.isFinite }
      #expect(bad.isEmpty, "\(chart)")
    }
  }
}

/// SplitMix64: the same numbers every run, so a failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
