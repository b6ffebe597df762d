import Tensor

/// Layers applied in order; backward runs them in reverse.
public final class Sequential {
  public let layers: [Layer]

  /// A chain of layers; the first layer is told it need not compute its input gradient.
  public init(_ layers: [Layer], needsInputGradient: Bool = false) {
    self.layers = layers
    if let first = layers.first { first.needsInputGradient = needsInputGradient }
  }

  public var inputWidth: Int { layers.first?.inputWidth ?? 0 }
  public var outputWidth: Int { layers.last?.outputWidth ?? 0 }

  public func forward(_ x: Tensor, training: Bool) -> Tensor {
    var h = x
    for layer in layers { h = layer.forward(h, training: training) }
    return h
  }

  /// Backward through every layer; returns dLoss/dInput when the first layer computes it.
  @discardableResult
  public func backward(_ dy: Tensor) -> Tensor? {
    var g: Tensor? = dy
    for layer in layers.reversed() {
      guard let current = g else { return nil }
      g = layer.backward(current)
    }
    return g
  }
}
