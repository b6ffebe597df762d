/// What is known about one column of a table: its name, kind, categories and missing cells.
public struct ColumnInfo: Equatable, Sendable {
  /// The header's name for it, or its 1-based position ("1", "2", ...) when the file has no header.
  public var name: String
  /// How its cells became numbers.
  public var kind: ColumnKind
  /// For categorical columns, the categories in order of first appearance in the file (a
  /// value is an index into this list); for boolean columns always ["false", "true"]; empty
  /// for the other kinds. A missing cell in a categorical column is the category "".
  public var categories: [String]
  /// How many cells are missing (empty, NA, NaN, null): NaN in numeric and boolean columns,
  /// the category "" in categorical ones.
  public var missingCount: Int

  /// Whether any cell is missing, so a later step knows to add a missing indicator.
  public var hasMissing: Bool { missingCount > 0 }

  public init(name: String, kind: ColumnKind, categories: [String] = [], missingCount: Int = 0) {
    self.name = name
    self.kind = kind
    self.categories = categories
    self.missingCount = missingCount
  }

  /// Index of the category that stands for a missing cell, in a categorical column that has one.
  public var missingCategoryIndex: Int? {
    kind == .categorical ? categories.firstIndex(of: "") : nil
  }
}
