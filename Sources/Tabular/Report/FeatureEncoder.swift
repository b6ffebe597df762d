/// Turns a table's rows into the inputs of a linear model: numeric columns standardized with
/// the training rows' mean and standard deviation (a missing value becomes the mean, 0),
/// categorical columns one-hot over their most frequent training labels, plus a constant 1
/// for the intercept. Fitted on the rows a model trains on, then applied to any rows.
struct FeatureEncoder {
  /// Labels one-hot encoded per categorical column; rarer labels encode as all zeros.
  static let labelsPerColumn = 20

  private enum Encoding {
    case standardized(mean: Double, scale: Double)
    case oneHot([String: Int])
  }
  private let encodings: [Encoding]
  /// Inputs per row, the intercept included.
  let width: Int

  /// Fit to `rows` of `columns`.
  init(columns: [ReportColumn.Values], rows: [Int]) {
    var encodings: [Encoding] = []
    var width = 1
    for column in columns {
      switch column {
      case .numeric(let values):
        let present = rows.map { values[$0] }.filter { !$0.isNaN }
        let mean = present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count)
        let variance = present.isEmpty ? 0 : present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count)
        encodings.append(.standardized(mean: mean, scale: variance > 0 ? variance.squareRoot() : 1))
        width += 1
      case .categorical(let labels):
        var counts: [String: Int] = [:]
        for row in rows { if let label = labels[row] { counts[label, default: 0] += 1 } }
        let kept = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(Self.labelsPerColumn)
        var positions: [String: Int] = [:]
        for (offset, entry) in kept.enumerated() { positions[entry.key] = width + offset }
        encodings.append(.oneHot(positions))
        width += kept.count
      }
    }
    self.encodings = encodings
    self.width = width
  }

  /// The inputs of `rows`, row by row (`rows.count` x `width`).
  func encode(columns: [ReportColumn.Values], rows: [Int]) -> [Double] {
    var inputs = [Double](repeating: 0, count: rows.count * width)
    for (r, row) in rows.enumerated() {
      let base = r * width
      inputs[base] = 1
      var position = 1
      for (column, encoding) in zip(columns, encodings) {
        switch (column, encoding) {
        case (.numeric(let values), .standardized(let mean, let scale)):
          let value = values[row]
          inputs[base + position] = value.isNaN ? 0 : (value - mean) / scale
          position += 1
        case (.categorical(let labels), .oneHot(let positions)):
          if let label = labels[row], let at = positions[label] { inputs[base + at] = 1 }
          position += positions.count
        default:
          preconditionFailure("FeatureEncoder: a column changed kind between fitting and encoding")
        }
      }
    }
    return inputs
  }
}
