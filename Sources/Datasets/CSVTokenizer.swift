/// One field of a CSV record: where its text lies in the file's bytes.
struct CSVField {
  /// Byte offsets of the text: inside the quotes for a quoted field, trimmed of spaces and tabs
  /// for an unquoted one.
  var start: Int
  var end: Int
  /// Whether the text holds doubled quotes ("") that stand for one quote each.
  var hasEscapedQuotes: Bool
  /// 1-based line the field starts on.
  var line: Int

  /// The field's bytes as they stand in the file (for classifying cells without copying).
  func raw(in bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(rebasing: bytes[start..<end])
  }

  /// The field's text, with doubled quotes undone (invalid UTF-8 becomes U+FFFD).
  func text(in bytes: UnsafeBufferPointer<UInt8>) -> String {
    let slice = raw(in: bytes)
    guard hasEscapedQuotes else { return String(decoding: slice, as: UTF8.self) }
    var unescaped: [UInt8] = []
    unescaped.reserveCapacity(slice.count)
    var index = 0
    while index < slice.count {
      unescaped.append(slice[index])
      index += slice[index] == .quote ? 2 : 1
    }
    return String(decoding: unescaped, as: UTF8.self)
  }
}

/// Splits CSV bytes into records and fields (RFC 4180), streaming: no field is copied and no
/// record is kept, so memory does not grow with line length or field count.
///
/// Rules: fields are separated by commas and records by CRLF, LF or a lone CR; a field that
/// starts with a quote (after spaces) runs to the matching quote and may hold commas, line
/// breaks and doubled quotes; spaces and tabs around fields are dropped; a line holding only
/// spaces and tabs is skipped. A quote inside an unquoted field is kept as text.
struct CSVTokenizer {
  let bytes: UnsafeBufferPointer<UInt8>
  /// For messages.
  let name: String
  /// Next byte to read.
  private(set) var position: Int
  /// 1-based line of `position`.
  private(set) var line = 1

  init(bytes: UnsafeBufferPointer<UInt8>, name: String) {
    self.bytes = bytes
    self.name = name
    // A UTF-8 byte order mark is not part of the first field.
    position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
  }

  /// Read the next non-blank record, calling `visit(columnIndex, field)` for each field in order.
  /// Returns the line the record starts on and its field count, or nil at the end of the file.
  /// Throws on an unterminated quote or text after a closing quote.
  mutating func nextRecord(_ visit: (Int, CSVField) throws -> Void) throws -> (line: Int, fieldCount: Int)? {
    skipBlankLines()
    guard position < bytes.count else { return nil }
    let startLine = line
    var column = 0
    while true {
      while position < bytes.count, bytes[position] == .space || bytes[position] == .tab { position += 1 }
      let field: CSVField
      if position < bytes.count, bytes[position] == .quote {
        field = try quotedField(column: column)
      } else {
        let start = position
        while position < bytes.count, !bytes[position].endsUnquotedField { position += 1 }
        var end = position
        while end > start, bytes[end - 1] == .space || bytes[end - 1] == .tab { end -= 1 }
        field = CSVField(start: start, end: end, hasEscapedQuotes: false, line: line)
      }
      try visit(column, field)
      column += 1
      guard position < bytes.count, bytes[position] == .comma else { break }
      position += 1
    }
    skipLineBreak()
    return (startLine, column)
  }

  /// A field from its opening quote to its closing quote, and the spaces after it.
  private mutating func quotedField(column: Int) throws -> CSVField {
    let openingLine = line
    position += 1
    let start = position
    var escaped = false
    while true {
      guard position < bytes.count else {
        throw DataError("\(name): line \(openingLine), column \(column + 1): a quoted field starts here and is never closed (a missing \")")
      }
      let byte = bytes[position]
      if byte == .quote {
        if position + 1 < bytes.count, bytes[position + 1] == .quote {
          escaped = true
          position += 2
          continue
        }
        break
      }
      countLineBreak(at: position)
      position += 1
    }
    let field = CSVField(start: start, end: position, hasEscapedQuotes: escaped, line: openingLine)
    position += 1
    while position < bytes.count, bytes[position] == .space || bytes[position] == .tab { position += 1 }
    guard position == bytes.count || bytes[position].endsUnquotedField else {
      throw DataError("\(name): line \(line), column \(column + 1): text after the closing quote of a quoted field (a quote inside one is written twice: \"\")")
    }
    return field
  }

  /// Count a line break at `index`: LF, or a CR not followed by LF (CRLF counts at its LF).
  private mutating func countLineBreak(at index: Int) {
    let byte = bytes[index]
    if byte == .lineFeed || (byte == .carriageReturn && (index + 1 == bytes.count || bytes[index + 1] != .lineFeed)) {
      line += 1
    }
  }

  /// Step over one CRLF, LF or CR at `position`, if there is one.
  private mutating func skipLineBreak() {
    guard position < bytes.count else { return }
    if bytes[position] == .carriageReturn, position + 1 < bytes.count, bytes[position + 1] == .lineFeed { position += 1 }
    if bytes[position] == .lineFeed || bytes[position] == .carriageReturn {
      countLineBreak(at: position)
      position += 1
    }
  }

  /// Step over lines that hold nothing but spaces and tabs.
  private mutating func skipBlankLines() {
    while position < bytes.count {
      var probe = position
      while probe < bytes.count, bytes[probe] == .space || bytes[probe] == .tab { probe += 1 }
      guard probe == bytes.count || bytes[probe] == .lineFeed || bytes[probe] == .carriageReturn else { return }
      position = probe
      if position == bytes.count { return }
      skipLineBreak()
    }
  }
}

extension UInt8 {
  static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
  static let lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")

  /// Whether this byte ends an unquoted field: a comma or a line break.
  var endsUnquotedField: Bool { self == .comma || self == .lineFeed || self == .carriageReturn }
}
