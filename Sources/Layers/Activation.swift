import Tensor

/// Elementwise nonlinearities. Each derivative is written in terms of the output `y`, so a
/// layer keeps only its output for the backward pass.
public enum Activation: String, Codable, CaseIterable, Sendable {
  case linear
  case relu
  case leakyRelu = "leaky_relu"
  case tanh
  case sigmoid
  /// Over a whole output head: `y_j = e^z_j / sum_k e^z_k` across the `count` values given
  /// (output heads only; layers refuse it).
  case softmax

  /// Slope of leaky ReLU for negative inputs (PyTorch's default).
  public static let leakySlope: Float = 0.01

  /// `y = f(z)` in place over `count` values.
  @inlinable
  public func apply(_ z: UnsafeMutablePointer<Float>, count: Int) {
    switch self {
    case .linear: return
    case .relu: VectorMath.relu(z, count: count)
    case .leakyRelu: for i in 0..<count { z[i] = z[i] > 0 ? z[i] : z[i] * Activation.leakySlope }
    case .tanh:
      var i = 0
      while i + 8 <= count {
        VectorMath.store(VectorMath.tanh(VectorMath.load(z + i)), to: z + i)
        i += 8
      }
      while i < count { z[i] = VectorMath.tanh(z[i]); i += 1 }
    case .sigmoid:
      var i = 0
      while i + 8 <= count {
        VectorMath.store(VectorMath.sigmoid(VectorMath.load(z + i)), to: z + i)
        i += 8
      }
      while i < count { z[i] = VectorMath.sigmoid(z[i]); i += 1 }
    case .softmax:
      Activation.softmax(z, count: count)
    }
  }

  /// The numerically stable softmax of `count` values in place (max subtracted first).
  @inlinable
  static func softmax(_ z: UnsafeMutablePointer<Float>, count: Int) {
    guard count > 0 else { return }
    var largest = z[0]
    for i in 1..<count { largest = max(largest, z[i]) }
    var sum: Float = 0
    for i in 0..<count { z[i] = VectorMath.exp(z[i] - largest); sum += z[i] }
    let inverse = 1 / sum
    for i in 0..<count { z[i] *= inverse }
  }

  /// Half-width of the uniform range initial weights are drawn from: He-uniform
  /// (sqrt(6 / fanIn)) before ReLU-like activations, Glorot-uniform (sqrt(6 / (fanIn + fanOut)))
  /// otherwise. Shared by every layer with a kernel.
  public func initialWeightLimit(fanIn: Int, fanOut: Int) -> Float {
    switch self {
    case .relu, .leakyRelu: (6 / Float(fanIn)).squareRoot()
    default: (6 / Float(fanIn + fanOut)).squareRoot()
    }
  }

  /// f'(z) and f''(z) from the output y = f(z), for one value.
  @inlinable
  public func derivatives(output y: Float) -> (first: Float, second: Float) {
    switch self {
    case .linear: return (1, 0)
    case .relu: return (y > 0 ? 1 : 0, 0)
    case .leakyRelu: return (y > 0 ? 1 : Activation.leakySlope, 0)
    case .tanh:
      let first = 1 - y * y
      return (first, -2 * y * first)
    case .sigmoid, .softmax: // softmax: the Jacobian's diagonal (no layer uses it)
      let first = y * (1 - y)
      return (first, first * (1 - 2 * y))
    }
  }

  /// `dz = dy * f'(z)`, with f' taken from the output `y`; written into `dy` in place.
  @inlinable
  public func backward(_ dy: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, count: Int) {
    switch self {
    case .linear: return
    case .relu:
      var i = 0
      let zero = VectorMath.Lanes(repeating: 0)
      while i + 8 <= count {
        let gate = VectorMath.load(y + i) .> zero
        VectorMath.store(zero.replacing(with: VectorMath.load(dy + i), where: gate), to: dy + i)
        i += 8
      }
      while i < count { dy[i] = y[i] > 0 ? dy[i] : 0; i += 1 }
    case .leakyRelu: for i in 0..<count { dy[i] = y[i] > 0 ? dy[i] : dy[i] * Activation.leakySlope }
    case .tanh: for i in 0..<count { dy[i] *= 1 - y[i] * y[i] }
    case .sigmoid: for i in 0..<count { dy[i] *= y[i] * (1 - y[i]) }
    case .softmax: // the full Jacobian over the `count` values: dz = y * (dy - <dy, y>)
      var dot: Float = 0
      for i in 0..<count { dot += dy[i] * y[i] }
      for i in 0..<count { dy[i] = y[i] * (dy[i] - dot) }
    }
  }
}
