/// Reads a CSV table in two streaming passes over its bytes: the first finds the header, the
/// row count and each column's kind; the second turns every cell into a number.
///
/// Memory: per-column bookkeeping (about 100 bytes a column, at most `CSV.maximumColumns`
/// columns), the category lists, and whatever the caller stores per cell. Nothing grows with
/// the length of a line or a field.
struct CSVTableParser {
  let bytes: UnsafeBufferPointer<UInt8>
  /// For messages.
  let name: String
  /// Names and kinds after the first pass; categories and missing counts after `fill`.
  private(set) var columns: [ColumnInfo]
  /// Whether the first record was taken as a header.
  let hasHeader: Bool
  /// Data records (rows) in the file.
  private(set) var rowCount = 0
  /// Positioned at the first data record.
  private let dataStart: CSVTokenizer

  /// First pass: header, kinds, row count; throws on ragged rows, bad quoting, a column that
  /// mixes numbers and text (unless its kind is given), an empty or header-only file.
  init(bytes: UnsafeBufferPointer<UInt8>, name: String, columnKinds: [String: ColumnKind]) throws {
    self.bytes = bytes
    self.name = name
    var tokenizer = CSVTokenizer(bytes: bytes, name: name)
    let start = tokenizer
    // The first record is a header when some cell is neither a number nor missing.
    var looksLikeHeader = false
    guard let first = try tokenizer.nextRecord({ column, field in
      guard column < CSV.maximumColumns else {
        throw DataError("\(name): line \(field.line) has more than \(CSV.maximumColumns) columns")
      }
      let cell = field.raw(in: bytes)
      if !looksLikeHeader, !CSVCell.isMissing(cell), !CSVCell.isNumber(cell) { looksLikeHeader = true }
    }) else {
      throw DataError("\(name): no data rows (the file is empty)")
    }
    let width = first.fieldCount
    // Back to the first record: read it again as names, or leave it to be read as data.
    tokenizer = start
    var names: [String] = []
    if looksLikeHeader {
      _ = try tokenizer.nextRecord { _, field in names.append(field.text(in: bytes)) }
    } else {
      names = (1...width).map(String.init)
    }
    hasHeader = looksLikeHeader
    dataStart = tokenizer

    var kinds = [ColumnKind?](repeating: nil, count: width)
    for (columnName, kind) in columnKinds {
      let matches = names.indices.filter { names[$0] == columnName }
      guard let index = matches.first else {
        let shown = names.prefix(20).map { "'\(CSVCell.forMessage($0))'" }.joined(separator: ", ") + (names.count > 20 ? ", ..." : "")
        throw DataError("\(name): a kind was given for column '\(CSVCell.forMessage(columnName))', but there is no column by that name (columns: \(shown))")
      }
      guard matches.count == 1 else {
        throw DataError("\(name): a kind was given for column '\(CSVCell.forMessage(columnName))', but \(matches.count) columns have that name")
      }
      kinds[index] = kind
    }

    var evidence = [ColumnEvidence](repeating: ColumnEvidence(), count: width)
    var rows = 0
    while let record = try tokenizer.nextRecord({ column, field in
      guard column < width, kinds[column] == nil else { return }
      if evidence[column].observe(field, in: bytes), let mixed = evidence[column].mixture {
        throw DataError("\(name): line \(mixed.textLine), column \(column + 1): '\(mixed.text)' is not a number, yet column '\(CSVCell.forMessage(names[column]))' holds numbers (line \(mixed.numberLine)); declare the column's kind (categorical, say) to read it anyway")
      }
    }) {
      guard record.fieldCount == width else {
        throw DataError("\(name): line \(record.line) has \(record.fieldCount) columns; expected \(width)")
      }
      rows += 1
    }
    guard rows > 0 else { throw DataError("\(name): no data rows (only the header line)") }
    rowCount = rows
    columns = (0..<width).map { c in
      let kind = kinds[c] ?? evidence[c].kind
      return ColumnInfo(name: names[c], kind: kind, categories: kind == .boolean ? ["false", "true"] : [])
    }
  }

