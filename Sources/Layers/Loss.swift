import Tensor

/// Reconstruction losses. Both sum over the features of a row and average over rows, so the
/// reported value is "per sample" (nats per image for BCE), as in the usual VAE papers.
public enum Loss: String, Codable, CaseIterable, Sendable {
  /// Squared error, `sum_j (y_j - t_j)^2`.
  case mse
  /// Binary cross-entropy, `-sum_j t_j log y_j + (1 - t_j) log(1 - y_j)`; needs a sigmoid output
  /// and is computed from the logits, so it never takes the log of 0.
  case bce
  /// Gaussian negative log-likelihood with a learned variance per feature:
  /// `sum_j ((y_j - t_j)^2 / sigma_j^2 + log sigma_j^2 + log 2 pi) / 2`, the model keeping
  /// `log sigma_j^2` as parameters (a VAE's Gaussian decoder; `mse` is the fixed-variance one).
  case gaussian
  /// Categorical cross-entropy over a one-hot group, `-sum_j t_j log softmax(z)_j`, computed
  /// from the logits (log-sum-exp), so it never takes the log of 0; needs a softmax output.
  case categorical

  /// log(2 pi), the Gaussian density's constant.
  static let logTwoPi: Float = 1.837_877_1

  /// Loss of predictions `f(z)` against `target`, and its gradient with respect to the logits.
  ///
  /// - Parameters:
  ///   - logits: z (n, d), the output layer before its activation.
  ///   - activation: the output activation f.
  ///   - target: t (n, d).
  ///   - gradient: receives dLoss/dz (n, d), already divided by n; pass nil for the value only.
  ///   - weight: scales the loss and gradient (1 for plain training).
  ///   - logVariance: `gaussian` only: log sigma^2 per feature (d), and where to add the
  ///     gradient with respect to it (batch mean, like the others) when `gradient` is given.
  /// - Returns: the loss summed over all rows (divide by n for the per-sample mean).
  public func evaluate(
    logits: Tensor, activation: Activation, target: Tensor, gradient: Tensor?, weight: Float = 1,
    logVariance: (values: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>)? = nil
  ) -> Double {
    let n = logits.rows, d = logits.cols
    precondition(target.rows == n && target.cols == d, "loss: target is \(target.rows)x\(target.cols), prediction is \(n)x\(d)")
    gradient?.resize(rows: n)
    let scale = n > 0 ? weight / Float(n) : 0
    var total = 0.0
    for r in 0..<n {
      total += Double(row(logits.row(r), activation: activation, target: target.row(r), width: d,
                          gradient: gradient?.row(r), scale: scale, logVariance: logVariance?.values,
                          logVarianceGradient: gradient == nil ? nil : logVariance?.gradient))
    }
    return total * Double(weight)
  }

  /// The loss of each of `rows` rows (summed over its `width` features) into `losses`:
  /// the anomaly score. Touches nothing but its arguments.
  public func rowLosses(
    logits: UnsafePointer<Float>, activation: Activation, target: UnsafePointer<Float>,
    rows: Int, width: Int, logVariance: UnsafePointer<Float>? = nil, into losses: UnsafeMutablePointer<Float>
  ) {
    for r in 0..<rows {
      losses[r] = row(UnsafeMutablePointer(mutating: logits + r * width), activation: activation,
                      target: UnsafeMutablePointer(mutating: target + r * width), width: width,
                      gradient: nil, scale: 0, logVariance: logVariance, logVarianceGradient: nil)
    }
  }

  /// The loss a perfect reconstruction of one row of `target` (`width` values) would have: the
  /// least this loss can be on that row. BCE: the target's entropy, `-sum_j t_j log t_j +
  /// (1 - t_j) log(1 - t_j)` (0 for 0/1 values); cross-entropy: `-sum_j t_j log t_j`; Gaussian:
  /// `sum_j (log sigma_j^2 + log 2 pi) / 2`; squared error: 0. The `excess` anomaly score is
  /// the loss minus this.
  public func perfectRowLoss(target t: UnsafePointer<Float>, width d: Int, logVariance s: UnsafePointer<Float>?) -> Float {
    /// x log x, 0 at 0 (its limit); targets outside [0, 1] count as 0 (a BCE head refuses them in training).
    @inline(__always) func xLogX(_ x: Float) -> Float { x > 0 && x < 1 ? x * logf32(x) : 0 }
    var sum: Float = 0
    switch self {
    case .mse: return 0
    case .bce: for j in 0..<d { sum -= xLogX(t[j]) + xLogX(1 - t[j]) }
    case .categorical: for j in 0..<d { sum -= xLogX(t[j]) }
    case .gaussian: for j in 0..<d { sum += 0.5 * (s![j] + Self.logTwoPi) }
    }
    return sum
  }

  /// One row's loss, and its gradient times `scale` when `gradient` is given.
  @inline(__always)
  func row(
    _ z: UnsafeMutablePointer<Float>, activation: Activation, target t: UnsafeMutablePointer<Float>,
    width d: Int, gradient g: UnsafeMutablePointer<Float>?, scale: Float,
    logVariance: UnsafePointer<Float>?, logVarianceGradient: UnsafeMutablePointer<Float>?
  ) -> Float {
    switch (self, activation) {
    case (.bce, .sigmoid): Loss.bceWithLogits(z, t, g, d, scale)
    case (.bce, _): Loss.bceOnOutput(z, activation, t, g, d, scale)
    case (.mse, _): Loss.squaredError(z, activation, t, g, d, scale)
    case (.gaussian, _):
      Loss.gaussianNLL(z, activation, t, g, d, scale, logVariance!, logVarianceGradient)
    case (.categorical, _): Loss.softmaxCrossEntropy(z, t, g, d, scale)
    }
  }

