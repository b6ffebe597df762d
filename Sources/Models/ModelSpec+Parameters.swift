/// The parameter tensors a spec implies, named as in the model file, computed from the spec
/// alone (no allocation): a loader checks a file's datasets against it before building a
/// model, and `Autoencoder` checks its layers against it when it builds one.
extension ModelSpec {
  /// One parameter tensor: its path in the model file and its shape.
  public struct ParameterEntry: Equatable, Sendable {
    public let path: String
    public let shape: [Int]
  }

  /// Every parameter tensor in storage order: each layer's kernel then bias, encoder first,
  /// then the Gaussian likelihood's log-variances. Kernels are Keras-ordered: dense (in, out),
  /// conv2d (kh, kw, in channels, filters), conv2d_transpose (kh, kw, out channels, in channels).
  /// Meaningful only for a spec without `problems()`.
  public var parameterLayout: [ParameterEntry] {
    var entries: [ParameterEntry] = []
    for (part, layers, start) in [("encoder", encoder, encoderInputWidth), ("decoder", decoder, decoderInputWidth)] {
      var width = start
      for (i, layer) in layers.enumerated() {
        let group = "\(part)/" + ModelSpec.layerGroupName(index: i, type: layer.type)
        let kernel: [Int], bias: Int
        let k = layer.kernel ?? 0, input = layer.inputShape ?? [], output = layer.outputShape ?? []
        switch layer.type {
        case LayerSpec.convolutionType where input.count == 3 && output.count == 3:
          kernel = [k, k, input[2], output[2]]
          bias = output[2]
        case LayerSpec.transposedConvolutionType where input.count == 3 && output.count == 3:
          kernel = [k, k, output[2], input[2]]
          bias = output[2]
        default:
          kernel = [width, layer.units]
          bias = layer.units
        }
        entries.append(ParameterEntry(path: group + "/kernel", shape: kernel))
        entries.append(ParameterEntry(path: group + "/bias", shape: [bias]))
        width = layer.units
      }
    }
    if loss == .gaussian { entries.append(ParameterEntry(path: ModelSpec.logVariancePath, shape: [inputWidth])) }
    return entries
  }

  /// Where the Gaussian likelihood's log-variances live in the model file.
  public static let logVariancePath = "likelihood/gaussian/log_variance"
}
