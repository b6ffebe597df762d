#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The report as one self-contained HTML page: the scores, real-vs-synthetic histograms per
/// column (bars per label for categories) and a heat map of |r_real - r_synthetic| over the
/// numeric columns. Inline SVG and CSS only: no scripts, nothing fetched.
public enum ReportHTML {
  static let realColor = "#3b6fb6", syntheticColor = "#e08a2c"
  /// Bins of a numeric histogram, and most labels drawn for a categorical column.
  static let histogramBins = 20, labelsShown = 20
  /// Most numeric columns in the heat map, and most pairs listed.
  static let heatMapColumns = 40, pairsListed = 50

  public static func page(_ report: QualityReport, realName: String, syntheticName: String) -> String {
    var html = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>Synthetic data report: \(escape(syntheticName))</title>
      <style>
      body { font-family: sans-serif; margin: 2em; color: #222; }
      table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
      .charts { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; } figcaption { font-size: 0.9em; }
      .real { color: \(realColor); } .synthetic { color: \(syntheticColor); }
      </style></head><body>
      <h1>Synthetic data report</h1>
      <p>Real: <code>\(escape(realName))</code> (\(report.realRows) rows). Synthetic: <code>\(escape(syntheticName))</code> (\(report.syntheticRows) rows).</p>
      <table><tr><th>Overall</th><td>\(percent(report.overall))</td></tr>
      <tr><th>Column shapes</th><td>\(percent(report.columnShapes))</td></tr>
      <tr><th>Column pair trends</th><td>\(percent(report.columnPairTrends))</td></tr></table>
      <p>Scored as SDMetrics' QualityReport; \(escape(QualityReport.pairRule)).</p>

      """
    if let target = report.target { html += targetSection(target) }
    html += "<h2>Column shapes</h2>\n<p><span class=\"real\">&#9632; real</span> <span class=\"synthetic\">&#9632; synthetic</span> (share of each table's present values)</p>\n<div class=\"charts\">\n"
    for (column, score) in zip(report.data, report.columns) {
      html += "<figure>\(histogram(column))<figcaption>\(escape(column.name)) (\(column.kind.rawValue)): \(score.metric) \(percent(score.score))</figcaption></figure>\n"
    }
    html += "</div>\n" + heatMap(report.data) + pairTable(report.pairs) + "</body></html>\n"
    return html
  }

  static func targetSection(_ target: TargetScores) -> String {
    let metrics = target.tstr.keys.sorted()
    var rows = "<tr><th>Metric</th><th>TSTR (train synthetic)</th><th>TRTR (train real)</th></tr>"
    for metric in metrics {
      rows += "<tr><td>\(escape(metric))</td><td>\(number(target.tstr[metric]))</td><td>\(number(target.trtr[metric]))</td></tr>"
    }
    return """
      <h2>Predicting '\(escape(target.target))' (\(target.task))</h2>
      <table>\(rows)</table>
      <p>Learner: \(escape(target.learner)). Split: \(escape(target.split)). Rows: \(target.syntheticTrainRows) synthetic and \(target.realTrainRows) real for training, \(target.testRows) real for testing.</p>

      """
  }

  /// Bars of the real and the synthetic share per bin or label.
  static func histogram(_ column: ReportColumn) -> String {
    let (names, real, synthetic) = shares(column)
    let width = 320.0, height = 160.0, top = 10.0, bottom = 30.0
    let tallest = max(real.max() ?? 0, synthetic.max() ?? 0, 1e-12)
    let slot = width / Double(max(names.count, 1))
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
    for i in names.indices {
      for (offset, (share, color)) in [(real[i], realColor), (synthetic[i], syntheticColor)].enumerated() {
        let barHeight = share / tallest * (height - top - bottom)
        svg += "<rect x=\(attribute(Double(i) * slot + Double(offset) * slot / 2)) y=\(attribute(height - bottom - barHeight)) width=\(attribute(slot / 2 * 0.9)) height=\(attribute(barHeight)) fill=\"\(color)\"><title>\(escape(names[i])): \(offset == 0 ? "real" : "synthetic") \(percent(share))</title></rect>"
      }
    }
    svg += "<line x1=\"0\" y1=\(attribute(height - bottom)) x2=\(attribute(width)) y2=\(attribute(height - bottom)) stroke=\"#888\"/>"
    if case .categorical = column.real, names.count <= 10 {
      // Few labels: name every bar pair.
      for (i, name) in names.enumerated() {
        svg += "<text x=\(attribute((Double(i) + 0.5) * slot)) y=\(attribute(height - 10)) font-size=\"9\" text-anchor=\"middle\">\(escape(String(name.prefix(Int(slot / 6)))))</text>"
      }
    } else if let first = names.first, let last = names.last {
      svg += "<text x=\"0\" y=\(attribute(height - 10)) font-size=\"10\">\(escape(String(first.prefix(24))))</text>"
      svg += "<text x=\(attribute(width)) y=\(attribute(height - 10)) font-size=\"10\" text-anchor=\"end\">\(escape(String(last.prefix(24))))</text>"
    }
    return svg + "</svg>"
  }

  /// Bar names and each table's share of its present values per bar: equal-width bins over
  /// both tables' range for numbers, the most frequent real labels (then synthetic-only
  /// ones) for categories.
  static func shares(_ column: ReportColumn) -> (names: [String], real: [Double], synthetic: [Double]) {
    switch (column.real, column.synthetic) {
    case (.numeric(let a), .numeric(let b)):
      let realValues = a.filter { !$0.isNaN }, syntheticValues = b.filter { !$0.isNaN }
      let all = realValues + syntheticValues
      guard let low = all.min(), let high = all.max() else { return ([], [], []) }
      let bins = low == high ? 1 : histogramBins
      func share(_ values: [Double]) -> [Double] {
        var counts = [Double](repeating: 0, count: bins)
        for v in values { counts[min(bins - 1, Int((v - low) / (high - low) * Double(bins)))] += 1 }
        return counts.map { values.isEmpty ? 0 : $0 / Double(values.count) }
      }
      let names = (0..<bins).map { i in shortNumber(low + (high - low) * Double(i) / Double(bins)) }
      return (names, share(realValues), share(syntheticValues))
    case (.categorical(let a), .categorical(let b)):
      let realCounts = ColumnShapes.counts(a), syntheticCounts = ColumnShapes.counts(b)
      let byFrequency = { (counts: [String: Double]) in counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key) }
      let names = Array((byFrequency(realCounts) + byFrequency(syntheticCounts).filter { realCounts[$0] == nil }).prefix(labelsShown))
      let realTotal = max(realCounts.values.reduce(0, +), 1), syntheticTotal = max(syntheticCounts.values.reduce(0, +), 1)
      return (names, names.map { realCounts[$0, default: 0] / realTotal }, names.map { syntheticCounts[$0, default: 0] / syntheticTotal })
    default:
      return ([], [], [])
    }
  }

  /// |r_real - r_synthetic| for every pair of numeric columns, white (0) to red (1 or more).
  static func heatMap(_ data: [ReportColumn]) -> String {
    let numeric = Array(data.filter(\.isNumeric).prefix(heatMapColumns))
    guard numeric.count >= 2 else { return "" }
    let cell = 28.0, margin = 120.0, side = margin + cell * Double(numeric.count)
    var svg = "<h2>Correlation difference</h2>\n<p>|Pearson r (real) - Pearson r (synthetic)| per pair of numeric columns; grey where r is undefined.</p>\n"
    svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\(attribute(side)) height=\(attribute(side)) viewBox=\"0 0 \(Int(side)) \(Int(side))\">"
    for (i, column) in numeric.enumerated() {
      let name = escape(String(column.name.prefix(16)))
      svg += "<text x=\(attribute(margin - 4)) y=\(attribute(margin + cell * (Double(i) + 0.65))) font-size=\"10\" text-anchor=\"end\">\(name)</text>"
      svg += "<text transform=\"translate(\(attribute(margin + cell * (Double(i) + 0.65), quoted: false)),\(attribute(margin - 4, quoted: false))) rotate(-60)\" font-size=\"10\">\(name)</text>"
      for (j, other) in numeric.enumerated() {
        guard case .numeric(let realX) = column.real, case .numeric(let syntheticX) = column.synthetic,
              case .numeric(let realY) = other.real, case .numeric(let syntheticY) = other.synthetic else { continue }
        let difference = PairTrends.pearson(realX, realY).flatMap { r in PairTrends.pearson(syntheticX, syntheticY).map { abs(r - $0) } }
        let fill = difference.map { d -> String in
          let fade = Int((1 - min(d, 1)) * 255)
          return "rgb(255,\(fade),\(fade))"
        } ?? "#ddd"
        let tip = "\(escape(column.name)) / \(escape(other.name)): \(difference.map { shortNumber($0) } ?? "undefined")"
        svg += "<rect x=\(attribute(margin + cell * Double(j))) y=\(attribute(margin + cell * Double(i))) width=\(attribute(cell)) height=\(attribute(cell)) fill=\"\(fill)\" stroke=\"#fff\"><title>\(tip)</title></rect>"
      }
    }
    return svg + "</svg>\n"
  }

  /// The pairs with the lowest scores first.
  static func pairTable(_ pairs: [QualityReport.PairScore]) -> String {
    guard !pairs.isEmpty else { return "" }
    let sorted = pairs.sorted { ($0.comparison.score ?? 2) < ($1.comparison.score ?? 2) }.prefix(pairsListed)
    var html = "<h2>Column pair trends</h2>\n<table><tr><th>Columns</th><th>Metric</th><th>Score</th><th>Counts toward the score</th></tr>"
    for pair in sorted {
      html += "<tr><td>\(escape(pair.first)) / \(escape(pair.second))</td><td>\(pair.comparison.metric)</td><td>\(percent(pair.comparison.score))</td><td>\(pair.comparison.contributes ? "yes" : "no")</td></tr>"
    }
    return html + "</table>\n" + (pairs.count > pairsListed ? "<p>The \(pairsListed) lowest of \(pairs.count) pairs; --json lists them all.</p>\n" : "")
  }

  static func percent(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "n/a" }
    return String(Double(Int((value * 1000).rounded())) / 10) + "%"
  }

  static func number(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "n/a" }
    return shortNumber(value)
  }

  /// A number with about four significant digits, for labels.
  static func shortNumber(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    let magnitude = abs(value)
    if magnitude != 0, magnitude >= 1e6 || magnitude < 1e-3 {
      let exponent = Int(log10(magnitude).rounded(.down))
      let mantissa = value / pow(10, Double(exponent))
      return String(Double(Int((mantissa * 1000).rounded())) / 1000) + "e\(exponent)"
    }
    return String(Double(Int((value * 1000).rounded())) / 1000)
  }

  /// A number as an SVG attribute value (quoted by default).
  static func attribute(_ value: Double, quoted: Bool = true) -> String {
    let text = String(Double(Int((value * 100).rounded())) / 100)
    return quoted ? "\"\(text)\"" : text
  }

  /// Text safe inside HTML elements and attributes.
  static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(character)
      }
    }
    return out
  }
}
