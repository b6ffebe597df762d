#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a CSV cell's text reads, checked on its bytes without copying them.
enum CSVCell {
  /// Cells that mean "no value", compared without regard to case: the empty cell, NA, NaN, null.
  static let missingMarkers = ["", "na", "nan", "null"]

  /// Whether the cell is one of `missingMarkers`.
  static func isMissing(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
    switch cell.count {
    case 0: return true
    case 2: return matches(cell, "na")
    case 3: return matches(cell, "nan")
    case 4: return matches(cell, "null")
    default: return false
    }
  }

  /// `[+-]digits`: a whole number as written, so "0"/"1" columns read as integers.
  static func isInteger(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    if index < cell.count, cell[index] == UInt8(ascii: "+") || cell[index] == UInt8(ascii: "-") { index += 1 }
    guard index < cell.count else { return false }
    return cell[index...].allSatisfy(\.isDigit)
  }

  /// A decimal number: `[+-](digits[.digits] | .digits)[(e|E)[+-]digits]`, or inf/infinity
  /// (refused later as not finite, with a clearer message than "not a number").
  static func isNumber(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    if index < cell.count, cell[index] == UInt8(ascii: "+") || cell[index] == UInt8(ascii: "-") { index += 1 }
    let unsigned = UnsafeBufferPointer(rebasing: cell[index...])
    if matches(unsigned, "inf") || matches(unsigned, "infinity") { return true }
    var digits = 0
    while index < cell.count, cell[index].isDigit { index += 1; digits += 1 }
    if index < cell.count, cell[index] == UInt8(ascii: ".") {
      index += 1
      while index < cell.count, cell[index].isDigit { index += 1; digits += 1 }
    }
    guard digits > 0 else { return false }
    if index < cell.count, cell[index] | 0x20 == UInt8(ascii: "e") {
      index += 1
      if index < cell.count, cell[index] == UInt8(ascii: "+") || cell[index] == UInt8(ascii: "-") { index += 1 }
      guard index < cell.count, cell[index].isDigit else { return false }
      while index < cell.count, cell[index].isDigit { index += 1 }
    }
    return index == cell.count
  }

  /// The number in a cell that `isNumber` accepted (correctly rounded, by strtod).
  static func number(_ cell: UnsafeBufferPointer<UInt8>) -> Double {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: cell.count + 1) { buffer in
      for i in 0..<cell.count { buffer[i] = CChar(bitPattern: cell[i]) }
      buffer[cell.count] = 0
      return strtod(buffer.baseAddress!, nil)
    }
  }

  /// true/yes as true, false/no as false, in any case; nil for anything else.
  static func boolean(_ cell: UnsafeBufferPointer<UInt8>) -> Bool? {
    if matches(cell, "true") || matches(cell, "yes") { return true }
    if matches(cell, "false") || matches(cell, "no") { return false }
    return nil
  }

  /// Cell text fit for a one-line message: control characters escaped, cut after 60 characters.
  static func forMessage(_ text: String) -> String {
    let short = text.count > 60 ? String(text.prefix(60)) + "..." : text
    return short.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined()
  }

  /// Whether `cell` spells `lowercase` in any case (ASCII).
  static func matches(_ cell: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
    guard cell.count == lowercase.utf8CodeUnitCount else { return false }
    let expected = lowercase.utf8Start
    for i in 0..<cell.count where cell[i] | 0x20 != expected[i] { return false }
    return true
  }
}

extension UInt8 {
  /// An ASCII digit 0-9.
  var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
}
