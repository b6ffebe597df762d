import Layers

/// One parameter tensor of a model, as it is named in the model file.
public struct NamedParameter: Sendable, Equatable {
  /// Path inside the file, e.g. "encoder/00_dense/kernel".
  public let path: String
  public let shape: [Int]
  /// Offset of its first value in the model's one block of parameters.
  public let offset: Int
  public var count: Int { shape.reduce(1, *) }
}

/// The network a spec describes, worked out once: every layer's operation, widths and
/// activation, and where its weights sit in the one block of parameters. The training model
/// builds its layers from it and the runtime runs it, so the two cannot drift apart.
public struct NetworkPlan: Sendable {
  /// One layer: what it computes and where its weights are.
  public struct Step: Sendable {
    public let kind: LayerKind
    public let operation: LayerOperation
    public let inputWidth: Int
    public let outputWidth: Int
    /// The activation inside the network. The decoder's last layer is linear here: the loss
    /// sees its logits, and the output heads apply their activations after it.
    public let activation: Activation
    /// The group that holds its weights in the model file, e.g. "decoder/01_conv2d_transpose".
    public let group: String
    public let kernelOffset: Int
    public let biasOffset: Int
  }

  public let encoder: [Step]
  public let decoder: [Step]
  /// Every parameter tensor in storage order: each layer's kernel then bias, encoder first,
  /// then the Gaussian likelihood's log-variances.
  public let parameters: [NamedParameter]
  public let parameterCount: Int
  /// Where the learned log-variances start (models with a Gaussian head), one per output value.
  public let logVarianceOffset: Int?
  /// The widest row any layer reads or writes.
  public let maxWidth: Int
  /// The most im2col scratch values any convolution needs per row.
  public let maxColumns: Int

  /// Where the Gaussian likelihood's log-variances live in the model file.
  public static let logVariancePath = "likelihood/gaussian/log_variance"

  /// The plan of a spec; throws `ModelError` naming its problems when it has any.
  public init(_ spec: ModelSpec) throws {
    let problems = spec.problems()
    guard problems.isEmpty else { throw ModelError("invalid model: " + problems.joined(separator: "; ")) }
    var parameters: [NamedParameter] = []
    var offset = 0
    func plan(_ part: String, _ layers: [LayerSpec], inputWidth: Int, isDecoder: Bool) -> [Step] {
      var width = inputWidth
      return layers.enumerated().map { i, layer in
        defer { width = layer.units }
        let descriptor = layer.kind.descriptor
        let shapes = descriptor.parameterShapes(layer, inputWidth: width)
        let group = "\(part)/" + ModelSpec.layerGroupName(index: i, kind: layer.kind)
        let kernelOffset = offset
        parameters.append(NamedParameter(path: group + "/kernel", shape: shapes.kernel, offset: offset))
        offset += shapes.kernel.reduce(1, *)
        parameters.append(NamedParameter(path: group + "/bias", shape: [shapes.bias], offset: offset))
        defer { offset += shapes.bias }
        return Step(kind: layer.kind, operation: descriptor.operation(layer, inputWidth: width), inputWidth: width,
                    outputWidth: layer.units, activation: isDecoder && i == layers.count - 1 ? .linear : layer.activation,
                    group: group, kernelOffset: kernelOffset, biasOffset: offset)
      }
    }
    encoder = plan("encoder", spec.encoder, inputWidth: spec.encoderInputWidth, isDecoder: false)
    decoder = plan("decoder", spec.decoder, inputWidth: spec.decoderInputWidth, isDecoder: true)
    if spec.hasGaussianLikelihood {
      logVarianceOffset = offset
      parameters.append(NamedParameter(path: NetworkPlan.logVariancePath, shape: [spec.inputWidth], offset: offset))
      offset += spec.inputWidth
    } else {
      logVarianceOffset = nil
    }
    self.parameters = parameters
    parameterCount = offset
    maxWidth = ([spec.encoderInputWidth, spec.decoderInputWidth] + (spec.encoder + spec.decoder).map(\.units)).max() ?? 1
    maxColumns = (encoder + decoder).map(\.operation.columnsPerRow).max() ?? 0
  }
}
