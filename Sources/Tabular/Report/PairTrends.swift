/// How alike the relationship between two columns is in the real and the synthetic table, as
/// SDMetrics' QualityReport measures it (ColumnPairTrends):
///
/// - two numeric columns: CorrelationSimilarity, 1 - |r_real - r_synthetic| / 2 with Pearson's
///   r over the rows where both cells are present; the pair counts toward the score only when
///   |r_real| > 0.5.
/// - otherwise: ContingencySimilarity, 1 - the total variation distance between the two joint
///   frequency tables, a missing label being a value of its own; a numeric column is first cut
///   into bins (`bins(of:)`). The pair counts only when the real table's Cramér's V > 0.3.
public enum PairTrends {
  /// SDMetrics' QualityReport defaults: weaker real relationships do not count toward the score.
  public static let correlationThreshold = 0.5
  public static let associationThreshold = 0.3

  /// One pair's comparison. `score` is nil when it cannot be computed (a constant column, fewer
  /// than two complete rows); `contributes` says whether it counts toward the average.
  public struct Comparison: Sendable {
    public var metric: String
    public var score: Double?
    public var realCorrelation: Double?
    public var syntheticCorrelation: Double?
    public var realAssociation: Double?
    public var contributes: Bool
  }

  /// Compare columns `first` and `second` (both already read from the two tables).
  public static func compare(_ first: ReportColumn, _ second: ReportColumn) -> Comparison {
    if case .numeric(let realX) = first.real, case .numeric(let syntheticX) = first.synthetic,
       case .numeric(let realY) = second.real, case .numeric(let syntheticY) = second.synthetic {
      return correlationSimilarity(realX: realX, realY: realY, syntheticX: syntheticX, syntheticY: syntheticY)
    }
    let firstCodes = codes(first), secondCodes = codes(second)
    return contingencySimilarity(real: (firstCodes.real, secondCodes.real), synthetic: (firstCodes.synthetic, secondCodes.synthetic))
  }

  /// CorrelationSimilarity. As in SDMetrics, a column constant on either side has no score.
  public static func correlationSimilarity(realX: [Double], realY: [Double], syntheticX: [Double], syntheticY: [Double]) -> Comparison {
    var comparison = Comparison(metric: "CorrelationSimilarity", contributes: false)
    guard ![realX, realY, syntheticX, syntheticY].contains(where: isConstant),
          let real = pearson(realX, realY), let synthetic = pearson(syntheticX, syntheticY) else { return comparison }
    comparison.realCorrelation = real
    comparison.syntheticCorrelation = synthetic
    comparison.score = 1 - abs(real - synthetic) / 2
    comparison.contributes = abs(real) > correlationThreshold
    return comparison
  }

  /// ContingencySimilarity on two tables of (first, second) value codes per row.
  public static func contingencySimilarity(real: ([Int], [Int]), synthetic: ([Int], [Int])) -> Comparison {
    let realCounts = jointCounts(real.0, real.1), syntheticCounts = jointCounts(synthetic.0, synthetic.1)
    let realRows = Double(real.0.count), syntheticRows = Double(synthetic.0.count)
    var comparison = Comparison(metric: "ContingencySimilarity", contributes: false)
    guard realRows > 0, syntheticRows > 0 else { return comparison }
    var distance = 0.0
    for cell in Set(realCounts.keys).union(syntheticCounts.keys).sorted() {
      distance += abs(realCounts[cell, default: 0] / realRows - syntheticCounts[cell, default: 0] / syntheticRows)
    }
    comparison.score = 1 - distance / 2
    comparison.realAssociation = cramersV(realCounts)
    comparison.contributes = (comparison.realAssociation ?? 0) > associationThreshold
    return comparison
  }

