/// What the cells of one table column hold, which decides how they become numbers.
///
/// A CSV reader infers it from the cells (see docs/DATA.md); callers may override it per column.
public enum ColumnKind: String, CaseIterable, Sendable {
  /// Real numbers; the value is the number itself.
  case continuous
  /// Whole numbers (every cell `[+-]digits`); the value is the number itself.
  case integer
  /// Labels from a finite set; the value is the label's index in the column's category list.
  case categorical
  /// true/false or yes/no (any case); the value is 0 for false, 1 for true.
  case boolean
  /// ISO 8601 dates or date-times; the value is seconds since 1970-01-01T00:00:00Z.
  case datetime

  /// Whether the column's values are indexes into a category list (categorical and boolean).
  public var hasCategories: Bool { self == .categorical || self == .boolean }
}
