import Layers

/// The `table` transform of a model's pipeline: how each column of a table (numbers, categories,
/// booleans, datetimes, with missing cells) becomes network values and comes back, as CTGAN and
/// TVAE encode tables.
///
/// Per column, in column order, the network row holds:
/// - a number (continuous, integer, datetime) under `modes`: its value within its mode,
///   `(x - mean_k) / (4 deviation_k)`, then a one-hot over the modes of a small Gaussian mixture
///   (plus one slot for "missing" when the column had missing cells);
/// - a number under `quantiles`: its normal score through the column's quantile map, then
///   (when the column had missing cells) a one-hot of [present, missing];
/// - a category (categorical, boolean): a one-hot over the categories (a boolean with missing
///   cells has a third slot; a categorical's missing cell is its category "").
/// Values are linear outputs with a learned Gaussian variance; each one-hot is a softmax head.
/// Raw rows hold one value per column: the number, the category's index, or NaN for missing.
public struct TableSchema: Codable, Equatable, Sendable {
  public enum ColumnKind: String, Codable, CaseIterable, Sendable {
    case continuous, integer, categorical, boolean, datetime

    /// Whether the column's values are indexes into its categories.
    public var hasCategories: Bool { self == .categorical || self == .boolean }
  }

  /// A mixture's modes, sorted by mean.
  public struct Modes: Codable, Equatable, Sendable {
    public var weights: [Double]
    public var means: [Double]
    public var deviations: [Double]

    public init(weights: [Double], means: [Double], deviations: [Double]) {
      self.weights = weights
      self.means = means
      self.deviations = deviations
    }
  }

  public struct Column: Codable, Equatable, Sendable {
    public var name: String
    public var kind: ColumnKind
    /// Categorical and boolean: the labels; a value is an index into them.
    public var categories: [String]?
    /// Whether the column had missing cells, so the network has a slot for them (categorical
    /// columns keep missing cells as their category "" instead).
    public var missing: Bool
    /// Numbers: the range seen in training; samples are clamped to it.
    public var minimum: Double?
    public var maximum: Double?
    /// Numbers: samples are rounded to a multiple of this (1 for integers, 0.01 for a column
    /// written with two decimals, 86400 for dates), or left as they are when nil.
    public var step: Double?
    /// Numbers: exactly one of `modes` (mode-specific normalization) and `quantiles` (the
    /// quantile map's knots).
    public var modes: Modes?
    public var quantiles: [Double]?
    /// Numbers under `quantiles`: the knots of the trained model's own distribution of the
    /// column (its samples before rounding). Sampling puts each value through it and back
    /// through `quantiles`, so the column's distribution is the data's and the model supplies
    /// how columns move together (a copula). Nil: values are used as the model gives them.
    public var calibration: [Double]?
    /// Whether the model is conditioned on this column, so sampling can fix its value.
    public var condition: Bool
    /// Condition columns: per slot of the column's one-hot group, the mean and deviation of the
    /// codes of the training rows in that slot (their aggregate posterior). Sampling with the
    /// column fixed draws codes from it rather than from N(0, I), so the other columns follow
    /// the fixed value as the data's rows of that value do.
    public var codeMeans: [[Double]]?
    public var codeDeviations: [[Double]]?

    public init(name: String, kind: ColumnKind, categories: [String]? = nil, missing: Bool = false,
                minimum: Double? = nil, maximum: Double? = nil, step: Double? = nil, modes: Modes? = nil,
                quantiles: [Double]? = nil, calibration: [Double]? = nil, condition: Bool = false) {
      self.name = name
      self.kind = kind
      self.categories = categories
      self.missing = missing
      self.minimum = minimum
      self.maximum = maximum
      self.step = step
      self.modes = modes
      self.quantiles = quantiles
      self.calibration = calibration
      self.condition = condition
    }

    /// Whether the network carries a value slot for the column (numbers do).
    public var hasValue: Bool { !kind.hasCategories }

    /// Width of the column's one-hot group: modes or categories, plus a missing slot.
    public var groupWidth: Int {
      let extra = missing && kind != .categorical ? 1 : 0
      if kind.hasCategories { return (categories?.count ?? 0) + extra }
      if let modes { return modes.means.count + extra }
      return missing ? 2 : 0
    }

    /// Network values for the column: its value slot and its one-hot group.
    public var width: Int { (hasValue ? 1 : 0) + groupWidth }

    /// The index in the one-hot group that stands for "missing", if any.
    var missingSlot: Int? {
      guard missing, kind != .categorical else { return nil }
      return groupWidth - 1
    }
  }

  public var columns: [Column]

  public init(columns: [Column]) { self.columns = columns }

  /// Values per raw row (one per column).
  public var rawWidth: Int { columns.count }
  /// Values per network row.
  public var networkWidth: Int { columns.reduce(0) { $0 + $1.width } }

  /// The output heads, in network order: each value a linear Gaussian head, each group a
  /// softmax head.
  public var heads: [OutputHead] {
    var heads: [OutputHead] = []
    for column in columns {
      if column.hasValue { heads.append(OutputHead(name: column.name, width: 1, activation: .linear, loss: .gaussian)) }
      if column.groupWidth > 0 {
        let name = column.hasValue ? "\(column.name):mode" : column.name
        heads.append(OutputHead(name: name, width: column.groupWidth, activation: .softmax, loss: .categorical))
      }
    }
    return heads
  }

  /// Columns that can be conditioned on: categorical and boolean ones with 2 to
  /// `maximumConditionWidth` slots.
  public static let maximumConditionWidth = 100

  /// The condition groups, one per conditioned column, in column order.
  public var conditions: [ConditionSpec] {
    columns.filter(\.condition).map { ConditionSpec(name: $0.name, kind: .oneHot, width: $0.groupWidth) }
  }

  /// Index of the column named `name`.
  public func columnIndex(named name: String) -> Int? { columns.firstIndex { $0.name == name } }
}
