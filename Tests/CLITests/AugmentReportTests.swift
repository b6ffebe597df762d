import Foundation
import Testing

/// `ae augment report` as a user runs it: JSON fields, the HTML page, and bad input.
@Suite(.serialized) struct AugmentReportTests {
  let cli = CLITests()
  var directory: String { cli.directory }

  /// A small table: a number, another that follows it, a label, a flag. `labels` orders the
  /// label's first appearances, so two files can list their categories differently.
  func writeCSV(_ name: String, rows: Int, seed: Int, labels: [String] = ["small", "large"]) throws -> String {
    var text = "width,height,size,ok\n"
    for i in 0..<rows {
      let width = Double((i * 37 + seed * 11) % 100) / 10
      let height = 2 * width + Double((i * 13 + seed) % 7) / 10
      text += "\(width),\(height),\(labels[(i + seed) % 2 == 0 ? 0 : 1]),\(i % 3 == 0 ? "yes" : "no")\n"
    }
    let path = directory + "/" + name
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  func write(_ name: String, _ text: String) throws -> String {
    let path = directory + "/" + name
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func jsonHasTheScoresAndTheHTMLPageIsWritten() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let real = try writeCSV("real.csv", rows: 120, seed: 1), synthetic = try writeCSV("synth.csv", rows: 90, seed: 2, labels: ["large", "small"])
    let run = try cli.ae("augment", "report", real, synthetic, "--target", "size", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    for key in ["overall", "column_shapes", "column_pair_trends"] {
      let score = try #require(report[key] as? Double, "\(key) missing")
      #expect(score >= 0 && score <= 1)
    }
    let columns = try #require(report["columns"] as? [[String: Any]])
    #expect(columns.map { $0["column"] as? String } == ["width", "height", "size", "ok"])
    #expect(columns.map { $0["metric"] as? String } == ["KSComplement", "KSComplement", "TVComplement", "TVComplement"])
    let pairs = try #require(report["pairs"] as? [[String: Any]])
    #expect(pairs.count == 6 && pairs[0]["metric"] as? String == "CorrelationSimilarity")
    let target = try #require(report["target"] as? [String: Any])
    #expect(target["task"] as? String == "classification")
    #expect((target["tstr"] as? [String: Double])?["accuracy"] != nil && (target["trtr"] as? [String: Double])?["macro_f1"] != nil)
    let page = try String(contentsOfFile: directory + "/synth.report.html", encoding: .utf8)
    #expect(page.contains("<svg") && !page.contains("<script"))
    #expect(run.stderr.contains("synth.report.html"))
  }

  @Test func plainOutputIsATableAndHTMLCanBeMovedOrSkipped() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let real = try writeCSV("real.csv", rows: 50, seed: 1), synthetic = try writeCSV("synth.csv", rows: 50, seed: 3)
    let moved = try cli.ae("augment", "report", real, synthetic, "--html", directory + "/page.html")
    #expect(moved.status == 0 && moved.stdout.contains("column shapes") && moved.stdout.contains("TVComplement"))
    #expect(FileManager.default.fileExists(atPath: directory + "/page.html"))
    #expect(!FileManager.default.fileExists(atPath: directory + "/synth.report.html"))
    let skipped = try cli.ae("augment", "report", real, synthetic, "--no-html")
    #expect(skipped.status == 0 && !FileManager.default.fileExists(atPath: directory + "/synth.report.html"))
  }

  @Test func badInputGivesOneClearError() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let real = try writeCSV("real.csv", rows: 20, seed: 1)
    let renamed = try write("renamed.csv", "width,height,kind,ok\n1,2,a,yes\n")
    cli.expectFailure(try cli.ae("augment", "report", real, renamed, "--no-html"), mentioning: ["renamed.csv", "'size'"])
    let extra = try write("extra.csv", "width,height,size,ok,more\n1,2,a,yes,3\n")
    cli.expectFailure(try cli.ae("augment", "report", real, extra, "--no-html"), mentioning: ["extra.csv", "'more'"])
    let headerOnly = try write("header.csv", "width,height,size,ok\n")
    cli.expectFailure(try cli.ae("augment", "report", real, headerOnly, "--no-html"), mentioning: ["header.csv", "no data rows"])
    cli.expectFailure(try cli.ae("augment", "report", directory + "/absent.csv", real, "--no-html"), mentioning: ["absent.csv", "No such file"])
    cli.expectFailure(try cli.ae("augment", "report", real, real, "--target", "colour", "--no-html"), mentioning: ["--target colour", "no column"])
    let text = try write("text.csv", "width,height,size,ok\nwide,2,a,yes\n")
    cli.expectFailure(try cli.ae("augment", "report", real, text, "--no-html"), mentioning: ["text.csv", "'wide'"])
    cli.expectUsageError(try cli.ae("augment", "report", real, real, "--html", directory + "/p.html", "--no-html"), mentioning: ["--no-html"])
    cli.expectUsageError(try cli.ae("augment", "report", real, real, "--html", directory), mentioning: ["directory"])
    #expect(!FileManager.default.fileExists(atPath: directory + "/p.html"))
  }
}
