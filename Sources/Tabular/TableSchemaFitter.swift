import Datasets
import Models

/// Fits a `TableSchema` to a table read from CSV: each column's encoding from its values.
///
/// Rules, stated so a user can predict them (docs/AUGMENT.md):
/// - numbers (continuous, integer, datetime) get a Gaussian mixture of up to 10 modes
///   (mode-specific normalization), or a quantile map with `.quantile`; their range is kept
///   and samples are rounded as the column was written (integers to 1, decimals to the most
///   places seen up to 6, dates that are whole days to days);
/// - categories (categorical, boolean) become one-hot groups; a category seen once is kept;
/// - a missing cell gets its own slot, never dropped;
/// - refused with a message: a column with no values at all, and a categorical column with
///   more than `maximumCategories` distinct values (an identifier or free text, which a
///   one-hot group cannot model).
public enum TableSchemaFitter {
  public enum Transform: String, CaseIterable, Sendable {
    /// Mode-specific normalization (CTGAN, TVAE).
    case modes
    /// Each number through its column's quantile map to a normal score.
    case quantile
  }

  /// Most distinct values a categorical column may have for synthesis.
  public static let maximumCategories = 1000

  public static func fit(_ table: Table, transform: Transform = .modes, seed: UInt64 = 0) throws -> TableSchema {
    guard table.rowCount > 0 else { throw TabularError("\(table.name): the table has no rows") }
    var columns: [TableSchema.Column] = []
    var values = [Double](repeating: 0, count: table.rowCount)
    for (c, info) in table.columns.enumerated() {
      for r in 0..<table.rowCount { values[r] = table[r, c] }
      columns.append(try fitColumn(info, values, transform: transform, seed: seed &+ UInt64(c), table: table.name))
    }
    let schema = TableSchema(columns: columns)
    let problems = schema.problems()
    guard problems.isEmpty else { throw TabularError("\(table.name): " + problems.prefix(3).joined(separator: "; ")) }
    return schema
  }

  static func fitColumn(_ info: ColumnInfo, _ values: [Double], transform: Transform, seed: UInt64, table: String) throws -> TableSchema.Column {
    guard let kind = TableSchema.ColumnKind(rawValue: info.kind.rawValue) else {
      throw TabularError("\(table): column '\(info.name)' is of kind \(info.kind.rawValue), which tables cannot hold")
    }
    var column = TableSchema.Column(name: info.name, kind: kind)
    if kind.hasCategories {
      guard info.categories.count <= maximumCategories else {
        throw TabularError("\(table): column '\(info.name)' has \(info.categories.count) distinct values (more than \(maximumCategories)): an identifier or free text cannot be synthesized; drop the column, or declare it continuous with --column '\(info.name):continuous' if it holds numbers")
      }
      guard !(info.categories.count == 1 && info.categories[0].isEmpty) else {
        throw TabularError("\(table): column '\(info.name)' has no values (every cell is missing); drop the column")
      }
      column.categories = info.categories
      column.missing = info.kind == .boolean ? values.contains { $0.isNaN } : info.categories.contains("")
      column.condition = (2...TableSchema.maximumConditionWidth).contains(column.groupWidth)
      return column
    }
    let present = values.filter { !$0.isNaN }
    guard !present.isEmpty else {
      throw TabularError("\(table): column '\(info.name)' has no values (every cell is missing); drop the column")
    }
    guard present.allSatisfy(\.isFinite) else {
      throw TabularError("\(table): column '\(info.name)' holds an infinite number; fix or drop it")
    }
    column.missing = present.count < values.count
    column.minimum = present.min()
    column.maximum = present.max()
    column.step = step(kind, present)
    switch transform {
    case .modes:
      column.modes = GaussianMixture1D.fit(present, seed: seed)
    case .quantile:
      column.quantiles = QuantileMap.fit(present).knots
    }
    return column
  }

  /// What samples are rounded to: 1 for integers; whole days for dates that are all whole
  /// days, else seconds; for continuous numbers 10^-d for the most decimals d <= 6 seen in
  /// (up to 10,000 of) the values, nil beyond.
  static func step(_ kind: TableSchema.ColumnKind, _ values: [Double]) -> Double? {
    switch kind {
    case .integer: return 1
    case .datetime: return values.allSatisfy { $0.truncatingRemainder(dividingBy: 86_400) == 0 } ? 86_400 : 1
    default:
      var places = 0
      for x in values.prefix(10_000) {
        while places <= 6 && !holdsDecimals(x, places) { places += 1 }
        if places > 6 { return nil }
      }
      return places == 0 ? 1 : 1 / pow10(places)
    }
  }

  private static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }

  private static func holdsDecimals(_ x: Double, _ places: Int) -> Bool {
    let scaled = x * pow10(places)
    return abs(scaled - scaled.rounded()) <= 1e-6 * max(1, abs(scaled))
  }
}
