import Tensor

/// Condition rows of a conditional model: made from class labels, drawn for sampling, and
/// checked before use. Training and the runtime both use these, so a condition means the
/// same on either side. The calls on hot paths take the groups (which callers keep) rather
/// than the spec, whose `conditionGroups` may build an array.
public enum ConditionRows {
  /// Throws unless the `rows` condition rows at `values` are finite (one-hot groups may hold
  /// soft mixtures of classes: values in [0, 1]).
  public static func check(_ groups: [ConditionSpec], _ values: UnsafePointer<Float>, rows: Int) throws {
    let width = groups.reduce(0) { $0 + $1.width }
    var start = 0
    for group in groups {
      for r in 0..<rows {
        for j in start..<(start + group.width) {
          let v = values[r * width + j]
          guard v.isFinite else {
            throw ModelError("condition row \(r), value \(j) ('\(group.name)') is \(v); conditions must be finite")
          }
          if group.kind == .oneHot && !(0...1).contains(v) {
            throw ModelError("condition row \(r), value \(j) is \(v); the one-hot group '\(group.name)' takes values in [0, 1]")
          }
        }
      }
      start += group.width
    }
  }

  /// The one-hot rows for class labels, when the model's condition is one class label.
  public static func oneHot(_ spec: ModelSpec, labels: [Int]) throws -> [Float] {
    let classes = spec.labelClasses
    guard classes > 0 else {
      throw ModelError(spec.conditionWidth == 0
        ? "a \(spec.kind.rawValue) model has no classes; call it without labels"
        : "this model's condition is not a single class label (\(describe(spec))): pass condition rows")
    }
    var rows = [Float](repeating: 0, count: labels.count * classes)
    for (r, label) in labels.enumerated() {
      guard (0..<classes).contains(label) else { throw ModelError("label \(label) of row \(r) is outside 0..<\(classes)") }
      rows[r * classes + label] = 1
    }
    return rows
  }

  /// Whether `draw` can make conditions for sampling: every group is one-hot.
  public static func canDraw(_ groups: [ConditionSpec]) -> Bool {
    groups.allSatisfy { $0.kind == .oneHot }
  }

  /// Random condition rows for sampling without given conditions: each one-hot group's
  /// class uniform, from `random`. Only when `canDraw`.
  public static func draw(_ groups: [ConditionSpec], into row: UnsafeMutablePointer<Float>, random: inout SeededRandom) {
    var start = 0
    for group in groups {
      (row + start).update(repeating: 0, count: group.width)
      row[start + min(Int(random.uniform() * Float(group.width)), group.width - 1)] = 1
      start += group.width
    }
  }

  /// The groups in words, e.g. "class: one_hot x 10, pitch: continuous x 1".
  public static func describe(_ spec: ModelSpec) -> String {
    spec.conditionGroups.map { "\($0.name): \($0.kind.rawValue) x \($0.width)" }.joined(separator: ", ")
  }
}
