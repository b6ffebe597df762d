import Layers

/// `y = f(x W + b)`: kernel (in, out), bias (out).
enum DenseKind: LayerKindDescriptor {
  static func problems(_ layer: LayerSpec, inputWidth: Int) -> [String] {
    layer.kernel == nil && layer.stride == nil && layer.padding == nil && layer.inputShape == nil && layer.outputShape == nil
      ? [] : ["a dense layer takes no kernel, stride, padding or shapes"]
  }

  static func parameterShapes(_ layer: LayerSpec, inputWidth: Int) -> (kernel: [Int], bias: Int) {
    ([inputWidth, layer.units], layer.units)
  }

  static func operation(_ layer: LayerSpec, inputWidth: Int) -> LayerOperation {
    .dense(inputWidth: inputWidth, outputWidth: layer.units)
  }
}
