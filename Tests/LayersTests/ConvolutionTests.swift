import Layers
import Tensor
import TestSupport
import Testing

@Suite struct ConvolutionTests {
  /// 5x6 images with 2 channels, 3x3 kernels, stride 2, padding 1: outputs 3x3.
  let geometry = ConvGeometry(height: 5, width: 6, channels: 2, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)

  func bound<L: Layer>(_ layer: L, seed: UInt64) -> (L, ParameterStore) {
    let store = ParameterStore(count: layer.parameterCount)
    layer.bind(parameters: store.values, gradients: store.gradients)
    var random = SeededRandom(seed: seed)
    for i in 0..<store.count { store.values[i] = random.uniform(-0.5, 0.5) }
    return (layer, store)
  }

  /// Loss sum(layer(x) * r): analytic input and parameter gradients against finite differences.
  func errors(_ layer: Layer, _ store: ParameterStore) -> (Double, Double) {
    let x = GradientCheck.randomTensor(rows: 3, cols: layer.inputWidth, seed: 1)
    let r = GradientCheck.randomTensor(rows: 3, cols: layer.outputWidth, seed: 2)
    func loss() -> Double { GradientCheck.dot(layer.forward(x, training: true), r) }
    store.zeroGradients()
    _ = layer.forward(x, training: true)
    let dx = layer.backward(r.copy())!.values
    let dp = Array(UnsafeBufferPointer(start: store.gradients, count: store.count))
    return (GradientCheck.relativeError(values: x.data, count: x.count, analytic: dx, loss: loss),
            GradientCheck.relativeError(values: store.values, count: store.count, analytic: dp, loss: loss))
  }

  @Test func shapes() {
    #expect(geometry.outputHeight == 3 && geometry.outputWidth == 3 && geometry.patchSize == 18)
    let fashion = ConvGeometry(height: 28, width: 28, channels: 1, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
    #expect(fashion.outputHeight == 14 && fashion.outputWidth == 14)
    #expect(!ConvGeometry(height: 2, width: 2, channels: 1, kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 0).problems().isEmpty)
  }

  @Test(arguments: [Activation.linear, .tanh, .sigmoid])
  func conv2DGradients(activation: Activation) {
    let (layer, store) = bound(Conv2D(geometry: geometry, filters: 4, activation: activation), seed: 3)
    let (input, parameters) = errors(layer, store)
    #expect(input < 1e-3 && parameters < 1e-3, "input \(input), parameters \(parameters)")
  }

  @Test(arguments: [Activation.linear, .tanh, .sigmoid])
  func convTranspose2DGradients(activation: Activation) {
    let (layer, store) = bound(ConvTranspose2D(geometry: geometry, inputChannels: 3, activation: activation), seed: 4)
    let (input, parameters) = errors(layer, store)
    #expect(input < 1e-3 && parameters < 1e-3, "input \(input), parameters \(parameters)")
  }

  /// With the same kernel, the transposed convolution is the adjoint of the convolution:
  /// <conv(x), y> = <x, convT(y)> for any x and y (biases zero, linear activation).
  @Test func transposeIsTheAdjoint() {
    let conv = Conv2D(geometry: geometry, filters: 3, activation: .linear)
    let transpose = ConvTranspose2D(geometry: geometry, inputChannels: 3, activation: .linear)
    let store = ParameterStore(count: conv.parameterCount)
    conv.bind(parameters: store.values, gradients: store.gradients)
    transpose.bind(parameters: store.values, gradients: store.gradients)
    var random = SeededRandom(seed: 9)
    for i in 0..<(geometry.patchSize * 3) { store.values[i] = random.uniform(-1, 1) }
    let x = GradientCheck.randomTensor(rows: 2, cols: conv.inputWidth, seed: 5)
    let y = GradientCheck.randomTensor(rows: 2, cols: conv.outputWidth, seed: 6)
    let left = GradientCheck.dot(conv.forward(x, training: false), y)
    let right = GradientCheck.dot(x, transpose.forward(y, training: false))
    #expect(abs(left - right) < 1e-4 * max(abs(left), 1))
  }

  /// im2col against its definition, value by value, on geometries whose patches run off
  /// every edge (padding wider than the kernel included); col2im must be its exact adjoint.
  @Test(arguments: [(5, 6, 2, 3, 2, 2, 1), (4, 4, 1, 3, 3, 1, 2), (7, 5, 3, 1, 2, 2, 3), (3, 3, 1, 3, 3, 1, 1)])
  func im2colCopiesEveryPatch(h: Int, w: Int, c: Int, kh: Int, kw: Int, stride: Int, padding: Int) {
    let g = ConvGeometry(height: h, width: w, channels: c, kernelHeight: kh, kernelWidth: kw, stride: stride, padding: padding)
    #expect(g.problems().isEmpty)
    let images = GradientCheck.randomTensor(rows: 2, cols: g.imageSize, seed: 11)
    let columns = Tensor(rows: 2 * g.positions, cols: g.patchSize)
    columns.fill(.nan)
    g.im2col(images.data, count: 2, into: columns.data)
    var mismatches = 0
    for n in 0..<2 {
      for oy in 0..<g.outputHeight {
        for ox in 0..<g.outputWidth {
          for ky in 0..<kh {
            for kx in 0..<kw {
              for ch in 0..<c {
                let y = oy * stride + ky - padding, x = ox * stride + kx - padding
                let expected = y >= 0 && y < h && x >= 0 && x < w ? images[n, (y * w + x) * c + ch] : 0
                let got = columns[(n * g.outputHeight + oy) * g.outputWidth + ox, (ky * kw + kx) * c + ch]
                if got != expected { mismatches += 1 }
              }
            }
          }
        }
      }
    }
    #expect(mismatches == 0)
    let r = GradientCheck.randomTensor(rows: 2 * g.positions, cols: g.patchSize, seed: 12)
    let back = Tensor(rows: 2, cols: g.imageSize)
    back.fill(0)
    g.col2im(r.data, count: 2, into: back.data)
    let left = GradientCheck.dot(columns, r), right = GradientCheck.dot(images, back)
    #expect(abs(left - right) < 1e-4 * max(abs(left), 1))
  }

  /// A 1x1 convolution with stride 1 is a dense layer applied to every pixel.
  @Test func pointwiseConvolutionIsDenseOnPixels() {
    let g = ConvGeometry(height: 2, width: 3, channels: 4, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0)
    let (conv, store) = bound(Conv2D(geometry: g, filters: 5, activation: .relu), seed: 7)
    let dense = Dense(inputWidth: 4, outputWidth: 5, activation: .relu)
    dense.bind(parameters: store.values, gradients: store.gradients)
    let x = GradientCheck.randomTensor(rows: 2, cols: g.imageSize, seed: 8)
    let pixels = Tensor(rows: 12, cols: 4, values: x.values)
    #expect(conv.forward(x, training: false).values == dense.forward(pixels, training: false).values)
  }
}
