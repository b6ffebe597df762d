import Datasets

/// One column of the report, read from both tables in a form the metrics compare directly:
/// numbers (datetimes as seconds, missing as NaN) or category labels (missing as nil), so the
/// two files' category lists, which differ in order, are compared by label and never by index.
public struct ReportColumn: Sendable {
  /// A column's cells, numeric or categorical.
  public enum Values: Sendable {
    case numeric([Double])
    case categorical([String?])

    var count: Int {
      switch self {
      case .numeric(let values): values.count
      case .categorical(let labels): labels.count
      }
    }
  }

  public let name: String
  /// The kind inferred from the real table (the synthetic table is read with the same kinds).
  public let kind: ColumnKind
  public let real: Values
  public let synthetic: Values

  public init(name: String, kind: ColumnKind, real: Values, synthetic: Values) {
    self.name = name
    self.kind = kind
    self.real = real
    self.synthetic = synthetic
  }

  /// SDMetrics' split: numerical and datetime columns are continuous, the rest discrete.
  public var isNumeric: Bool { !kind.hasCategories }

  /// The report's columns, matched by name: every column of `real` must be in `synthetic`
  /// and the other way round, with the same kinds (read `synthetic` with `real`'s kinds).
  public static func align(real: Table, synthetic: Table) throws -> [ReportColumn] {
    let realNames = Set(real.columnNames)
    if let extra = synthetic.columnNames.first(where: { !realNames.contains($0) }) {
      throw TabularError("\(synthetic.name) has a column '\(extra)' that \(real.name) does not have; give both files the same columns")
    }
    return try real.columns.indices.map { realIndex in
      let column = real.columns[realIndex]
      guard let syntheticIndex = synthetic.columnIndex(named: column.name) else {
        throw TabularError("\(synthetic.name) has no column '\(column.name)', which \(real.name) has; give both files the same columns")
      }
      guard synthetic.columns[syntheticIndex].kind == column.kind else {
        throw TabularError("column '\(column.name)' is \(column.kind.rawValue) in \(real.name) but \(synthetic.columns[syntheticIndex].kind.rawValue) in \(synthetic.name)")
      }
      return ReportColumn(name: column.name, kind: column.kind,
                          real: values(of: real, column: realIndex), synthetic: values(of: synthetic, column: syntheticIndex))
    }
  }

  /// The column's cells: categorical and boolean cells as labels (a missing cell is nil, as
  /// pandas reads it), the other kinds as numbers.
  static func values(of table: Table, column: Int) -> Values {
    let rows = 0..<table.rowCount
    guard table.columns[column].kind.hasCategories else { return .numeric(rows.map { table[$0, column] }) }
    return .categorical(rows.map { row in
      guard let label = table.category(row: row, column: column), !label.isEmpty else { return nil }
      return label
    })
  }
}
