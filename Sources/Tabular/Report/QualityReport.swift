import Datasets

/// How closely a synthetic table follows a real one, scored as SDMetrics' single-table
/// QualityReport scores it: column shapes (mean over columns of `ColumnShapes`), column pair
/// trends (mean over the contributing pairs of `PairTrends`) and their mean, the overall score.
/// A score that cannot be computed is nil and left out of its mean, as SDMetrics leaves NaN.
public struct QualityReport: Sendable {
  /// Every pair of columns is compared, so the column count is bounded to keep that quick.
  public static let maximumColumns = 500

  public struct ColumnScore: Sendable {
    public var column: String
    public var kind: ColumnKind
    public var metric: String
    public var score: Double?
  }

  public struct PairScore: Sendable {
    public var first: String
    public var second: String
    public var comparison: PairTrends.Comparison
  }

  public var realRows: Int
  public var syntheticRows: Int
  public var columns: [ColumnScore]
  public var pairs: [PairScore]
  public var target: TargetScores?
  /// The columns as compared, for pictures of them (`ReportHTML`).
  public var data: [ReportColumn]

  /// Compare `synthetic` with `real` (read `synthetic` with `real`'s column kinds); with a
  /// `target` column, also score TSTR and TRTR on it.
  public init(real: Table, synthetic: Table, target: String? = nil) throws {
    guard real.columns.count <= Self.maximumColumns else {
      throw TabularError("\(real.name) has \(real.columns.count) columns; the report compares every pair of columns and takes at most \(Self.maximumColumns)")
    }
    let data = try ReportColumn.align(real: real, synthetic: synthetic)
    self.data = data
    realRows = real.rowCount
    syntheticRows = synthetic.rowCount
    columns = data.map { column in
      switch (column.real, column.synthetic) {
      case (.numeric(let a), .numeric(let b)):
        ColumnScore(column: column.name, kind: column.kind, metric: "KSComplement", score: ColumnShapes.ksComplement(real: a, synthetic: b))
      case (.categorical(let a), .categorical(let b)):
        ColumnScore(column: column.name, kind: column.kind, metric: "TVComplement", score: ColumnShapes.tvComplement(real: a, synthetic: b))
      default:
        preconditionFailure("QualityReport: aligned columns differ in kind")
      }
    }
    var pairs: [PairScore] = []
    for i in data.indices {
      for j in data.indices where j > i {
        pairs.append(PairScore(first: data[i].name, second: data[j].name, comparison: PairTrends.compare(data[i], data[j])))
      }
    }
    self.pairs = pairs
    self.target = try target.map { try TargetScores(columns: data, target: $0) }
  }

  /// Mean of the column scores that could be computed.
  public var columnShapes: Double? { Self.mean(columns.compactMap(\.score)) }
  /// Mean of the scores of the pairs whose real relationship is strong enough to count.
  public var columnPairTrends: Double? { Self.mean(pairs.filter(\.comparison.contributes).compactMap(\.comparison.score)) }
  /// Mean of the two property scores (either alone when the other is absent).
  public var overall: Double? { Self.mean([columnShapes, columnPairTrends].compactMap { $0 }) }

  static func mean(_ values: [Double]) -> Double? {
    values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
  }
}
