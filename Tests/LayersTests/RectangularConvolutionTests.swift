import Layers
import Tensor
import TestSupport
import Testing

/// Convolutions whose kernel, stride and padding differ between the axes, and the 1-D
/// convolution over time (height 1) they include.
@Suite struct RectangularConvolutionTests {
  /// The geometries under test, by name (Swift Testing shows the name for each case).
  static let geometries: [String: ConvGeometry] = [
    // 7x6x2 images, 3x5 kernel, stride 2x1, padding 1x2: outputs 4x6.
    "3x5 kernel, stride 2x1, padding 1x2": ConvGeometry(
      height: 7, width: 6, channels: 2, kernelHeight: 3, kernelWidth: 5,
      strideHeight: 2, strideWidth: 1, paddingHeight: 1, paddingWidth: 2),
    // 9 time steps of 2 channels, kernel 1x4, stride 1x2, padding 0x1: 4 outputs.
    "1-D: kernel 1x4, stride 1x2, padding 0x1": ConvGeometry(length: 9, channels: 2, kernel: 4, stride: 2, padding: 1),
    // Wider than tall kernel and strides the other way round; padding only along the width.
    "2x4 kernel, stride 1x3, padding 0x3": ConvGeometry(
      height: 6, width: 9, channels: 1, kernelHeight: 2, kernelWidth: 4,
      strideHeight: 1, strideWidth: 3, paddingHeight: 0, paddingWidth: 3),
    // Padding wider than the kernel along the height, none along the width.
    "1-wide 2-tall kernel, stride 3x2, padding 3x0": ConvGeometry(
      height: 5, width: 7, channels: 3, kernelHeight: 2, kernelWidth: 1,
      strideHeight: 3, strideWidth: 2, paddingHeight: 3, paddingWidth: 0),
    // Keras' "same" on an even image: 8x6 with a 3x3 kernel, stride 2, pads 0 before and 1 after.
    "one-sided: 3x3 kernel, stride 2, pads 0,0,1,1": ConvGeometry(
      height: 8, width: 6, channels: 2, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
      paddingTop: 0, paddingLeft: 0, paddingBottom: 1, paddingRight: 1),
    // Every side different, more after than the kernel reaches on one axis.
    "one-sided: 2x4 kernel, stride 1x3, pads 2,0,1,3": ConvGeometry(
      height: 5, width: 7, channels: 1, kernelHeight: 2, kernelWidth: 4, strideHeight: 1, strideWidth: 3,
      paddingTop: 2, paddingLeft: 0, paddingBottom: 1, paddingRight: 3),
  ]
  static let gradientCases = ["3x5 kernel, stride 2x1, padding 1x2", "1-D: kernel 1x4, stride 1x2, padding 0x1",
                              "one-sided: 3x3 kernel, stride 2, pads 0,0,1,1", "one-sided: 2x4 kernel, stride 1x3, pads 2,0,1,3"]

