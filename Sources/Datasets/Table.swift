import Tensor

/// A table as a CSV file holds it: named columns of known kinds and one value per cell, in
/// double precision (so Unix seconds and large integers keep every digit, which float32
/// features do not). For tools that work on raw rows, such as augmentation.
///
/// Values follow the column's kind (see `ColumnKind`): numbers as they are, categorical and
/// boolean cells as indexes into `categories`, datetimes as Unix seconds; missing cells are NaN
/// except in categorical columns, where they are the category "".
public struct Table: Sendable {
  /// Where the table came from, for messages.
  public var name: String
  /// Name, kind, categories and missing count of each column, in file order.
  public var columns: [ColumnInfo]
  /// Whether the file had a header line (otherwise columns are named "1", "2", ...).
  public var hasHeader: Bool
  /// Number of data rows.
  public var rowCount: Int
  /// rowCount x columns.count values, row by row.
  public var values: [Double]

  /// A table; `values` must hold `rowCount * columns.count` numbers, row by row.
  public init(name: String, columns: [ColumnInfo], hasHeader: Bool = true, rowCount: Int, values: [Double]) {
    precondition(values.count == rowCount * columns.count,
                 "Table: \(values.count) values for \(rowCount) rows of \(columns.count) columns")
    self.name = name
    self.columns = columns
    self.hasHeader = hasHeader
    self.rowCount = rowCount
    self.values = values
  }

  /// The column names, in order.
  public var columnNames: [String] { columns.map(\.name) }
  /// The column kinds, in order.
  public var kinds: [ColumnKind] { columns.map(\.kind) }

  /// The value at (row, column).
  public subscript(row: Int, column: Int) -> Double { values[row * columns.count + column] }

  /// Index of the first column named `name`.
  public func columnIndex(named name: String) -> Int? { columns.firstIndex { $0.name == name } }

  /// The category a categorical or boolean cell holds ("" for a missing categorical cell), or
  /// nil for other kinds and missing boolean cells.
  public func category(row: Int, column: Int) -> String? {
    let value = self[row, column], categories = columns[column].categories
    guard columns[column].kind.hasCategories, value >= 0, value < Double(categories.count) else { return nil }
    return categories[Int(value)]
  }

  /// The table as a dataset: float32 features, one per column, with the columns as metadata.
  public func dataset() -> Dataset {
    let features = Tensor(rows: rowCount, cols: columns.count)
    for i in 0..<values.count { features.data[i] = Float(values[i]) }
    return Dataset(features: features, name: name, metadata: DatasetMetadata(columns: columns, shape: [rowCount, columns.count]))
  }
}
