import Layers

/// A convolution over time: rows are (time, channels) frames; kernel (k, in channels,
/// filters), bias (filters), as Keras's Conv1D. Computed as a 2-D convolution of height 1.
enum Conv1DKind: LayerKindDescriptor {
  static func geometry(_ layer: LayerSpec) -> ConvGeometry? {
    ConvolutionRules.geometry(layer, image: ConvolutionRules.image(ofFrames: layer.inputShape))
  }

  static func problems(_ layer: LayerSpec, inputWidth: Int) -> [String] {
    ConvolutionRules.problems(layer, inputWidth: inputWidth, geometry: geometry(layer),
                              small: layer.outputShape ?? [], dimensions: 2)
  }

  static func parameterShapes(_ layer: LayerSpec, inputWidth: Int) -> (kernel: [Int], bias: Int) {
    let k = layer.kernel ?? [0, 0], input = layer.inputShape ?? [0, 0], output = layer.outputShape ?? [0, 0]
    return ([k[1], input[1], output[1]], output[1])
  }

  static func operation(_ layer: LayerSpec, inputWidth: Int) -> LayerOperation {
    guard let geometry = geometry(layer), let output = layer.outputShape else { return .dense(inputWidth: inputWidth, outputWidth: layer.units) }
    return .convolution(geometry, filters: output[1])
  }
}
