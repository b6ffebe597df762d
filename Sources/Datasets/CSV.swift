import Tensor

/// CSV files (RFC 4180): a table of numbers, booleans, dates and text, with or without a header.
///
/// The rules, in full in docs/DATA.md: the first line is a header when one of its cells is
/// neither a number nor missing; each column's kind is inferred from its cells (integer,
/// continuous, boolean, datetime, else categorical) unless the caller gives it; a column that
/// mixes numbers with text is refused unless its kind is given, since that is usually a typo.
public enum CSV {
  /// Cells read as missing, compared without regard to case: "", "na", "nan", "null".
  public static let missingMarkers = CSVCell.missingMarkers
  /// Most columns a file may have (2^20).
  public static let maximumColumns = 1 << 20
  /// Most distinct categories one column may have (2^20).
  public static let maximumCategories = 1 << 20

  /// Read every row as features, one value per column, and the header (nil when the file has
  /// none). `columnKinds` overrides the inferred kind of the columns it names.
  public static func read(_ path: String, columnKinds: [String: ColumnKind] = [:]) throws -> (dataset: Dataset, header: [String]?) {
    let (dataset, hasHeader) = try parse(bytes: try readDataFile(path), name: path, columnKinds: columnKinds)
    return (dataset, hasHeader ? dataset.metadata.columnNames : nil)
  }

  /// Read a CSV whose column `labelColumn` (named in the header) holds class labels: numbers
  /// 0, 1, ..., or categories (the label is then the category's index). The labels become the
  /// dataset's labels and the other columns its features.
  public static func read(_ path: String, labelColumn: String, columnKinds: [String: ColumnKind] = [:]) throws -> Dataset {
    let (table, header) = try read(path, columnKinds: columnKinds)
    guard header != nil, let columns = table.metadata.columns, let column = columns.firstIndex(where: { $0.name == labelColumn }) else {
      throw DataError("\(path): no column named '\(labelColumn)' in the header")
    }
    let t = table.features, width = t.cols - 1
    guard width > 0 else { throw DataError("\(path): nothing but the label column") }
    let features = Tensor(rows: t.rows, cols: width)
    let missingCategory = columns[column].missingCategoryIndex.map(Float.init)
    var labels: [Int] = []
    for r in 0..<t.rows {
      let value = t[r, column]
      guard value != missingCategory else {
        throw DataError("\(path): row \(r + 1), column '\(labelColumn)': the label is missing")
      }
      guard value >= 0, value == value.rounded(), value < 1e6 else {
        throw DataError("\(path): row \(r + 1), column '\(labelColumn)': \(value) is not a class label (0, 1, 2, ...)")
      }
      labels.append(Int(value))
      var j = 0
      for c in 0..<t.cols where c != column { features[r, j] = t[r, c]; j += 1 }
    }
    var metadata = table.metadata
    metadata.columns?.remove(at: column)
    metadata.shape = [t.rows, width]
    return Dataset(features: features, labels: labels, name: path, metadata: metadata)
  }

  /// Read the file as a table of double-precision values (see `Table`).
  public static func table(_ path: String, columnKinds: [String: ColumnKind] = [:]) throws -> Table {
    try table(bytes: try readDataFile(path), name: path, columnKinds: columnKinds)
  }

  /// Parse CSV bytes already in memory as a table; `name` appears in messages.
  public static func table(bytes: [UInt8], name: String, columnKinds: [String: ColumnKind] = [:]) throws -> Table {
    try bytes.withUnsafeBufferPointer { buffer in
      var parser = try CSVTableParser(bytes: buffer, name: name, columnKinds: columnKinds)
      var values = [Double](repeating: 0, count: parser.rowCount * parser.columns.count)
      try values.withUnsafeMutableBufferPointer { out in try parser.fill { out[$0] = $1 } }
      return Table(name: name, columns: parser.columns, hasHeader: parser.hasHeader, rowCount: parser.rowCount, values: values)
    }
  }

  /// Parse CSV bytes already in memory as float32 features (no double-precision copy is made).
  public static func dataset(bytes: [UInt8], name: String, columnKinds: [String: ColumnKind] = [:]) throws -> Dataset {
    try parse(bytes: bytes, name: name, columnKinds: columnKinds).dataset
  }

  /// The features, and whether the column names came from a header line.
  private static func parse(bytes: [UInt8], name: String, columnKinds: [String: ColumnKind]) throws -> (dataset: Dataset, hasHeader: Bool) {
    try bytes.withUnsafeBufferPointer { buffer in
      var parser = try CSVTableParser(bytes: buffer, name: name, columnKinds: columnKinds)
      let features = Tensor(rows: parser.rowCount, cols: parser.columns.count)
      let data = features.data
      try parser.fill { data[$0] = Float($1) }
      let metadata = DatasetMetadata(columns: parser.columns, shape: [parser.rowCount, parser.columns.count])
      return (Dataset(features: features, name: name, metadata: metadata), parser.hasHeader)
    }
  }
}
