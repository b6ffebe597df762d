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
  /// Per categorical or boolean column, each category's cell as written (quoted if need be).
  private let labels: [[[UInt8]]]
  private let file: OutputFile
  /// Rows written so far, for messages.
  private var rowsWritten = 0
  /// The line being formatted, reused from row to row.
  private var line: [UInt8] = []

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
    labels = columns.map { column in
      switch column.kind {
      case .boolean: (column.categories.count == 2 ? column.categories : ["false", "true"]).map(Self.quoted)
      case .categorical: column.categories.map(Self.quoted)
      default: []
      }
    }
    file = try OutputFile(path: path)
    for (c, column) in columns.enumerated() {
      if c > 0 { line.append(UInt8(ascii: ",")) }
      line += Self.quoted(column.name)
    }
    try endLine()
  }

  public mutating func write(_ values: UnsafeBufferPointer<Double>, rowCount: Int) throws {
    let width = columns.count
    guard rowCount >= 0, values.count / width >= rowCount else {
      throw TabularError("\(file.path): \(values.count) values cannot hold \(rowCount) rows of \(width) columns")
    }
    do {
      for row in 0..<rowCount {
        for c in 0..<width {
          if c > 0 { line.append(UInt8(ascii: ",")) }
          try appendCell(values[row * width + c], column: c)
        }
        try endLine()
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

  /// Hand the line to the file. A line of nothing (one empty cell) is written as "" so the
  /// reader does not skip it as blank.
  private mutating func endLine() throws {
    if line.isEmpty { line = Array("\"\"".utf8) }
    line.append(UInt8(ascii: "\n"))
    try file.append(line)
    line.removeAll(keepingCapacity: true)
  }

  /// The text's bytes, RFC 4180-quoted when the reader would otherwise split or trim it.
  static func quoted(_ text: String) -> [UInt8] {
    let utf8 = Array(text.utf8)
    let special: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "\""), 13, 10]
    let padded = [UInt8(ascii: " "), UInt8(ascii: "\t")].contains { utf8.first == $0 || utf8.last == $0 }
    guard padded || utf8.contains(where: special.contains) else { return utf8 }
    var quoted = [UInt8(ascii: "\"")]
    for byte in utf8 {
      if byte == UInt8(ascii: "\"") { quoted.append(byte) }
      quoted.append(byte)
    }
    quoted.append(UInt8(ascii: "\""))
    return quoted
  }

  /// Append the cell for `value` in column `c` (nothing for missing) to the line.
  private mutating func appendCell(_ value: Double, column c: Int) throws {
    guard !value.isNaN else { return }
    let column = columns[c]
    func problem(_ what: String) -> TabularError {
      TabularError("\(file.path): row \(rowsWritten + 1), column '\(column.name)': \(what)")
    }
    switch column.kind {
    case .continuous, .integer:
      guard value.isFinite else { throw problem("the value \(value) is not a finite number") }
      if column.kind == .integer {
        Self.appendWholeNumber(value, to: &line)
      } else if let places = decimals[c] {
        Self.appendNumber(value, decimals: places, to: &line)
      } else {
        Self.appendShortest(value, to: &line)
      }
    case .categorical, .boolean:
      let labels = labels[c]
      guard value >= 0, value < Double(labels.count), value == value.rounded() else {
        throw problem("\(value) is not the index of one of its \(labels.count) categories")
      }
      line += labels[Int(value)]
    case .datetime:
      guard ISO8601Text.append(seconds: value, to: &line) else {
        throw problem("\(value) seconds since 1970 is not a date in the years 0000 to 9999")
      }
    }
  }

  /// A whole number without ".0"; beyond Int64, the shortest form ("1e+300").
  static func appendWholeNumber(_ value: Double, to text: inout [UInt8]) {
    let rounded = value.rounded()
    guard abs(rounded) < 9.2e18 else { return appendShortest(rounded, to: &text) }
    text += String(Int64(rounded)).utf8
  }

  /// `value` rounded to `decimals` places, trailing zeros dropped ("0.23", "1", "-0.5"). Values
  /// too large for that to be exact in Int64 arithmetic have no digits at those places worth
  /// rounding and get the shortest form.
  static func appendNumber(_ value: Double, decimals: Int, to text: inout [UInt8]) {
    var power: Int64 = 1
    for _ in 0..<decimals { power *= 10 }
    let scaled = (value * Double(power)).rounded()
    guard abs(scaled) < 9e15 else { return appendShortest(value, to: &text) }
    let units = Int64(abs(scaled))
    if scaled < 0 { text.append(UInt8(ascii: "-")) }
    text += String(units / power).utf8
    var fraction = units % power, digits = decimals
    guard fraction != 0 else { return }
    while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
    text.append(UInt8(ascii: "."))
    ISO8601Text.appendDigits(fraction, digits, to: &text)
  }

  /// The shortest text that reads back as exactly `value`, without a trailing ".0" ("1", "0.1", "1e-05").
  static func appendShortest(_ value: Double, to text: inout [UInt8]) {
    if value == 0 { return text.append(UInt8(ascii: "0")) }
    let description = value.description
    text += (description.hasSuffix(".0") ? description.dropLast(2) : Substring(description)).utf8
  }
}