  /// Gaussian NLL on `y = f(z)` with log-variances s: gradient `(y - t) e^-s f'(z)` for the
  /// logits and `(1 - (y - t)^2 e^-s) / 2` for s.
  static func gaussianNLL(
    _ z: UnsafeMutablePointer<Float>, _ f: Activation, _ t: UnsafeMutablePointer<Float>,
    _ g: UnsafeMutablePointer<Float>?, _ d: Int, _ scale: Float,
    _ s: UnsafePointer<Float>, _ gs: UnsafeMutablePointer<Float>?
  ) -> Float {
    var sum: Float = 0
    for j in 0..<d {
      var y = z[j]
      f.apply(&y, count: 1)
      let diff = y - t[j], precision = VectorMath.exp(-s[j])
      sum += 0.5 * (diff * diff * precision + s[j] + logTwoPi)
      if let g {
        var dy = diff * precision * scale
        f.backward(&dy, output: &y, count: 1)
        g[j] = dy
        gs?[j] += 0.5 * (1 - diff * diff * precision) * scale
      }
    }
    return sum
  }

  /// BCE from logits: `max(z, 0) - z t + log(1 + e^-|z|)`, gradient `sigmoid(z) - t`.
  /// Eight values at a time, then the remainder one by one (same arithmetic per value).
  @inline(__always)
  static func bceWithLogits(
    _ z: UnsafeMutablePointer<Float>, _ t: UnsafeMutablePointer<Float>,
    _ g: UnsafeMutablePointer<Float>?, _ d: Int, _ scale: Float
  ) -> Float {
    typealias V = VectorMath.Lanes
    var sums = V(repeating: 0)
    let zero = V(repeating: 0)
    var j = 0
    while j + 8 <= d {
      let zv = VectorMath.load(z + j), tv = VectorMath.load(t + j)
      let e = VectorMath.exp(-VectorMath.magnitude(zv))
      let positive: V = VectorMath.maximum(zv, zero)
      sums += positive - zv * tv + VectorMath.log1pUnit(e)
      if let g {
        let inverse: V = 1 / (1 + e)
        let s: V = inverse.replacing(with: e * inverse, where: zv .< zero)
        VectorMath.store((s - tv) * scale, to: g + j)
      }
      j += 8
    }
    var sum = sums.sum()
    while j < d {
      let e = VectorMath.exp(-abs(z[j]))
      sum += max(z[j], 0) - z[j] * t[j] + VectorMath.log1pUnit(e)
      if let g {
        let inverse = 1 / (1 + e)
        g[j] = ((z[j] < 0 ? e * inverse : inverse) - t[j]) * scale
      }
      j += 1
    }
    return sum
  }

  /// Cross-entropy of softmax(z) against t: `sum(t) lse(z) - sum_j t_j z_j`, gradient
  /// `softmax(z) sum(t) - t` (for a one-hot t, the usual `softmax(z) - t`).
  static func softmaxCrossEntropy(
    _ z: UnsafeMutablePointer<Float>, _ t: UnsafeMutablePointer<Float>,
    _ g: UnsafeMutablePointer<Float>?, _ d: Int, _ scale: Float
  ) -> Float {
    guard d > 0 else { return 0 }
    var largest = z[0]
    for j in 1..<d { largest = max(largest, z[j]) }
    var sum: Float = 0, mass: Float = 0, dot: Float = 0
    for j in 0..<d { sum += VectorMath.exp(z[j] - largest); mass += t[j]; dot += t[j] * z[j] }
    let logSum = largest + logf32(sum)
    if let g {
      for j in 0..<d { g[j] = (VectorMath.exp(z[j] - logSum) * mass - t[j]) * scale }
    }
    return mass * logSum - dot
  }

  /// BCE on an output that is not a sigmoid (clamped away from 0 and 1).
  static func bceOnOutput(
    _ z: UnsafeMutablePointer<Float>, _ f: Activation, _ t: UnsafeMutablePointer<Float>,
    _ g: UnsafeMutablePointer<Float>?, _ d: Int, _ scale: Float
  ) -> Float {
    var sum: Float = 0
    let eps: Float = 1e-7
    for j in 0..<d {
      var y = z[j]
      f.apply(&y, count: 1)
      let c = min(max(y, eps), 1 - eps)
      sum -= t[j] * logf32(c) + (1 - t[j]) * logf32(1 - c)
      if let g {
        var dy = (c - t[j]) / (c * (1 - c)) * scale
        f.backward(&dy, output: &y, count: 1)
        g[j] = dy
      }
    }
    return sum
  }

  /// Squared error on `y = f(z)`, gradient `2 (y - t) f'(z)`.
  @inline(__always)
  static func squaredError(
    _ z: UnsafeMutablePointer<Float>, _ f: Activation, _ t: UnsafeMutablePointer<Float>,
    _ g: UnsafeMutablePointer<Float>?, _ d: Int, _ scale: Float
  ) -> Float {
    var sum: Float = 0
    if f == .linear {
      for j in 0..<d {
        let diff = z[j] - t[j]
        sum += diff * diff
        g?[j] = 2 * diff * scale
      }
      return sum
    }
    for j in 0..<d {
      var y = z[j]
      f.apply(&y, count: 1)
      let diff = y - t[j]
      sum += diff * diff
      if let g {
        var dy = 2 * diff * scale
        f.backward(&dy, output: &y, count: 1)
        g[j] = dy
      }
    }
    return sum
  }
}
