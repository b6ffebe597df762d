import Layers

/// The adjoint of a 2-D convolution (what PyTorch calls ConvTranspose2d): it reads the small
/// image and writes the large one. Kernel (kh, kw, out channels, in channels), bias (out).
enum Conv2DTransposeKind: LayerKindDescriptor {
  /// The geometry of the convolution it is the adjoint of, over its output image.
  static func geometry(_ layer: LayerSpec) -> ConvGeometry? {
    ConvolutionRules.geometry(layer, image: layer.outputShape ?? [])
  }

  static func problems(_ layer: LayerSpec, inputWidth: Int) -> [String] {
    ConvolutionRules.problems(layer, inputWidth: inputWidth, geometry: geometry(layer),
                              small: layer.inputShape ?? [], dimensions: 3)
  }

  static func parameterShapes(_ layer: LayerSpec, inputWidth: Int) -> (kernel: [Int], bias: Int) {
    let k = layer.kernel ?? [0, 0], input = layer.inputShape ?? [0, 0, 0], output = layer.outputShape ?? [0, 0, 0]
    return ([k[0], k[1], output[2], input[2]], output[2])
  }

  static func operation(_ layer: LayerSpec, inputWidth: Int) -> LayerOperation {
    guard let geometry = geometry(layer), let input = layer.inputShape else { return .dense(inputWidth: inputWidth, outputWidth: layer.units) }
    return .transposedConvolution(geometry, inputChannels: input[2])
  }
}
