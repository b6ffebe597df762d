/// Unix seconds as ISO 8601 UTC text that Datasets' reader (ISO8601.swift) reads back: a whole
/// day as "2024-05-01", anything else as "2024-05-01T12:00:00Z", with up to six fraction digits
/// ("2024-05-01T12:00:00.25Z"). Years 0000 to 9999 only, as four-digit years require.
enum ISO8601Text {
  /// 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z as Unix seconds.
  static let earliest = -62_167_219_200.0, end = 253_402_300_800.0

  /// The text for `seconds`, or nil when it is not finite or outside the years 0000-9999.
  static func text(seconds: Double) -> String? {
    guard seconds.isFinite, seconds >= earliest, seconds < end else { return nil }
    var whole = Int64(seconds.rounded(.down))
    var microseconds = Int64(((seconds - Double(whole)) * 1_000_000).rounded())
    if microseconds == 1_000_000 { whole += 1; microseconds = 0 }
    guard Double(whole) < end else { return nil }
    let days = whole >= 0 ? whole / 86_400 : -((-whole + 86_399) / 86_400)
    let secondOfDay = Int(whole - days * 86_400)
    let (year, month, day) = civil(days: days)
    let date = padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2)
    guard secondOfDay != 0 || microseconds != 0 else { return date }
    var time = padded(secondOfDay / 3600, 2) + ":" + padded(secondOfDay / 60 % 60, 2) + ":" + padded(secondOfDay % 60, 2)
    if microseconds != 0 {
      var fraction = padded(Int(microseconds), 6)
      while fraction.hasSuffix("0") { fraction.removeLast() }
      time += "." + fraction
    }
    return date + "T" + time + "Z"
  }

  /// The day `days` after 1970-01-01 (H. Hinnant's civil_from_days,
  /// https://howardhinnant.github.io/date_algorithms.html).
  static func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (Int(year), Int(month), Int(day))
  }

  /// `value` (not negative) in decimal, zero-padded to `width` digits.
  private static func padded(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }
}
