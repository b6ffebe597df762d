import Layers

/// The adjoint of a convolution over time: reads the shorter (time, channels) frames and
/// writes the longer ones. Kernel (k, out channels, in channels), bias (out).
enum Conv1DTransposeKind: LayerKindDescriptor {
  static func geometry(_ layer: LayerSpec) -> ConvGeometry? {
    ConvolutionRules.geometry(layer, image: ConvolutionRules.image(ofFrames: layer.outputShape))
  }

  static func problems(_ layer: LayerSpec, inputWidth: Int) -> [String] {
    ConvolutionRules.problems(layer, inputWidth: inputWidth, geometry: geometry(layer),
                              small: layer.inputShape ?? [], dimensions: 2)
  }

  static func parameterShapes(_ layer: LayerSpec, inputWidth: Int) -> (kernel: [Int], bias: Int) {
    let k = layer.kernel ?? [0, 0], input = layer.inputShape ?? [0, 0], output = layer.outputShape ?? [0, 0]
    return ([k[1], output[1], input[1]], output[1])
  }

  static func operation(_ layer: LayerSpec, inputWidth: Int) -> LayerOperation {
    guard let geometry = geometry(layer), let input = layer.inputShape else { return .dense(inputWidth: inputWidth, outputWidth: layer.units) }
    return .transposedConvolution(geometry, inputChannels: input[1])
  }
}
