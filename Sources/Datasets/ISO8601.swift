/// ISO 8601 dates and date-times as seconds since 1970-01-01T00:00:00Z, on the proleptic
/// Gregorian calendar.
///
/// Accepted: `YYYY-MM-DD`, then optionally `T` (or `t` or one space) and `HH:MM`, `HH:MM:SS` or
/// `HH:MM:SS.fraction`, then optionally a zone: `Z`, `±HH:MM`, `±HHMM` or `±HH`. A time without
/// a zone is taken as UTC. Seconds may be 60 (a leap second). Anything else is not a date.
enum ISO8601 {
  /// The Unix time of `text`, or nil when it is not one of the accepted forms or names a day
  /// that does not exist (2023-02-29).
  static func seconds(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
    var reader = DigitReader(text: text)
    guard let year = reader.digits(4), reader.skip("-"), let month = reader.digits(2), reader.skip("-"),
          let day = reader.digits(2), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
    else { return nil }
    var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
    guard !reader.atEnd else { return seconds }
    guard reader.skip("T") || reader.skip("t") || reader.skip(" "),
          let hour = reader.digits(2), hour < 24, reader.skip(":"), let minute = reader.digits(2), minute < 60
    else { return nil }
    seconds += Double(hour * 3600 + minute * 60)
    if reader.skip(":") {
      guard let second = reader.digits(2), second <= 60 else { return nil }
      seconds += Double(second)
      if reader.skip(".") {
        var scale = 0.1, fractionDigits = 0
        while let digit = reader.digits(1) {
          seconds += Double(digit) * scale
          scale /= 10
          fractionDigits += 1
        }
        guard fractionDigits > 0 else { return nil }
      }
    }
    guard !reader.atEnd else { return seconds }
    if reader.skip("Z") || reader.skip("z") { return reader.atEnd ? seconds : nil }
    let sign: Double
    if reader.skip("+") { sign = 1 } else if reader.skip("-") { sign = -1 } else { return nil }
    guard let offsetHours = reader.digits(2), offsetHours < 24 else { return nil }
    var offsetMinutes = 0
    if !reader.atEnd {
      _ = reader.skip(":")
      guard let minutes = reader.digits(2), minutes < 60 else { return nil }
      offsetMinutes = minutes
    }
    guard reader.atEnd else { return nil }
    // 10:00+02:00 is 08:00 UTC.
    return seconds - sign * Double(offsetHours * 3600 + offsetMinutes * 60)
  }

  /// Days from 1970-01-01 to the given day (H. Hinnant's days_from_civil,
  /// https://howardhinnant.github.io/date_algorithms.html).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Steps through ASCII text reading fixed-width digit groups and literal characters.
  private struct DigitReader {
    let text: UnsafeBufferPointer<UInt8>
    var index = 0
    var atEnd: Bool { index == text.count }

    /// The value of the next `count` digits, or nil (without moving) if they are not all digits.
    mutating func digits(_ count: Int) -> Int? {
      guard index + count <= text.count else { return nil }
      var value = 0
      for i in index..<index + count {
        guard text[i].isDigit else { return nil }
        value = value * 10 + Int(text[i] - UInt8(ascii: "0"))
      }
      index += count
      return value
    }

    /// Step over `character` if it is next.
    mutating func skip(_ character: Unicode.Scalar) -> Bool {
      guard index < text.count, text[index] == UInt8(ascii: character) else { return false }
      index += 1
      return true
    }
  }
}
