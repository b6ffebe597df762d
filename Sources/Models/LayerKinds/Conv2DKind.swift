import Layers

/// A 2-D convolution over NHWC images: kernel (kh, kw, in channels, filters), bias (filters).
enum Conv2DKind: LayerKindDescriptor {
  static func geometry(_ layer: LayerSpec) -> ConvGeometry? {
    ConvolutionRules.geometry(layer, image: layer.inputShape ?? [])
  }

  static func problems(_ layer: LayerSpec, inputWidth: Int) -> [String] {
    ConvolutionRules.problems(layer, inputWidth: inputWidth, geometry: geometry(layer),
                              small: layer.outputShape ?? [], dimensions: 3)
  }

  static func parameterShapes(_ layer: LayerSpec, inputWidth: Int) -> (kernel: [Int], bias: Int) {
    let k = layer.kernel ?? [0, 0], input = layer.inputShape ?? [0, 0, 0], output = layer.outputShape ?? [0, 0, 0]
    return ([k[0], k[1], input[2], output[2]], output[2])
  }

  static func operation(_ layer: LayerSpec, inputWidth: Int) -> LayerOperation {
    guard let geometry = geometry(layer), let output = layer.outputShape else { return .dense(inputWidth: inputWidth, outputWidth: layer.units) }
    return .convolution(geometry, filters: output[2])
  }
}
