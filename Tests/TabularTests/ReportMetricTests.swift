import Datasets
import Tensor
import Testing
import Tabular

/// Each SDMetrics metric on small examples worked out by hand or by a direct computation.
@Suite struct ReportMetricTests {
  /// The KS statistic straight from its definition: the largest gap between the two empirical
  /// CDFs (share of values <= x) over every value either sample takes.
  func bruteForceKS(_ a: [Double], _ b: [Double]) -> Double {
    let a = a.filter { !$0.isNaN }, b = b.filter { !$0.isNaN }
    return (a + b).map { x in
      abs(Double(a.filter { $0 <= x }.count) / Double(a.count) - Double(b.filter { $0 <= x }.count) / Double(b.count))
    }.max()!
  }

  @Test func ksComplementCountsTiesTogetherAndDropsMissingValues() throws {
    // At 1 the CDFs are 2/3 and 1/3; at 2 both are 1: D = 1/3.
    let score = try #require(ColumnShapes.ksComplement(real: [1, 1, 2, .nan], synthetic: [.nan, 1, 2, 2]))
    #expect(abs(score - 2.0 / 3) < 1e-12)
    var random = SeededRandom(seed: 4)
    for _ in 0..<20 {
      // Few distinct values, so ties are everywhere.
      let a = (0..<30).map { _ in Double(random.next() % 6) }, b = (0..<17).map { _ in Double(random.next() % 8) }
      let ks = try #require(ColumnShapes.ksComplement(real: a, synthetic: b))
      #expect(abs(ks - (1 - bruteForceKS(a, b))) < 1e-12)
    }
    #expect(ColumnShapes.ksComplement(real: [.nan, .nan], synthetic: [1]) == nil)
  }

  @Test func tvComplementComparesLabelFrequenciesWithoutMissingCells() throws {
    // Real (missing dropped): a 2/3, b 1/3, and c, seen only in the synthetic table, 1e-6 times.
    // Synthetic: a 1/4, b 1/2, c 1/4. TV = (5/12 + 1/6 + 1/4) / 2 = 5/12, to within 1e-6.
    let score = try #require(ColumnShapes.tvComplement(real: ["a", "a", "b", nil], synthetic: ["a", "b", "b", "c"]))
    #expect(abs(score - 7.0 / 12) < 1e-6)
    #expect(ColumnShapes.tvComplement(real: ["x", "y"], synthetic: ["y", "x"]) == 1)
    #expect(ColumnShapes.tvComplement(real: [nil], synthetic: ["x"]) == nil)
  }

  @Test func correlationSimilarityComparesPearsonOverCompleteRows() throws {
    // Real: y = 2x (r = 1; the row with a missing y is skipped); synthetic: y falls as x rises (r = -1).
    let opposite = PairTrends.correlationSimilarity(realX: [1, 2, 3, 4, 5], realY: [2, 4, 6, 8, .nan],
                                                    syntheticX: [1, 2, 3, 4], syntheticY: [8, 6, 4, 2])
    #expect(abs(try #require(opposite.score)) < 1e-12)
    #expect(opposite.contributes)
    // r = 0.5 against 0.8: 1 - 0.3 / 2. Real r by hand: x = [1,2,3], y = [1,3,2].
    let r = try #require(PairTrends.pearson([1, 2, 3], [1, 3, 2]))
    #expect(abs(r - 0.5) < 1e-12)
    // A real |r| of 0.5 is not above SDMetrics' threshold, so the pair does not count.
    let weak = PairTrends.correlationSimilarity(realX: [1, 2, 3], realY: [1, 3, 2], syntheticX: [1, 2, 3], syntheticY: [1, 3, 2])
    #expect(weak.score == 1 && !weak.contributes)
    let constant = PairTrends.correlationSimilarity(realX: [1, 1, 1], realY: [1, 2, 3], syntheticX: [1, 2, 3], syntheticY: [1, 2, 3])
    #expect(constant.score == nil && !constant.contributes)
  }

  @Test func numericColumnsAreBinnedAsNumpyDigitizesThem() {
    // Edges 0, 1, ..., 10: a value's bin is the number of edges <= it; the maximum and missing values get 11.
    #expect(PairTrends.bins(of: [0, 5, 10, .nan, 2.5, 9.99]) == [1, 6, 11, 11, 3, 10])
  }

  @Test func contingencySimilarityWithABinnedNumericColumn() throws {
    func column(_ real: [Double], _ synthetic: [Double]) -> ReportColumn {
      ReportColumn(name: "n", kind: .continuous, real: .numeric(real), synthetic: .numeric(synthetic))
    }
    func labels(_ real: [String?], _ synthetic: [String?]) -> ReportColumn {
      ReportColumn(name: "c", kind: .categorical, real: .categorical(real), synthetic: .categorical(synthetic))
    }
    // Real: x always low, y always high (Cramér's V = 1); synthetic: every combination a quarter
    // of the time. Total variation (0.25 * 4) / 2 = 0.5.
    let independent = PairTrends.compare(labels(["x", "x", "y", "y"], ["x", "y", "x", "y"]), column([0, 0, 10, 10], [0, 0, 10, 10]))
    #expect(independent.metric == "ContingencySimilarity")
    #expect(abs(try #require(independent.score) - 0.5) < 1e-12)
    #expect(abs(try #require(independent.realAssociation) - 1) < 1e-12 && independent.contributes)
    // A missing label is a value of its own: replacing it by a label moves half the rows.
    let missing = PairTrends.compare(labels(["x", nil, "x", nil], ["x", "z", "x", "z"]), column([0, 10, 0, 10], [0, 10, 0, 10]))
    #expect(abs(try #require(missing.score) - 0.5) < 1e-12)
    // The same rows in another order, with labels listed in another order: identical.
    let same = PairTrends.compare(labels(["b", "a", "b"], ["a", "b", "b"]), labels(["u", "v", "u"], ["v", "u", "u"]))
    #expect(same.score == 1)
  }

  @Test func cramersVMatchesAHandComputation() throws {
    // Real counts [[20, 10], [5, 15]]: n = 50, row totals 30 and 20, column totals 25 and 25,
    // so expected counts 15, 15, 10, 10 and chi² = 25/15 + 25/15 + 25/10 + 25/10 = 25/3.
    let first: [String?] = Array(repeating: "a", count: 30) + Array(repeating: "b", count: 20)
    let second: [String?] = Array(repeating: "u", count: 20) + Array(repeating: "v", count: 10)
      + Array(repeating: "u", count: 5) + Array(repeating: "v", count: 15)
    let comparison = PairTrends.compare(ReportColumn(name: "f", kind: .categorical, real: .categorical(first), synthetic: .categorical(first)),
                                        ReportColumn(name: "s", kind: .categorical, real: .categorical(second), synthetic: .categorical(second)))
    let v = try #require(comparison.realAssociation)
    #expect(abs(v - (25.0 / 3 / 50).squareRoot()) < 1e-12)
    #expect(comparison.contributes == (v > 0.3))
  }
}
