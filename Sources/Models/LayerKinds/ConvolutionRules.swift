import Layers

/// The checks and shape arithmetic the convolution kinds share. A 2-D convolution reads
/// NHWC images (height, width, channels); a 1-D one reads (time, channels) frames, which
/// are images of height 1, so both run on `ConvGeometry`.
enum ConvolutionRules {
  /// The geometry of a convolution over `image` (height, width, channels) with the layer's
  /// kernel, stride and padding, or nil when a setting is missing or has the wrong length.
  /// Padding is (height, width), both sides alike, or (top, left, bottom, right) as ONNX's pads.
  static func geometry(_ layer: LayerSpec, image: [Int]) -> ConvGeometry? {
    guard image.count == 3, let kernel = layer.kernel, let stride = layer.stride, let padding = layer.padding,
          kernel.count == 2, stride.count == 2, padding.count == 2 || padding.count == 4 else { return nil }
    let after = padding.count == 4 ? Array(padding[2...]) : padding
    return ConvGeometry(height: image[0], width: image[1], channels: image[2],
                        kernelHeight: kernel[0], kernelWidth: kernel[1], strideHeight: stride[0], strideWidth: stride[1],
                        paddingTop: padding[0], paddingLeft: padding[1], paddingBottom: after[0], paddingRight: after[1])
  }

  /// Problems of a convolution whose geometry maps its large shape to `small` (a
  /// convolution's output, a transposed one's input), for shapes of `dimensions` sizes.
  static func problems(
    _ layer: LayerSpec, inputWidth: Int, geometry: ConvGeometry?, small: [Int], dimensions: Int
  ) -> [String] {
    let name = layer.kind.rawValue
    guard let geometry, let input = layer.inputShape, let output = layer.outputShape,
          input.count == dimensions, output.count == dimensions else {
      let shape = dimensions == 3 ? "(height, width, channels)" : "(time, channels)"
      return ["a \(name) layer needs kernel, stride, padding (2 or 4 sizes), and input and output shapes \(shape)"]
    }
    if (input + output).contains(where: { $0 < 1 }) { return ["its shapes \(input) and \(output) must be positive"] }
    // Over time the height is 1 throughout: its weights are laid out (k, in, out), so a taller
    // kernel would read other layers' weights (and past them).
    if dimensions == 2 && (geometry.kernelHeight != 1 || geometry.strideHeight != 1 || geometry.paddingTop != 0 || geometry.paddingBottom != 0) {
      return ["a 1-D convolution has kernel and stride height 1 and pads only along time; got kernel \(layer.kernel ?? []), stride \(layer.stride ?? []), padding \(layer.padding ?? [])"]
    }
    var found = geometry.problems()
    if !found.isEmpty { return found }
    let (columns, overflow) = geometry.positions.multipliedReportingOverflow(by: geometry.patchSize)
    if overflow || columns > 1 << 40 {
      return ["its im2col patches (\(geometry.positions) x \(geometry.patchSize) values per row) are too large"]
    }
    if input.reduce(1, *) != inputWidth {
      found.append("it reads \(input.map(String.init).joined(separator: "x")) (\(input.reduce(1, *)) values) but gets rows of \(inputWidth)")
    }
    let smallHeight = dimensions == 3 ? small[0] : 1, smallWidth = dimensions == 3 ? small[1] : small[0]
    if smallHeight != geometry.outputHeight || smallWidth != geometry.outputWidth {
      let from = dimensions == 3 ? "\(geometry.height)x\(geometry.width)" : "\(geometry.width) steps"
      let to = dimensions == 3 ? "\(geometry.outputHeight)x\(geometry.outputWidth)" : "\(geometry.outputWidth)"
      let want = dimensions == 3 ? "\(small[0])x\(small[1])" : "\(small[0])"
      found.append("its kernel \(layer.kernel ?? []), stride \(layer.stride ?? []) and padding \(layer.padding ?? []) map \(from) to \(to), not \(want)")
    }
    if output.reduce(1, *) != layer.units { found.append("its output shape holds \(output.reduce(1, *)) values, not its \(layer.units) units") }
    return found
  }

  /// A (time, channels) shape as the (1, time, channels) image it is computed on.
  static func image(ofFrames shape: [Int]?) -> [Int] {
    guard let shape, shape.count == 2 else { return [] }
    return [1, shape[0], shape[1]]
  }
}
