import Tensor

/// One step of a network: a forward pass, and a backward pass that returns the input gradient
/// and adds parameter gradients into the model's gradient buffer.
///
/// Layers own their output and input-gradient buffers and reuse them from batch to batch, so a
/// training step allocates nothing once the first batch has been seen. A returned tensor stays
/// valid until the layer's next call of the same kind.
public protocol Layer: AnyObject {
  /// Values per input row.
  var inputWidth: Int { get }
  /// Values per output row.
  var outputWidth: Int { get }
  /// The parameter tensors this layer owns, in storage order (empty for parameter-free layers).
  var parameterShapes: [ParameterShape] { get }
  /// Point the layer at its slice of the parameter and gradient buffers.
  func bind(parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>)
  /// Whether `backward` must compute the input gradient (false for a network's first layer).
  var needsInputGradient: Bool { get set }
  /// Output for input `x` (n x inputWidth) as n x outputWidth. `training` enables dropout.
  func forward(_ x: Tensor, training: Bool) -> Tensor
  /// Given `dy` = dLoss/dOutput of the last forward call, add parameter gradients and return
  /// dLoss/dInput (nil when `needsInputGradient` is false). May overwrite `dy`.
  func backward(_ dy: Tensor) -> Tensor?
}

extension Layer {
  public var parameterCount: Int { parameterShapes.reduce(0) { $0 + $1.count } }
}
