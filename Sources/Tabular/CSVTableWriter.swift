import Datasets

/// Writes a table as CSV that `CSV.table` reads back to the same values: a header line of the
/// column names, then one line per row.
///
/// Cells by kind: integer as a whole number ("42"); continuous rounded to the column's
/// `decimals` without trailing zeros ("0.23", "1"), or else in the shortest form that reads back
/// exactly; categorical as its label; boolean as "false"/"true" (or the column's two labels);
/// datetime as ISO 8601 UTC ("2024-05-01T12:00:00Z", or "2024-05-01" for a whole day). NaN, and
/// the missing category "", give an empty cell. Text holding a comma, quote, CR or LF, or with
/// spaces or tabs at either end, is quoted (RFC 4180). A label spelled like a missing marker
/// (NA, null, ...) reads back as missing, quoted or not; that is the reader's rule.
public struct CSVTableWriter: TableRowSink {
  private let columns: [ColumnInfo]
  private let decimals: [Int?]
  private let file: OutputFile
  /// Rows written so far, for messages.
  private var rowsWritten = 0

  /// Starts the file (under a temporary name) with the header line. `decimals[c]`, when given,
  /// is the number of decimal places of continuous column c (0...15).
  public init(path: String, columns: [ColumnInfo], decimals: [Int?]) throws {
    guard !columns.isEmpty else { throw TabularError("\(path): a table needs at least one column to be written") }
    guard decimals.count == columns.count else {
      throw TabularError("\(path): \(decimals.count) decimal settings were given for \(columns.count) columns")
    }
    if let bad = decimals.firstIndex(where: { $0.map { !(0...15).contains($0) } ?? false }) {
      throw TabularError("\(path): column '\(columns[bad].name)' asks for \(decimals[bad]!) decimal places; give 0 to 15")
    }
    self.columns = columns
    self.decimals = decimals
    file = try OutputFile(path: path)
    try writeLine(columns.map(\.name))
  }

  public mutating func write(_ values: UnsafeBufferPointer<Double>, rowCount: Int) throws {
    let width = columns.count
    guard rowCount >= 0, values.count / width >= rowCount else {
      throw TabularError("\(file.path): \(values.count) values cannot hold \(rowCount) rows of \(width) columns")
    }
    var cells = [String](repeating: "", count: width)
    do {
      for row in 0..<rowCount {
        for c in 0..<width { cells[c] = try cell(values[row * width + c], column: c, row: rowsWritten + 1) }
        try writeLine(cells)
        rowsWritten += 1
      }
    } catch {
      file.abandon() // a table with a bad cell is not worth keeping
      throw error
    }
  }

  public mutating func finish() throws {
    try file.finish()
  }

  /// Remove the unfinished file now, rather than when the writer is dropped.
  public func abandon() {
    file.abandon()
  }

  /// One line of cells, quoted as needed. A line of one empty cell is written as "" so the
  /// reader does not skip it as blank.
  private func writeLine(_ cells: [String]) throws {
    if cells.count == 1, cells[0].isEmpty {
      try file.append("\"\"\n".utf8)
      return
    }
    for (c, text) in cells.enumerated() {
      if c > 0 { try file.append(UInt8(ascii: ",")) }
      try append(text)
    }
    try file.append(UInt8(ascii: "\n"))
  }

  /// The text of one cell, RFC 4180-quoted when the reader would otherwise split or trim it.
  private func append(_ text: String) throws {
    let utf8 = text.utf8
    let needsQuotes = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 13 || $0 == 10 }
      || [UInt8(ascii: " "), UInt8(ascii: "\t")].contains { utf8.first == $0 || utf8.last == $0 }
    guard needsQuotes else { return try file.append(utf8) }
    try file.append(UInt8(ascii: "\""))
    for byte in utf8 {
      if byte == UInt8(ascii: "\"") { try file.append(byte) }
      try file.append(byte)
    }
    try file.append(UInt8(ascii: "\""))
  }

  /// The cell text for `value` in column `c` ("" for missing).
  private func cell(_ value: Double, column c: Int, row: Int) throws -> String {
    guard !value.isNaN else { return "" }
    let column = columns[c]
    func problem(_ what: String) -> TabularError {
      TabularError("\(file.path): row \(row), column '\(column.name)': \(what)")
    }
    switch column.kind {
    case .continuous, .integer:
      guard value.isFinite else { throw problem("the value \(value) is not a finite number") }
      if column.kind == .integer { return Self.wholeNumber(value) }
      if let places = decimals[c] { return Self.number(value, decimals: places) }
      return Self.shortest(value)
    case .categorical, .boolean:
      let labels = column.kind == .boolean && column.categories.count != 2 ? ["false", "true"] : column.categories
      guard value >= 0, value < Double(labels.count), value == value.rounded() else {
        throw problem("\(value) is not the index of one of its \(labels.count) categories")
      }
      return labels[Int(value)]
    case .datetime:
      guard let text = ISO8601Text.text(seconds: value) else {
        throw problem("\(value) seconds since 1970 is not a date in the years 0000 to 9999")
      }
      return text
    }
  }

  /// A whole number without ".0"; beyond Int64, the shortest form ("1e+300").
  static func wholeNumber(_ value: Double) -> String {
    let rounded = value.rounded()
    guard abs(rounded) < 9.2e18 else { return shortest(rounded) }
    return String(Int64(rounded))
  }

  /// `value` rounded to `decimals` places, trailing zeros dropped ("0.23", "1", "-0.5"). Values
  /// too large for that to be exact in Int64 arithmetic have no digits at those places worth
  /// rounding and get the shortest form.
  static func number(_ value: Double, decimals: Int) -> String {
    var power: Int64 = 1
    for _ in 0..<decimals { power *= 10 }
    let scaled = (value * Double(power)).rounded()
    guard abs(scaled) < 9e15 else { return shortest(value) }
    let units = Int64(abs(scaled))
    var text = (scaled < 0 ? "-" : "") + String(units / power)
    var fraction = units % power
    guard fraction != 0 else { return text }
    var digits = decimals
    while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
    let fractionText = String(fraction)
    text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    return text
  }

  /// The shortest text that reads back as exactly `value`, without a trailing ".0" ("1", "0.1", "1e-05").
  static func shortest(_ value: Double) -> String {
    if value == 0 { return "0" }
    let text = value.description
    return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
  }
}
