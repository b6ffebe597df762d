/// Writes a table's values as a NumPy .npy file: float64, C order, shape (rows, columns), the
/// raw values as `TableRowSink` receives them (category indexes, Unix seconds, NaN for missing).
/// The shape goes in the header first, so the row count is fixed at the start and `finish()`
/// refuses a file with fewer rows; more rows than that are refused as they arrive.
public struct NPYTableWriter: TableRowSink {
  private let columns: Int
  private let rows: Int
  private let file: OutputFile
  private var rowsWritten = 0

  public init(path: String, columns: Int, rows: Int) throws {
    guard columns > 0, rows >= 0 else {
      throw TabularError("\(path): cannot write an array of \(rows) rows and \(columns) columns; it needs at least one column")
    }
    guard !rows.multipliedReportingOverflow(by: columns).overflow,
          !(rows * columns).multipliedReportingOverflow(by: 8).overflow else {
      throw TabularError("\(path): \(rows) rows of \(columns) columns are too many for one file")
    }
    self.columns = columns
    self.rows = rows
    file = try OutputFile(path: path)
    try file.append(Self.header(rows: rows, columns: columns))
  }

  /// Format 1.0: magic, version, little-endian header length, then the header dictionary padded
  /// with spaces and a newline so the data starts on a 64-byte boundary, as NumPy writes it.
  static func header(rows: Int, columns: Int) -> [UInt8] {
    var dictionary = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
    let unpadded = 10 + dictionary.utf8.count + 1
    dictionary += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    let length = dictionary.utf8.count
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dictionary.utf8)
  }

  public mutating func write(_ values: UnsafeBufferPointer<Double>, rowCount: Int) throws {
    guard rowCount >= 0, values.count / columns >= rowCount else {
      throw TabularError("\(file.path): \(values.count) values cannot hold \(rowCount) rows of \(columns) columns")
    }
    guard rowCount <= rows - rowsWritten else {
      file.abandon()
      throw TabularError("\(file.path): \(rowsWritten + rowCount) rows were written to an array declared to hold \(rows)")
    }
    for i in 0..<rowCount * columns {
      let bits = values[i].bitPattern.littleEndian
      try withUnsafeBytes(of: bits) { try file.append($0) }
    }
    rowsWritten += rowCount
  }

  public mutating func finish() throws {
    guard rowsWritten == rows else {
      file.abandon()
      throw TabularError("\(file.path): only \(rowsWritten) of the \(rows) declared rows were written; the file was not kept")
    }
    try file.finish()
  }

  /// Remove the unfinished file now, rather than when the writer is dropped.
  public func abandon() {
    file.abandon()
  }
}
