import Layers
import Models

/// What exporters (ONNX) read of a model: its weights and output heads. Copies: the model's
/// own storage stays private and unwritten.
extension InferenceModel {
  /// `count` weights from `offset` of the plan's one block of parameters (a step's
  /// `kernelOffset` or `biasOffset`, a parameter's `offset`).
  public func weightValues(offset: Int, count: Int) -> [Float] {
    precondition(offset >= 0 && count >= 0 && offset + count <= plan.parameterCount, "weights \(offset)..<\(offset + count) of \(plan.parameterCount)")
    return Array(UnsafeBufferPointer(start: weights + offset, count: count))
  }

  /// The decoder output's segments, each with its activation (one for most models).
  public var outputHeads: [OutputHead] { heads }
}
