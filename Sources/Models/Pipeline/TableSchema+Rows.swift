#if canImport(Glibc)
import Glibc
#endif
import Tensor

/// Table rows to network rows (for training) and sampled network rows back to table rows.
extension TableSchema {
  /// `rows` raw rows (one value per column: a number, a category's index, NaN for missing)
  /// into network rows. Throws for a value the schema cannot hold.
  public func encode(_ raw: UnsafePointer<Double>, rows: Int, into out: UnsafeMutablePointer<Float>) throws {
    let width = networkWidth
    for r in 0..<rows {
      var o = out + r * width
      for (c, column) in columns.enumerated() {
        try column.encode(raw[r * columns.count + c], into: o, row: r)
        o += column.width
      }
    }
  }

  /// One table row drawn from a network row of `logits`: each one-hot group's slot drawn from
  /// its softmax, each value given Gaussian noise of its learned deviation (as TVAE samples),
  /// then mapped back, clamped to the column's range and rounded to its step.
  /// `logVariance` spans the network row (nil: no noise).
  public func sampleRow(
    logits: UnsafePointer<Float>, logVariance: UnsafePointer<Float>?, random: inout SeededRandom,
    into out: UnsafeMutablePointer<Double>
  ) {
    var o = 0
    for (c, column) in columns.enumerated() {
      out[c] = column.sample(logits + o, logVariance: logVariance.map { $0 + o }, random: &random)
      o += column.width
    }
  }

  /// The condition row for fixed column values: `values` holds one value per column, NaN
  /// where the column is not fixed; each conditioned column's group is the fixed category's
  /// one-hot, or zeros when not fixed. Throws for a fixed column that is not a condition, or
  /// a value that is not one of its categories.
  public func conditionRow(fixing values: UnsafePointer<Double>, into out: UnsafeMutablePointer<Float>) throws {
    var o = 0
    for (c, column) in columns.enumerated() {
      let value = values[c]
      if column.condition {
        (out + o).update(repeating: 0, count: column.groupWidth)
        if !value.isNaN {
          guard let slot = column.slot(of: value) else {
            throw ModelError("column '\(column.name)': \(value) is not one of its \(column.groupWidth) categories (0..<\(column.groupWidth))")
          }
          out[o + slot] = 1
        }
        o += column.groupWidth
      } else if !value.isNaN {
        let names = columns.filter(\.condition).map { "'\($0.name)'" }
        throw ModelError("column '\(column.name)' cannot be fixed: the model is conditioned on " + (names.isEmpty ? "no column" : names.joined(separator: ", ")))
      }
    }
  }
}

extension TableSchema {
  /// The distribution codes are drawn from when `values` fixes columns (NaN: free): per code
  /// value a mean and a deviation, the precision-weighted product of the fixed slots' code
  /// statistics; nil when no fixed column has them (then codes come from N(0, I)).
  public func codePrior(fixing values: UnsafePointer<Double>, width: Int) -> (means: [Float], deviations: [Float])? {
    var precision = [Double](repeating: 0, count: width), weighted = [Double](repeating: 0, count: width)
    var found = false
    for (c, column) in columns.enumerated() where !values[c].isNaN {
      guard let means = column.codeMeans, let deviations = column.codeDeviations, let slot = column.slot(of: values[c]),
            slot < means.count, means[slot].count == width else { continue }
      found = true
      for j in 0..<width {
        let p = 1 / (deviations[slot][j] * deviations[slot][j])
        precision[j] += p
        weighted[j] += p * means[slot][j]
      }
    }
    guard found else { return nil }
    return ((0..<width).map { Float(weighted[$0] / precision[$0]) }, precision.map { Float(1 / $0.squareRoot()) })
  }
}

extension TableSchema.Column {
  /// The one-hot slot a raw value takes in a category column: its category's, or the missing
  /// slot for NaN; nil when it has none.
  public func groupSlot(of value: Double) -> Int? { value.isNaN ? missingSlot : slot(of: value) }

  /// The one-hot slot of a category index, or nil when it is not one.
  func slot(of value: Double) -> Int? {
    guard let categories, value >= 0, value < Double(categories.count), value == value.rounded(.towardZero) else { return nil }
    return Int(value)
  }

  func encode(_ value: Double, into out: UnsafeMutablePointer<Float>, row: Int) throws {
    out.update(repeating: 0, count: width)
    if kind.hasCategories {
      if value.isNaN, let missing = missingSlot { out[missing] = 1; return }
      guard let slot = slot(of: value) else {
        throw ModelError("row \(row + 1), column '\(name)': \(value) is not one of its categories")
      }
      out[slot] = 1
      return
    }
    if value.isNaN {
      guard let missing = missingSlot else { throw ModelError("row \(row + 1), column '\(name)': a missing value, but the column had none in training") }
      out[1 + missing] = 1
      return
    }
    guard value.isFinite else { throw ModelError("row \(row + 1), column '\(name)': \(value) is not a finite number") }
    if let modes {
      let k = modes.likeliest(value)
      out[0] = Float((value - modes.means[k]) / (4 * modes.deviations[k]))
      out[1 + k] = 1
    } else if let quantiles {
      out[0] = Float(QuantileMap(knots: quantiles).normalScore(value))
      if missing { out[1] = 1 }
    }
  }

  func sample(_ logits: UnsafePointer<Float>, logVariance: UnsafePointer<Float>?, random: inout SeededRandom) -> Double {
    if kind.hasCategories {
      let slot = drawSlot(logits, count: groupWidth, random: &random)
      return slot == missingSlot ? .nan : Double(slot)
    }
    var value = Double(logits[0])
    if let logVariance { value += Double(expf(0.5 * logVariance[0]) * random.gaussian()) }
    var x: Double
    if let modes {
      let slot = drawSlot(logits + 1, count: groupWidth, random: &random)
      if slot == missingSlot { return .nan }
      x = modes.means[slot] + 4 * modes.deviations[slot] * value
    } else {
      if missing && drawSlot(logits + 1, count: 2, random: &random) == 1 { return .nan }
      let data = QuantileMap(knots: quantiles ?? [0])
      x = data.value(normalScore: value)
      if let calibration { x = data.value(normalScore: QuantileMap(knots: calibration).normalScore(x)) }
    }
    if let minimum, let maximum { x = Swift.min(Swift.max(x, minimum), maximum) }
    if let step { x = (x / step).rounded() * step }
    return x
  }

  /// A slot drawn from the softmax of `count` logits.
  private func drawSlot(_ logits: UnsafePointer<Float>, count: Int, random: inout SeededRandom) -> Int {
    var top = logits[0]
    for j in 1..<count { top = Swift.max(top, logits[j]) }
    var total: Float = 0
    for j in 0..<count { total += expf(logits[j] - top) }
    var u = random.uniform() * total
    for j in 0..<count {
      u -= expf(logits[j] - top)
      if u < 0 { return j }
    }
    return count - 1
  }
}

extension TableSchema.Modes {
  /// The mode most likely to have produced `x` (largest weight x density).
  func likeliest(_ x: Double) -> Int {
    var best = 0, bestScore = -Double.infinity
    for k in means.indices {
      let z = (x - means[k]) / deviations[k]
      let score = log(Swift.max(weights[k], 1e-300)) - log(deviations[k]) - 0.5 * z * z
      if score > bestScore { best = k; bestScore = score }
    }
    return best
  }
}
