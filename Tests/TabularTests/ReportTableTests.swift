import Datasets
import Tensor
import Testing
import Tabular

/// Whole reports on generated tables: identical tables, shuffled columns, TSTR, bad input.
@Suite struct ReportTableTests {
  /// `rows` rows: x, y = 2x + noise, a label that follows x, a flag, and a date.
  func csv(rows: Int, seed: UInt64, labels: [String] = ["low", "high"]) -> String {
    var random = SeededRandom(seed: seed)
    var text = "x,y,size,flag,day\n"
    for _ in 0..<rows {
      let x = random.uniform(-1, 1), noise = random.uniform(-0.2, 0.2)
      let day = 1 + Int(random.next() % 28)
      text += "\(x),\(2 * x + noise),\(x > 0 ? labels[1] : labels[0]),\(random.next() % 2 == 0),2024-03-\(day < 10 ? "0" : "")\(day)\n"
    }
    return text
  }

  func table(_ text: String, name: String = "t.csv", kinds: [String: ColumnKind] = [:]) throws -> Table {
    try CSV.table(bytes: Array(text.utf8), name: name, columnKinds: kinds)
  }

  /// The table with every column's values put in their own random order.
  func shuffledColumns(_ table: Table, seed: UInt64) -> Table {
    var random = SeededRandom(seed: seed)
    var shuffled = table
    for column in table.columns.indices {
      var order = Array(0..<table.rowCount)
      order.shuffle(using: &random)
      for row in 0..<table.rowCount { shuffled.values[row * table.columns.count + column] = table[order[row], column] }
    }
    return shuffled
  }

  @Test func identicalTablesScoreOne() throws {
    let real = try table(csv(rows: 200, seed: 1))
    let report = try QualityReport(real: real, synthetic: real)
    #expect(report.columns.map(\.metric) == ["KSComplement", "KSComplement", "TVComplement", "TVComplement", "KSComplement"])
    #expect(report.columns.allSatisfy { $0.score == 1 })
    #expect(report.pairs.count == 10)
    #expect(report.overall == 1 && report.columnShapes == 1 && report.columnPairTrends == 1)
  }

  @Test func categoriesAreMatchedByLabelNotByIndex() throws {
    // The synthetic file lists "high" first, so its category indexes are the other way round.
    let text = "x,size\n1,low\n2,high\n3,low\n"
    let real = try table(text), synthetic = try table("x,size\n2,high\n1,low\n3,low\n", kinds: ["x": .integer, "size": .categorical])
    #expect(real.columns[1].categories != synthetic.columns[1].categories)
    let report = try QualityReport(real: real, synthetic: synthetic)
    #expect(report.columns[1].score == 1 && report.pairs[0].comparison.score == 1)
  }

  @Test func shufflingColumnsKeepsShapesButBreaksPairTrends() throws {
    let real = try table(csv(rows: 400, seed: 2))
    let report = try QualityReport(real: real, synthetic: shuffledColumns(real, seed: 9))
    #expect(report.columnShapes == 1)
    let trends = try #require(report.columnPairTrends)
    // x, y and size are strongly related in the real table and unrelated after shuffling.
    #expect(trends < 0.8, "pair trends \(trends)")
  }

  @Test func aColumnMissingFromEitherSideIsNamed() throws {
    let real = try table("a,b\n1,2\n", name: "real.csv"), synthetic = try table("a,c\n1,2\n", name: "synth.csv")
    #expect(throws: TabularError.self) { try QualityReport(real: real, synthetic: synthetic) }
    do {
      _ = try QualityReport(real: real, synthetic: synthetic)
    } catch {
      #expect("\(error)".contains("'c'") && "\(error)".contains("synth.csv"))
    }
    #expect(throws: TabularError.self) { try QualityReport(real: real, synthetic: real, target: "nope") }
  }

  @Test func tstrOnASeparableProblemScoresHigh() throws {
    let real = try table(csv(rows: 400, seed: 3)), synthetic = try table(csv(rows: 300, seed: 4))
    let classes = try #require(try QualityReport(real: real, synthetic: synthetic, target: "size").target)
    #expect(classes.task == "classification" && classes.testRows == 80 && classes.realTrainRows == 320)
    #expect(try #require(classes.tstr["accuracy"]) > 0.95 && #require(classes.trtr["accuracy"]) > 0.95)
    #expect(try #require(classes.tstr["macro_f1"]) > 0.95)
    // y = 2x + noise with |noise| <= 0.2: R² well above 0.9.
    let values = try #require(try QualityReport(real: real, synthetic: synthetic, target: "y").target)
    #expect(values.task == "regression")
    #expect(try #require(values.tstr["r2"]) > 0.9 && #require(values.trtr["r2"]) > 0.9)
    // Trained on the wrong labels, the synthetic model must do badly: the scores can fail.
    let flipped = try table(csv(rows: 300, seed: 4, labels: ["high", "low"]))
    let wrong = try #require(try QualityReport(real: real, synthetic: flipped, target: "size").target)
    #expect(try #require(wrong.tstr["accuracy"]) < 0.1)
  }

  @Test func macroF1CountsEveryTrueOrPredictedLabel() {
    // a: precision 1/2, recall 1 → F1 2/3; b: 0 hits → 0; c: predicted once, never true → 0.
    let scores = TargetScores.classificationScores(truth: ["a", "b", "b"], predicted: ["a", "a", "c"])
    #expect(abs(scores["accuracy"]! - 1.0 / 3) < 1e-12)
    #expect(abs(scores["macro_f1"]! - 2.0 / 9) < 1e-12)
  }
}