  /// Second pass: hand each cell's value to `store(row * width + column, value)`, filling
  /// category lists and missing counts. Throws when a cell does not fit its column's declared
  /// kind, a number is not finite in float32, or a column has too many categories.
  mutating func fill(_ store: (Int, Double) -> Void) throws {
    var tokenizer = dataStart
    let width = columns.count
    var lookups = [[String: Int]](repeating: [:], count: width)
    var row = 0
    var columns = self.columns
    let kinds = columns.map(\.kind)
    let name = self.name, bytes = self.bytes
    /// The cell, for a message.
    func shown(_ field: CSVField) -> String { CSVCell.forMessage(field.text(in: bytes)) }
    while try tokenizer.nextRecord({ c, field in
      let cell = field.raw(in: bytes)
      /// Where the cell is, for a message (built only on failure).
      func place() -> String { "\(name): line \(field.line), column \(c + 1)" }
      let missing = CSVCell.isMissing(cell)
      if missing { columns[c].missingCount += 1 }
      let value: Double
      switch kinds[c] {
      case .continuous, .integer:
        if missing { value = .nan; break }
        let integer = kinds[c] == .integer
        guard integer ? CSVCell.isInteger(cell) : CSVCell.isNumber(cell) else {
          let expected = integer ? "an integer" : "a number"
          throw DataError("\(place()): '\(shown(field))' is not \(expected) (column '\(CSVCell.forMessage(columns[c].name))' is \(columns[c].kind.rawValue))")
        }
        value = CSVCell.number(cell)
        guard Float(value).isFinite else { throw DataError("\(place()): \(shown(field)) is not a finite number") }
      case .boolean:
        if missing { value = .nan; break }
        if let truth = CSVCell.boolean(cell) {
          value = truth ? 1 : 0
        } else if CSVCell.matches(cell, "0") || CSVCell.matches(cell, "1") {
          value = CSVCell.matches(cell, "1") ? 1 : 0
        } else {
          throw DataError("\(place()): '\(shown(field))' is not a boolean (true/false, yes/no or 1/0)")
        }
      case .datetime:
        if missing { value = .nan; break }
        guard let seconds = ISO8601.seconds(cell) else {
          throw DataError("\(place()): '\(shown(field))' is not an ISO 8601 date or date-time (2024-03-01, 2024-03-01T12:30:00Z)")
        }
        value = seconds
      case .categorical:
        let label = missing ? "" : field.text(in: bytes)
        if let index = lookups[c][label] {
          value = Double(index)
        } else {
          guard columns[c].categories.count < CSV.maximumCategories else {
            throw DataError("\(place()): column '\(CSVCell.forMessage(columns[c].name))' has more than \(CSV.maximumCategories) categories; is it really categorical?")
          }
          lookups[c][label] = columns[c].categories.count
          value = Double(columns[c].categories.count)
          columns[c].categories.append(label)
        }
      }
      store(row * width + c, value)
    }) != nil {
      row += 1
    }
    self.columns = columns
  }
}

/// What the cells of one column seen so far say about its kind.
private struct ColumnEvidence {
  var sawValue = false
  var allIntegers = true
  var allNumbers = true
  var allBooleans = true
  var allDatetimes = true
  /// Line of the first number, 0 while there is none.
  var firstNumberLine = 0
  /// The first non-missing cell that is not a number.
  var firstText: (line: Int, text: String)?

  /// Update with one cell; true when the column now holds both numbers and text.
  mutating func observe(_ field: CSVField, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let cell = field.raw(in: bytes)
    guard !CSVCell.isMissing(cell) else { return false }
    sawValue = true
    let integer = allIntegers && CSVCell.isInteger(cell)
    if integer || CSVCell.isNumber(cell) {
      if firstNumberLine == 0 { firstNumberLine = field.line }
      allIntegers = integer
      allBooleans = false
      allDatetimes = false
    } else {
      allNumbers = false
      allIntegers = false
      if firstText == nil {
        firstText = (field.line, CSVCell.forMessage(field.text(in: bytes)))
      }
      if allBooleans, CSVCell.boolean(cell) == nil { allBooleans = false }
      if allDatetimes, ISO8601.seconds(cell) == nil { allDatetimes = false }
    }
    return firstNumberLine > 0 && firstText != nil
  }

  /// A text cell and a number cell in the same column: the first of each, if both exist.
  var mixture: (text: String, textLine: Int, numberLine: Int)? {
    guard let firstText, firstNumberLine > 0 else { return nil }
    return (firstText.text, firstText.line, firstNumberLine)
  }

  /// The kind the cells agree on: numbers first, then booleans, datetimes, and text as categories.
  /// A column with no values at all is continuous (all NaN).
  var kind: ColumnKind {
    if !sawValue { return .continuous }
    if allIntegers { return .integer }
    if allNumbers { return .continuous }
    if allBooleans { return .boolean }
    if allDatetimes { return .datetime }
    return .categorical
  }
}
