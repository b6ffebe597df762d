import ArgumentParser
import Datasets
import Foundation
import Tabular
import Tensor

/// `ae augment report`: how closely a synthetic table follows the real one, scored as
/// SDMetrics' QualityReport, optionally with TSTR/TRTR on a target column, plus an HTML page.
struct AugmentReport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Score a synthetic CSV against the real one (SDMetrics' quality scores) and draw an HTML report.",
    discussion: """
      Column shapes: KSComplement (numeric, datetime) or TVComplement (categorical, boolean) per \
      column. Column pair trends: correlation similarity (two numeric columns) or contingency \
      similarity (otherwise, numbers cut into 10 bins). Overall: their mean. Column kinds are \
      inferred from REAL; columns are matched by name. With --target, a model trained on the \
      synthetic rows (TSTR) and one trained on 80% of the real rows (TRTR) are tested on the \
      other 20% of the real rows.
      """)

  @Argument(help: ArgumentHelp("The real table.", valueName: "real.csv")) var real: String
  @Argument(help: ArgumentHelp("The synthetic table, with the same columns.", valueName: "synth.csv")) var synthetic: String
  @Option(help: ArgumentHelp("A column to predict: TSTR and TRTR scores.", valueName: "column")) var target: String?
  @Flag(help: "Print one JSON object instead of a table.") var json = false
  @Option(help: ArgumentHelp("Where to write the HTML page (default: SYNTH.report.html beside the synthetic file).", valueName: "file"))
  var html: String?
  @Flag(help: "Write no HTML page.") var noHtml = false

  /// The synthetic file's name with its .csv suffix replaced by .report.html.
  var htmlPath: String? {
    if noHtml { return nil }
    if let html { return html }
    let base = synthetic.hasSuffix(".csv") ? String(synthetic.dropLast(4)) : synthetic
    return base + ".report.html"
  }

  func validate() throws {
    if noHtml, html != nil { throw ValidationError("--html and --no-html do not go together; give one") }
    if let target, target.isEmpty { throw ValidationError("--target needs a column name") }
    if let htmlPath { try checkOutput(htmlPath, option: html == nil ? "" : "--html", formats: nil) }
  }

  func run() throws {
    let realTable = try CSV.table(real)
    let kinds = Dictionary(realTable.columns.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
    guard kinds.count == realTable.columns.count else {
      throw CommandError("\(real): two columns have the same name; give every column its own name")
    }
    let syntheticTable = try Self.readSynthetic(synthetic, kinds: kinds, realName: real)
    if let target, realTable.columnIndex(named: target) == nil {
      throw CommandError("--target \(target): \(real) has no column by that name (columns: \(realTable.columnNames.prefix(20).joined(separator: ", ")))")
    }
    let report = try QualityReport(real: realTable, synthetic: syntheticTable, target: target)
    if json {
      print(report.json(realName: real, syntheticName: synthetic))
    } else {
      print(Self.summary(report))
    }
    if let htmlPath {
      let page = ReportHTML.page(report, realName: real, syntheticName: synthetic)
      try writeAtomically(to: htmlPath) { temporary in
        do {
          try Data(page.utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
          throw CommandError("\(htmlPath): cannot write the file: \(error.localizedDescription)")
        }
      }
      FileHandle.standardError.write(Data("wrote \(htmlPath)\n".utf8))
    }
  }

  /// SYNTH read with REAL's column kinds. When that fails, a column REAL has and SYNTH lacks
  /// is the likeliest cause, so it is named in the report's own words.
  static func readSynthetic(_ path: String, kinds: [String: ColumnKind], realName: String) throws -> Table {
    do {
      return try CSV.table(path, columnKinds: kinds)
    } catch {
      if let header = try? CSV.table(path).columnNames, let missing = kinds.keys.sorted().first(where: { !header.contains($0) }) {
        throw CommandError("\(path) has no column '\(missing)', which \(realName) has; give both files the same columns")
      }
      throw error
    }
  }

  /// A short table for people: the three scores, each column's score and the target block.
  static func summary(_ report: QualityReport) -> String {
    func percent(_ value: Double?) -> String { value.map { String(format: "%6.2f%%", $0 * 100) } ?? "    n/a" }
    var lines = ["overall             \(percent(report.overall))",
                 "column shapes       \(percent(report.columnShapes))",
                 "column pair trends  \(percent(report.columnPairTrends))  (\(report.pairs.filter(\.comparison.contributes).count) of \(report.pairs.count) pairs count)",
                 "", "column                        kind         metric        score"]
    for column in report.columns {
      let name = column.column.count > 28 ? String(column.column.prefix(27)) + "…" : column.column
      lines.append(name.padding(toLength: 30, withPad: " ", startingAt: 0) + column.kind.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
                   + column.metric.padding(toLength: 13, withPad: " ", startingAt: 0) + percent(column.score))
    }
    if let target = report.target {
      lines += ["", "target '\(target.target)' (\(target.task)): \(target.learner)", "  \(target.split)"]
      for metric in target.tstr.keys.sorted() {
        lines.append("  \(metric.padding(toLength: 10, withPad: " ", startingAt: 0)) TSTR \(String(format: "%.4f", target.tstr[metric]!))  TRTR \(target.trtr[metric].map { String(format: "%.4f", $0) } ?? "n/a")")
      }
    }
    return lines.joined(separator: "\n")
  }
}
