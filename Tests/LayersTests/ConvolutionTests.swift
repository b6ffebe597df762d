import Layers
import Tensor
import TestSupport
import Testing

@Suite struct ConvolutionTests {
  /// 5x6 images with 2 channels, 3x3 kernels, stride 2, padding 1: outputs 3x3.
  let geometry = ConvGeometry(height: 5, width: 6, channels: 2, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)

  @Test func shapes() {
    #expect(geometry.outputHeight == 3 && geometry.outputWidth == 3 && geometry.patchSize == 18)
    let fashion = ConvGeometry(height: 28, width: 28, channels: 1, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
    #expect(fashion.outputHeight == 14 && fashion.outputWidth == 14)
    #expect(!ConvGeometry(height: 2, width: 2, channels: 1, kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 0).problems().isEmpty)
  }

  @Test(arguments: [Activation.linear, .tanh, .sigmoid])
  func conv2DGradients(activation: Activation) {
    let (layer, store) = ConvolutionChecks.bound(Conv2D(geometry: geometry, filters: 4, activation: activation), seed: 3)
    let (input, parameters) = ConvolutionChecks.gradientErrors(layer, store)
    #expect(input < 1e-3 && parameters < 1e-3, "input \(input), parameters \(parameters)")
  }

  @Test(arguments: [Activation.linear, .tanh, .sigmoid])
  func convTranspose2DGradients(activation: Activation) {
    let (layer, store) = ConvolutionChecks.bound(ConvTranspose2D(geometry: geometry, inputChannels: 3, activation: activation), seed: 4)
    let (input, parameters) = ConvolutionChecks.gradientErrors(layer, store)
    #expect(input < 1e-3 && parameters < 1e-3, "input \(input), parameters \(parameters)")
  }

  /// With the same kernel, the transposed convolution is the adjoint of the convolution:
  /// <conv(x), y> = <x, convT(y)> for any x and y (biases zero, linear activation).
  @Test func transposeIsTheAdjoint() {
    let (left, right) = ConvolutionChecks.adjointPair(geometry, filters: 3)
    #expect(abs(left - right) < 1e-4 * max(abs(left), 1))
  }

  /// im2col against its definition, value by value, on geometries whose patches run off
  /// every edge (padding wider than the kernel included, square and per axis, 1-D over time);
  /// col2im must be its exact adjoint. Arguments: h, w, c, kh, kw, sh, sw, ph, pw.
  @Test(arguments: [(5, 6, 2, 3, 2, 2, 2, 1, 1), (4, 4, 1, 3, 3, 1, 1, 2, 2), (7, 5, 3, 1, 2, 2, 2, 3, 3), (3, 3, 1, 3, 3, 1, 1, 1, 1),
                    (7, 6, 2, 3, 5, 2, 1, 1, 2), (6, 9, 1, 2, 4, 1, 3, 0, 3), (1, 9, 2, 1, 4, 1, 2, 0, 1), (1, 7, 3, 1, 3, 1, 1, 0, 4)])
  func im2colCopiesEveryPatch(h: Int, w: Int, c: Int, kh: Int, kw: Int, sh: Int, sw: Int, ph: Int, pw: Int) {
    let g = ConvGeometry(height: h, width: w, channels: c, kernelHeight: kh, kernelWidth: kw,
                         strideHeight: sh, strideWidth: sw, paddingHeight: ph, paddingWidth: pw)
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
                let y = oy * sh + ky - ph, x = ox * sw + kx - pw
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
    let (conv, store) = ConvolutionChecks.bound(Conv2D(geometry: g, filters: 5, activation: .relu), seed: 7)
    let dense = Dense(inputWidth: 4, outputWidth: 5, activation: .relu)
    dense.bind(parameters: store.values, gradients: store.gradients)
    let x = GradientCheck.randomTensor(rows: 2, cols: g.imageSize, seed: 8)
    let pixels = Tensor(rows: 12, cols: 4, values: x.values)
    #expect(conv.forward(x, training: false).values == dense.forward(pixels, training: false).values)
  }
}