  /// Pearson's r over the rows where both values are present; nil with fewer than two such
  /// rows or when one side is constant on them.
  public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
    let rows = x.indices.filter { !x[$0].isNaN && !y[$0].isNaN }
    guard rows.count >= 2 else { return nil }
    let meanX = rows.reduce(0) { $0 + x[$1] } / Double(rows.count)
    let meanY = rows.reduce(0) { $0 + y[$1] } / Double(rows.count)
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for row in rows {
      let dx = x[row] - meanX, dy = y[row] - meanY
      sxy += dx * dy; sxx += dx * dx; syy += dy * dy
    }
    let r = sxy / (sxx.squareRoot() * syy.squareRoot())
    // Zero spread, or sums that overflowed on enormous values: no correlation to report.
    guard sxx > 0, syy > 0, r.isFinite else { return nil }
    return min(1, max(-1, r))
  }

  /// Whether the present values of a column are all equal (SDMetrics refuses such a column).
  static func isConstant(_ values: [Double]) -> Bool {
    guard let first = values.first(where: { !$0.isNaN }) else { return false }
    return values.allSatisfy { $0.isNaN || $0 == first }
  }

  /// A code per row in each table: the bin of a numeric value (`bins(of:)`), or for
  /// categories the label's place in a list shared by both tables (-1 when missing).
  static func codes(_ column: ReportColumn) -> (real: [Int], synthetic: [Int]) {
    var labelCodes: [String: Int] = [:]
    func code(_ values: ReportColumn.Values) -> [Int] {
      switch values {
      case .numeric(let numbers): return bins(of: numbers)
      case .categorical(let labels):
        return labels.map { label in
          guard let label else { return -1 }
          if let known = labelCodes[label] { return known }
          labelCodes[label] = labelCodes.count
          return labelCodes.count - 1
        }
      }
    }
    return (code(column.real), code(column.synthetic))
  }

  /// SDMetrics' discretization of a numeric column for a pair with a categorical one: ten
  /// equal-width bins over this table's own range (numpy's histogram_bin_edges), a value's
  /// bin being the number of edges <= it (numpy's digitize), so the maximum falls in a bin of
  /// its own (11) and missing values join it. Each table is binned over its own range.
  public static func bins(of values: [Double]) -> [Int] {
    let present = values.filter { !$0.isNaN }
    var low = present.min() ?? 0, high = present.max() ?? 1
    if low == high { low -= 0.5; high += 0.5 }
    let step = (high - low) / 10
    var edges = (0...10).map { Double($0) * step + low }
    edges[10] = high
    return values.map { value in value.isNaN ? edges.count : edges.prefix { $0 <= value }.count }
  }

  /// Rows per (first, second) pair of codes.
  static func jointCounts(_ first: [Int], _ second: [Int]) -> [Cell: Double] {
    var counts: [Cell: Double] = [:]
    for row in first.indices { counts[Cell(first: first[row], second: second[row]), default: 0] += 1 }
    return counts
  }

  /// Cramér's V of a contingency table (chi-squared without continuity correction); nil when
  /// either variable takes fewer than two values.
  static func cramersV(_ counts: [Cell: Double]) -> Double? {
    var rowTotals: [Int: Double] = [:], columnTotals: [Int: Double] = [:]
    for (cell, count) in counts {
      rowTotals[cell.first, default: 0] += count
      columnTotals[cell.second, default: 0] += count
    }
    guard rowTotals.count >= 2, columnTotals.count >= 2 else { return nil }
    let total = rowTotals.values.reduce(0, +)
    var chiSquared = 0.0
    for (row, rowTotal) in rowTotals.sorted(by: { $0.key < $1.key }) {
      for (column, columnTotal) in columnTotals.sorted(by: { $0.key < $1.key }) {
        let expected = rowTotal * columnTotal / total, observed = counts[Cell(first: row, second: column), default: 0]
        chiSquared += (observed - expected) * (observed - expected) / expected
      }
    }
    return (chiSquared / total / Double(min(rowTotals.count, columnTotals.count) - 1)).squareRoot()
  }

  /// A cell of a two-way frequency table.
  struct Cell: Hashable, Comparable {
    var first: Int
    var second: Int
    static func < (a: Cell, b: Cell) -> Bool { (a.first, a.second) < (b.first, b.second) }
  }
}
