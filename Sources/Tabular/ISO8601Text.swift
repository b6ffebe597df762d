/// Unix seconds as ISO 8601 UTC text that Datasets' reader (ISO8601.swift) reads back: a whole
/// day as "2024-05-01", anything else as "2024-05-01T12:00:00Z", with up to six fraction digits
/// ("2024-05-01T12:00:00.25Z"). Years 0000 to 9999 only, as four-digit years require.
enum ISO8601Text {
  /// 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z as Unix seconds.
  static let earliest = -62_167_219_200.0, end = 253_402_300_800.0

  /// Append the text for `seconds` to `text`; false (appending nothing) when it is not finite
  /// or outside the years 0000-9999.
  static func append(seconds: Double, to text: inout [UInt8]) -> Bool {
    guard seconds.isFinite, seconds >= earliest, seconds < end else { return false }
    var whole = Int64(seconds.rounded(.down))
    var microseconds = Int64(((seconds - Double(whole)) * 1_000_000).rounded())
    if microseconds == 1_000_000 { whole += 1; microseconds = 0 }
    guard Double(whole) < end else { return false }
    let days = whole >= 0 ? whole / 86_400 : -((-whole + 86_399) / 86_400)
    let secondOfDay = whole - days * 86_400
    let (year, month, day) = civil(days: days)
    appendDigits(year, 4, to: &text)
    text.append(UInt8(ascii: "-"))
    appendDigits(month, 2, to: &text)
    text.append(UInt8(ascii: "-"))
    appendDigits(day, 2, to: &text)
    guard secondOfDay != 0 || microseconds != 0 else { return true }
    text.append(UInt8(ascii: "T"))
    appendDigits(secondOfDay / 3600, 2, to: &text)
    text.append(UInt8(ascii: ":"))
    appendDigits(secondOfDay / 60 % 60, 2, to: &text)
    text.append(UInt8(ascii: ":"))
    appendDigits(secondOfDay % 60, 2, to: &text)
    if microseconds != 0 {
      var digits = 6
      while microseconds % 10 == 0 { microseconds /= 10; digits -= 1 }
      text.append(UInt8(ascii: "."))
      appendDigits(microseconds, digits, to: &text)
    }
    text.append(UInt8(ascii: "Z"))
    return true
  }

  /// The day `days` after 1970-01-01 (H. Hinnant's civil_from_days,
  /// https://howardhinnant.github.io/date_algorithms.html).
  static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  /// `value` (0 <= value < 10^width) as exactly `width` decimal digits, zero-padded.
  static func appendDigits(_ value: Int64, _ width: Int, to text: inout [UInt8]) {
    var divisor: Int64 = 1
    for _ in 1..<max(width, 1) { divisor *= 10 }
    var rest = value
    while divisor > 0 {
      text.append(UInt8(ascii: "0") + UInt8(rest / divisor))
      rest %= divisor
      divisor /= 10
    }
  }
}
