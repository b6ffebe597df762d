/// Checks on a table schema read from a file, which may have been crafted: every size bounded,
/// every number finite, every column's encoding whole, so encoding and sampling never index
/// outside an array or produce NaN from the schema itself.
extension TableSchema {
  /// Most columns a table model may have.
  public static let maximumColumns = 1 << 16
  /// Most categories one column may have in a model (a one-hot group that wide is already
  /// more than a table synthesizer can learn from).
  public static let maximumCategories = 10_000
  /// Most modes a column's mixture may have, and most knots its quantile map may have.
  public static let maximumModes = 64
  public static let maximumKnots = 100_000
  /// Longest column name or category label, in bytes.
  public static let maximumLabelBytes = 4096

  /// Reasons this schema is unusable, empty when it is sound.
  public func problems() -> [String] {
    var found: [String] = []
    guard (1...TableSchema.maximumColumns).contains(columns.count) else {
      return ["a table model has 1 to \(TableSchema.maximumColumns) columns, not \(columns.count)"]
    }
    var seen = Set<String>()
    for (index, column) in columns.enumerated() {
      let label = "column \(index + 1)"
      if column.name.isEmpty || column.name.utf8.count > TableSchema.maximumLabelBytes {
        found.append("\(label): a name has 1 to \(TableSchema.maximumLabelBytes) bytes")
      } else if !seen.insert(column.name).inserted {
        found.append("\(label): the name '\(column.name.prefix(80))' is used twice")
      }
      found += column.problems().map { "\(label) ('\(column.name.prefix(80))'): \($0)" }
    }
    return found
  }
}

extension TableSchema.Column {
  func problems() -> [String] {
    var found: [String] = []
    if kind.hasCategories {
      guard let categories, (1...TableSchema.maximumCategories).contains(categories.count) else {
        return ["a \(kind.rawValue) column has 1 to \(TableSchema.maximumCategories) categories"]
      }
      if kind == .boolean && categories.count != 2 { found.append("a boolean column has 2 categories, not \(categories.count)") }
      if categories.contains(where: { $0.utf8.count > TableSchema.maximumLabelBytes }) {
        found.append("a category label is longer than \(TableSchema.maximumLabelBytes) bytes")
      }
      if modes != nil || quantiles != nil || calibration != nil { found.append("a category column has no modes, quantiles or calibration") }
    } else {
      if categories != nil { found.append("a number column has no categories") }
      switch (modes, quantiles) {
      case (let modes?, nil): found += modes.problems()
      case (nil, let knots?):
        found += knots.count > TableSchema.maximumKnots
          ? ["a quantile map has at most \(TableSchema.maximumKnots) knots, not \(knots.count)"]
          : QuantileMap(knots: knots).problems()
      default: found.append("a number column has exactly one of modes and quantiles")
      }
      if let calibration {
        if quantiles == nil { found.append("only a column under quantiles has a calibration") }
        found += calibration.count > TableSchema.maximumKnots
          ? ["a calibration has at most \(TableSchema.maximumKnots) knots, not \(calibration.count)"]
          : QuantileMap(knots: calibration).problems().map { "calibration: \($0)" }
      }
      guard let minimum, let maximum, minimum.isFinite, maximum.isFinite, minimum <= maximum else {
        return found + ["a number column has a finite range (minimum <= maximum)"]
      }
      if let step, !(step.isFinite && step > 0) { found.append("the rounding step must be finite and > 0, got \(step)") }
    }
    if codeMeans != nil || codeDeviations != nil {
      let means = codeMeans ?? [], deviations = codeDeviations ?? []
      let width = means.first?.count ?? 0
      if !condition || means.count != groupWidth || deviations.count != groupWidth || width < 1 || width > 1 << 16
        || !(means + deviations).allSatisfy({ $0.count == width }) {
        found.append("code statistics belong to a condition column: one mean and one deviation row per slot, of equal widths")
      } else if !means.joined().allSatisfy({ $0.isFinite && abs($0) <= 1e6 }) || !deviations.joined().allSatisfy({ $0.isFinite && $0 > 0 && $0 <= 1e6 }) {
        found.append("code means must be finite and deviations finite and > 0")
      }
    }
    if condition && !(kind.hasCategories && (2...TableSchema.maximumConditionWidth).contains(groupWidth)) {
      found.append("only a category column of 2 to \(TableSchema.maximumConditionWidth) values can be a condition")
    }
    return found
  }
}

extension TableSchema.Modes {
  func problems() -> [String] {
    let count = means.count
    guard (1...TableSchema.maximumModes).contains(count), weights.count == count, deviations.count == count else {
      return ["a mixture has 1 to \(TableSchema.maximumModes) modes, each with a weight, a mean and a deviation"]
    }
    var found: [String] = []
    if !weights.allSatisfy({ $0.isFinite && $0 >= 0 }) { found.append("mixture weights must be finite and >= 0") }
    if !means.allSatisfy(\.isFinite) { found.append("mixture means must be finite") }
    if !deviations.allSatisfy({ $0.isFinite && $0 > 0 }) { found.append("mixture deviations must be finite and > 0") }
    return found
  }
}
