import Tensor

/// One segment of the decoder's output row with its own activation and loss, so a row of a
/// mixed table is modelled as the table is: sigmoid + `bce` for binary values, linear +
/// `gaussian` or `mse` for continuous ones, softmax + `categorical` over a one-hot group.
public struct OutputHead: Codable, Equatable, Sendable {
  /// What the segment holds, for messages and tools (a column's name, say).
  public var name: String?
  public var width: Int
  public var activation: Activation
  public var loss: Loss

  public init(name: String? = nil, width: Int, activation: Activation, loss: Loss) {
    self.name = name
    self.width = width
    self.activation = activation
    self.loss = loss
  }

  /// Reasons this activation and loss do not go together, empty when they do.
  public func problems() -> [String] {
    let label = name.map { "head '\($0)'" } ?? "the output"
    switch (loss, activation) {
    case (.bce, .sigmoid), (.categorical, .softmax): return width >= 1 ? [] : ["\(label) needs at least 1 value"]
    case (.bce, _): return ["the bce loss needs a sigmoid output, got \(activation.rawValue) (\(label))"]
    case (.categorical, _): return ["the categorical loss needs a softmax output, got \(activation.rawValue) (\(label))"]
    case (_, .softmax): return ["a softmax output needs the categorical loss, got \(loss.rawValue) (\(label))"]
    default: return width >= 1 ? [] : ["\(label) needs at least 1 value"]
    }
  }
}

/// The losses and activations of a row split into heads. With one head everything runs on
/// whole rows as before; with several, each head sees its own columns.
public enum OutputHeads {
  /// The loss of `logits` against `target` summed over rows and heads, and (when `gradient`
  /// is given) its gradient with respect to the logits divided by the row count; see
  /// `Loss.evaluate`. `logVariance` spans the whole row; only Gaussian heads read it.
  public static func evaluate(
    _ heads: [OutputHead], logits: Tensor, target: Tensor, gradient: Tensor?, weight: Float = 1,
    logVariance: (values: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>)? = nil
  ) -> Double {
    if heads.count == 1 {
      return heads[0].loss.evaluate(logits: logits, activation: heads[0].activation, target: target, gradient: gradient,
                                    weight: weight, logVariance: logVariance)
    }
    let n = logits.rows, d = logits.cols
    precondition(target.rows == n && target.cols == d, "loss: target is \(target.rows)x\(target.cols), prediction is \(n)x\(d)")
    gradient?.resize(rows: n)
    let scale = n > 0 ? weight / Float(n) : 0
    var total = 0.0
    for r in 0..<n {
      var offset = 0
      for head in heads {
        total += Double(head.loss.row(
          logits.row(r) + offset, activation: head.activation, target: target.row(r) + offset, width: head.width,
          gradient: gradient.map { $0.row(r) + offset }, scale: scale, logVariance: logVariance.map { $0.values + offset },
          logVarianceGradient: gradient == nil ? nil : logVariance.map { $0.gradient + offset }))
        offset += head.width
      }
    }
    return total * Double(weight)
  }

  /// Each row's loss summed over its heads into `losses` (the anomaly score).
  public static func rowLosses(
    _ heads: [OutputHead], logits: UnsafePointer<Float>, target: UnsafePointer<Float>, rows: Int, width: Int,
    logVariance: UnsafePointer<Float>? = nil, into losses: UnsafeMutablePointer<Float>
  ) {
    if heads.count == 1 {
      heads[0].loss.rowLosses(logits: logits, activation: heads[0].activation, target: target, rows: rows, width: width,
                              logVariance: logVariance, into: losses)
      return
    }
    for r in 0..<rows {
      var sum: Float = 0, offset = 0
      for head in heads {
        sum += head.loss.row(UnsafeMutablePointer(mutating: logits + r * width + offset), activation: head.activation,
                             target: UnsafeMutablePointer(mutating: target + r * width + offset), width: head.width,
                             gradient: nil, scale: 0, logVariance: logVariance.map { $0 + offset }, logVarianceGradient: nil)
        offset += head.width
      }
      losses[r] = sum
    }
  }

  /// Subtracts from each row's loss the loss a perfect reconstruction of its target would have
  /// (`Loss.perfectRowLoss`, summed over the heads): `rowLosses` then holds the `excess` score.
  public static func subtractPerfectLosses(
    _ heads: [OutputHead], target: UnsafePointer<Float>, rows: Int, width: Int,
    logVariance: UnsafePointer<Float>? = nil, from losses: UnsafeMutablePointer<Float>
  ) {
    for r in 0..<rows {
      var offset = 0
      for head in heads {
        losses[r] -= head.loss.perfectRowLoss(target: target + r * width + offset, width: head.width,
                                              logVariance: logVariance.map { $0 + offset })
        offset += head.width
      }
    }
  }

  /// Each head's activation over its columns of `rows` rows of `width` values, in place.
  public static func activate(_ heads: [OutputHead], _ values: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    if heads.count == 1 && heads[0].activation != .softmax {
      heads[0].activation.apply(values, count: rows * width)
      return
    }
    for r in 0..<rows {
      var offset = 0
      for head in heads {
        head.activation.apply(values + r * width + offset, count: head.width)
        offset += head.width
      }
    }
  }

  /// Squared error of the activated outputs against `target`, summed over every value.
  public static func squaredError(_ heads: [OutputHead], logits: Tensor, target: Tensor) -> Double {
    if heads.count == 1 {
      return Loss.mse.evaluate(logits: logits, activation: heads[0].activation, target: target, gradient: nil)
    }
    let outputs = logits.copy()
    activate(heads, outputs.data, rows: outputs.rows, width: outputs.cols)
    var sum = 0.0
    for i in 0..<outputs.count { let e = Double(outputs.data[i] - target.data[i]); sum += e * e }
    return sum
  }
}
