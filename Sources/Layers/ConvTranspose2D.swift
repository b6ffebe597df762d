import Tensor

/// A transposed 2-D convolution with a fused activation over NHWC rows: the adjoint of
/// `Conv2D`'s linear map, used by decoders to grow images back (y = f(convT(x, K) + b)).
///
/// `geometry` describes the convolution that would map this layer's output back to its input:
/// output image (H', W', Cout) = geometry's image; input (n, positions * Cin). Stating the
/// output size this way covers PyTorch's `output_padding`, per axis like the kernel, stride and
/// padding (height 1 makes it `torch.nn.ConvTranspose1d`). Kernel K (kh*kw*Cout, Cin) row-major,
/// Keras' Conv2DTranspose (kh, kw, Cout, Cin) order flattened; bias (Cout).
public final class ConvTranspose2D: Layer {
  public let geometry: ConvGeometry
  public let inputChannels: Int
  public let activation: Activation
  public var needsInputGradient = true

  public var inputWidth: Int { geometry.positions * inputChannels }
  public var outputWidth: Int { geometry.imageSize }

  private var kernel: UnsafeMutablePointer<Float>! // (patchSize, inputChannels)
  private var bias: UnsafeMutablePointer<Float>! // (channels)
  private var dKernel: UnsafeMutablePointer<Float>!
  private var dBias: UnsafeMutablePointer<Float>!
  private unowned(unsafe) var input: Tensor? // (n, positions * inputChannels)
  private let columns: Tensor // (n * positions, patchSize)
  private let output: Tensor // (n, imageSize)
  private let inputGradient: Tensor // (n, positions * inputChannels)

  public init(geometry: ConvGeometry, inputChannels: Int, activation: Activation) {
    precondition(geometry.problems().isEmpty && inputChannels > 0, "invalid transposed convolution: \(geometry.problems())")
    self.geometry = geometry
    self.inputChannels = inputChannels
    self.activation = activation
    columns = Tensor(rows: 0, cols: geometry.patchSize)
    output = Tensor(rows: 0, cols: geometry.imageSize)
    inputGradient = Tensor(rows: 0, cols: geometry.positions * inputChannels)
  }

  public var parameterShapes: [ParameterShape] {
    [ParameterShape(name: "kernel", shape: [geometry.kernelHeight, geometry.kernelWidth, geometry.channels, inputChannels]),
     ParameterShape(name: "bias", shape: [geometry.channels])]
  }

  public func bind(parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>) {
    kernel = parameters
    bias = parameters + geometry.patchSize * inputChannels
    dKernel = gradients
    dBias = gradients + geometry.patchSize * inputChannels
  }

  /// He-uniform before ReLU-like activations, Glorot otherwise (fans as PyTorch counts them); zero bias.
  public func initialize(using random: inout SeededRandom) {
    let area = geometry.kernelHeight * geometry.kernelWidth
    let fanIn = area * geometry.channels, fanOut = area * inputChannels
    let limit = activation.initialWeightLimit(fanIn: fanIn, fanOut: fanOut)
    for i in 0..<(geometry.patchSize * inputChannels) { kernel[i] = random.uniform(-limit, limit) }
    bias.update(repeating: 0, count: geometry.channels)
  }

  public func forward(_ x: Tensor, training: Bool) -> Tensor {
    let n = x.rows
    input = x
    columns.resize(rows: n * geometry.positions)
    output.resize(rows: n)
    ConvTranspose2D.apply(x.data, rows: n, geometry: geometry, kernel: kernel, bias: bias, inputChannels: inputChannels,
                          activation: activation, columns: columns.data, team: BLAS.trainingTeam, into: output.data)
    return output
  }

  /// `y = f(convT(x, K) + b)` for `rows` inputs, touching nothing but its arguments (training
  /// and the thread-safe runtime share it). `columns` is scratch of rows * positions * patchSize.
  public static func apply(
    _ x: UnsafePointer<Float>, rows n: Int, geometry: ConvGeometry, kernel: UnsafePointer<Float>,
    bias: UnsafePointer<Float>, inputChannels: Int, activation: Activation, columns: UnsafeMutablePointer<Float>,
    team: BLAS.Team? = nil, into y: UnsafeMutablePointer<Float>
  ) {
    let rows = n * geometry.positions, p = geometry.patchSize, c = geometry.channels
    // Each input position spreads its channels over one patch: columns = x K^T, then col2im adds
    // the overlapping patches into the image.
    BLAS.gemm(transposeB: true, m: rows, n: p, k: inputChannels, a: x, lda: inputChannels,
              b: kernel, ldb: inputChannels, c: columns, ldc: p, team: team)
    y.update(repeating: 0, count: n * geometry.imageSize)
    geometry.col2im(columns, count: n, into: y)
    let pixels = n * geometry.height * geometry.width
    for i in 0..<pixels {
      let pixel = y + i * c
      for ch in 0..<c { pixel[ch] += bias[ch] }
    }
    activation.apply(y, count: n * geometry.imageSize)
  }

  public func backward(_ dy: Tensor) -> Tensor? {
    guard let x = input else { preconditionFailure("ConvTranspose2D.backward before forward") }
    let n = dy.rows, rows = n * geometry.positions, p = geometry.patchSize, c = geometry.channels
    activation.backward(dy.data, output: output.data, count: dy.count)
    let pixels = n * geometry.height * geometry.width
    for i in 0..<pixels {
      let pixel = dy.data + i * c
      for ch in 0..<c { dBias[ch] += pixel[ch] }
    }
    columns.resize(rows: rows)
    geometry.im2col(dy.data, count: n, into: columns.data) // dColumns; the forward columns are not needed again
    BLAS.gemm(transposeA: true, m: p, n: inputChannels, k: rows, a: columns.data, lda: p,
              b: x.data, ldb: inputChannels, beta: 1, c: dKernel, ldc: inputChannels, team: BLAS.trainingTeam)
    guard needsInputGradient else { return nil }
    inputGradient.resize(rows: n)
    BLAS.gemm(m: rows, n: inputChannels, k: p, a: columns.data, lda: p, b: kernel, ldb: inputChannels,
              c: inputGradient.data, ldc: inputChannels, team: BLAS.trainingTeam)
    return inputGradient
  }
}