  @Test func shapes() {
    let rectangular = Self.geometries["3x5 kernel, stride 2x1, padding 1x2"]!
    #expect(rectangular.outputHeight == 4 && rectangular.outputWidth == 6 && rectangular.patchSize == 30)
    let overTime = Self.geometries["1-D: kernel 1x4, stride 1x2, padding 0x1"]!
    #expect(overTime.outputHeight == 1 && overTime.outputWidth == 4 && overTime.patchSize == 8)
    #expect(overTime == ConvGeometry(height: 1, width: 9, channels: 2, kernelHeight: 1, kernelWidth: 4,
                                     strideHeight: 1, strideWidth: 2, paddingHeight: 0, paddingWidth: 1))
    for g in Self.geometries.values { #expect(g.problems().isEmpty, "\(g.problems())") }
    // Keras' "same": an even image halves exactly; the padding after decides the last output.
    let oneSided = Self.geometries["one-sided: 3x3 kernel, stride 2, pads 0,0,1,1"]!
    #expect(oneSided.outputHeight == 4 && oneSided.outputWidth == 3 && !oneSided.isSymmetric)
    let uneven = Self.geometries["one-sided: 2x4 kernel, stride 1x3, pads 2,0,1,3"]!
    #expect(uneven.outputHeight == 7 && uneven.outputWidth == 3 && uneven.paddingDescription == "2,0,1,3")
  }

  /// The square initializer is the per-axis one with equal axes, and `stride` and `padding`
  /// still read back what it was given.
  @Test func squareSettingsAreTheEqualAxesCase() {
    let square = ConvGeometry(height: 28, width: 28, channels: 1, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
    #expect(square == ConvGeometry(height: 28, width: 28, channels: 1, kernelHeight: 3, kernelWidth: 3,
                                   strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1))
    #expect(square.stride == 2 && square.padding == 1)
    #expect(square.strideWidth == 2 && square.paddingLeft == 1 && square.paddingRight == 1)
  }

  @Test(arguments: gradientCases, [Activation.linear, .tanh, .sigmoid])
  func conv2DGradients(geometry name: String, activation: Activation) {
    let conv = Conv2D(geometry: Self.geometries[name]!, filters: 3, activation: activation)
    let (layer, store) = ConvolutionChecks.bound(conv, seed: 3)
    let (input, parameters) = ConvolutionChecks.gradientErrors(layer, store)
    #expect(input < 1e-3 && parameters < 1e-3, "input \(input), parameters \(parameters)")
  }

  @Test(arguments: gradientCases, [Activation.linear, .tanh, .sigmoid])
  func convTranspose2DGradients(geometry name: String, activation: Activation) {
    let transpose = ConvTranspose2D(geometry: Self.geometries[name]!, inputChannels: 3, activation: activation)
    let (layer, store) = ConvolutionChecks.bound(transpose, seed: 4)
    let (input, parameters) = ConvolutionChecks.gradientErrors(layer, store)
    #expect(input < 1e-3 && parameters < 1e-3, "input \(input), parameters \(parameters)")
  }

  /// Conv2D's forward pass against the nested-loop definition, within 1e-5 relative to the
  /// sum of the magnitudes of each output's terms (so outputs that cancel to near 0 are held to
  /// the rounding float32 sums really make).
  @Test(arguments: geometries.keys.sorted())
  func forwardMatchesTheDefinition(geometry name: String) {
    let g = Self.geometries[name]!, filters = 3
    let (conv, store) = ConvolutionChecks.bound(Conv2D(geometry: g, filters: filters, activation: .linear), seed: 21)
    let x = GradientCheck.randomTensor(rows: 4, cols: g.imageSize, seed: 22)
    let got = conv.forward(x, training: false).values
    let bias = store.values + g.patchSize * filters
    let (expected, scales) = ConvolutionChecks.directConvolution(g, x: x, kernel: store.values, bias: bias, filters: filters)
    #expect(got.count == expected.count)
    let worst = zip(got, zip(expected, scales)).map { abs(Double($0) - $1.0) / max($1.1, 1e-12) }.max() ?? .infinity
    #expect(worst < 1e-5, "largest relative difference \(worst)")
  }

  /// <conv(x), y> = <x, convT(y)> on every rectangular geometry.
  @Test(arguments: geometries.keys.sorted())
  func transposeIsTheAdjoint(geometry name: String) {
    let (left, right) = ConvolutionChecks.adjointPair(Self.geometries[name]!, filters: 3)
    #expect(abs(left - right) < 1e-4 * max(abs(left), 1), "<conv x, y> = \(left), <x, convT y> = \(right)")
  }

  /// A kernel that fits one axis but not the other is refused, and the message names that axis.
  @Test func problemsNameTheAxisAKernelDoesNotFit() {
    // 5 + 2 x 0 rows fit a 3-tall kernel; 3 + 2 x 1 columns do not fit a 6-wide one.
    let tooWide = ConvGeometry(height: 5, width: 3, channels: 1, kernelHeight: 3, kernelWidth: 6,
                               strideHeight: 1, strideWidth: 1, paddingHeight: 0, paddingWidth: 1)
    #expect(tooWide.problems().count == 1)
    #expect(tooWide.problems().first?.contains("along the width") == true, "\(tooWide.problems())")
    // Transposed: the height fails, the width fits.
    let tooTall = ConvGeometry(height: 3, width: 5, channels: 1, kernelHeight: 6, kernelWidth: 3,
                               strideHeight: 1, strideWidth: 1, paddingHeight: 1, paddingWidth: 0)
    #expect(tooTall.problems().count == 1)
    #expect(tooTall.problems().first?.contains("along the height") == true, "\(tooTall.problems())")
    // A kernel exactly as tall as the padded image fits (one output row).
    let exact = ConvGeometry(height: 4, width: 5, channels: 1, kernelHeight: 6, kernelWidth: 3,
                             strideHeight: 1, strideWidth: 1, paddingHeight: 1, paddingWidth: 0)
    #expect(exact.problems().isEmpty && exact.outputHeight == 1)
    // One row too tall is refused even when a stride of 2 would round (2 + 0 - 3) / 2 up to 0.
    let strided = ConvGeometry(height: 2, width: 8, channels: 1, kernelHeight: 3, kernelWidth: 3,
                               strideHeight: 2, strideWidth: 2, paddingHeight: 0, paddingWidth: 1)
    #expect(strided.problems().count == 1 && strided.problems().first?.contains("along the height") == true)
    // 1-D: a kernel longer than the padded sequence.
    #expect(!ConvGeometry(length: 3, channels: 2, kernel: 6, stride: 1, padding: 1).problems().isEmpty)
  }

  /// Stride and padding are checked per axis, and a bad value on one axis only names it; equal
  /// bad values keep the square message.
  @Test func problemsCheckStrideAndPaddingPerAxis() {
    func problems(_ sh: Int, _ sw: Int, _ ph: Int, _ pw: Int) -> [String] {
      ConvGeometry(height: 8, width: 8, channels: 1, kernelHeight: 3, kernelWidth: 3,
                   strideHeight: sh, strideWidth: sw, paddingHeight: ph, paddingWidth: pw).problems()
    }
    #expect(problems(1, 0, 0, 0) == ["stride must be at least 1, got 0 along the width"])
    #expect(problems(0, 2, 0, 0) == ["stride must be at least 1, got 0 along the height"])
    #expect(problems(0, 0, 0, 0) == ["stride must be at least 1, got 0"])
    #expect(problems(1, 1, -1, 0) == ["padding must be >= 0, got -1 along the height"])
    #expect(problems(1, 1, 1, -2) == ["padding must be >= 0, got -2 along the width"])
    #expect(problems(1, 1, -1, -1) == ["padding must be >= 0, got -1"])
    let negativeAfter = ConvGeometry(height: 8, width: 8, channels: 1, kernelHeight: 3, kernelWidth: 3, strideHeight: 1,
                                     strideWidth: 1, paddingTop: 1, paddingLeft: 1, paddingBottom: 1, paddingRight: -1)
    #expect(negativeAfter.problems() == ["padding must be >= 0, got 1,1,1,-1"])
  }
}
