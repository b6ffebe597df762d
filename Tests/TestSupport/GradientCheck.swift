import Tensor

/// Central finite differences against analytic gradients.
///
/// The check perturbs each value by ±`step`, evaluates `loss` (accumulated in Double), and
/// compares the numeric slope with `analytic`. The error is measured over the whole tensor:
/// `|a - n| / max(|a|, |n|)` with Euclidean norms, which is robust to single tiny entries.
public enum GradientCheck {
  /// Relative error between analytic and numeric gradients of `loss` with respect to the
  /// `count` values at `values`.
  public static func relativeError(
    values: UnsafeMutablePointer<Float>, count: Int, analytic: [Float], step: Float = 1e-2,
    loss: () -> Double
  ) -> Double {
    precondition(analytic.count == count, "analytic gradient has \(analytic.count) values, expected \(count)")
    var numeric = [Double](repeating: 0, count: count)
    for i in 0..<count {
      let saved = values[i]
      values[i] = saved + step
      let plus = loss()
      values[i] = saved - step
      let minus = loss()
      values[i] = saved
      numeric[i] = (plus - minus) / (2 * Double(step))
    }
    var difference = 0.0, normA = 0.0, normN = 0.0
    for i in 0..<count {
      let a = Double(analytic[i])
      difference += (a - numeric[i]) * (a - numeric[i])
      normA += a * a
      normN += numeric[i] * numeric[i]
    }
    let scale = max(normA.squareRoot(), normN.squareRoot(), 1e-12)
    return difference.squareRoot() / scale
  }

  /// A tensor of uniform values in [low, high), drawn from `seed`.
  public static func randomTensor(rows: Int, cols: Int, seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var random = SeededRandom(seed: seed)
    let t = Tensor(rows: rows, cols: cols)
    for i in 0..<t.count { t.data[i] = random.uniform(low, high) }
    return t
  }

  /// `sum_i a_i * b_i` in Double.
  public static func dot(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.count == b.count)
    var s = 0.0
    for i in 0..<a.count { s += Double(a.data[i]) * Double(b.data[i]) }
    return s
  }
}
