import Tensor

/// A fully connected layer with a fused activation: `y = f(x W + b)`.
///
/// Shapes: x (n, in), kernel W (in, out) row-major as Keras stores it, bias b (out), y (n, out).
/// Same as `torch.nn.Linear` followed by the activation, with the kernel transposed.
public final class Dense: Layer {
  public let inputWidth: Int
  public let outputWidth: Int
  public let activation: Activation
  public var needsInputGradient = true

  private var kernel: UnsafeMutablePointer<Float>! // (in, out)
  private var bias: UnsafeMutablePointer<Float>! // (out)
  private var dKernel: UnsafeMutablePointer<Float>! // (in, out)
  private var dBias: UnsafeMutablePointer<Float>! // (out)
  private unowned(unsafe) var input: Tensor? // (n, in), from the last forward
  private let output: Tensor // (n, out)
  private let inputGradient: Tensor // (n, in)

  public init(inputWidth: Int, outputWidth: Int, activation: Activation) {
    self.inputWidth = inputWidth
    self.outputWidth = outputWidth
    self.activation = activation
    output = Tensor(rows: 0, cols: outputWidth)
    inputGradient = Tensor(rows: 0, cols: inputWidth)
  }

  /// The kernel (in, out) and its gradient, for penalties on the weights themselves
  /// (the contractive penalty). Valid once bound.
  public var kernelAndGradient: (kernel: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>) {
    (kernel, dKernel)
  }

  public var parameterShapes: [ParameterShape] {
    [ParameterShape(name: "kernel", shape: [inputWidth, outputWidth]),
     ParameterShape(name: "bias", shape: [outputWidth])]
  }

  public func bind(parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>) {
    kernel = parameters
    bias = parameters + inputWidth * outputWidth
    dKernel = gradients
    dBias = gradients + inputWidth * outputWidth
  }

  /// How initial weights are drawn.
  public enum Initialization: Sendable {
    /// He-uniform before ReLU-like activations, Glorot-uniform otherwise; zero biases.
    case fanBased
    /// PyTorch's `nn.Linear` default: weights and biases from U(-1/sqrt(in), 1/sqrt(in)).
    case uniformFanIn
  }

  /// Draw initial weights (see `Initialization`).
  public func initialize(using random: inout SeededRandom, scheme: Initialization = .fanBased) {
    if scheme == .uniformFanIn {
      let limit = 1 / Float(inputWidth).squareRoot()
      for i in 0..<(inputWidth * outputWidth) { kernel[i] = random.uniform(-limit, limit) }
      for j in 0..<outputWidth { bias[j] = random.uniform(-limit, limit) }
      return
    }
    let limit = activation.initialWeightLimit(fanIn: inputWidth, fanOut: outputWidth)
    for i in 0..<(inputWidth * outputWidth) { kernel[i] = random.uniform(-limit, limit) }
    bias.update(repeating: 0, count: outputWidth)
  }

  public func forward(_ x: Tensor, training: Bool) -> Tensor {
    input = x
    output.resize(rows: x.rows)
    Dense.apply(x.data, rows: x.rows, kernel: kernel, bias: bias, inputWidth: inputWidth,
                outputWidth: outputWidth, activation: activation, team: BLAS.trainingTeam, into: output.data)
    return output
  }

  /// `y = f(x W + b)` for `rows` rows, touching nothing but its arguments: the forward pass
  /// both training and the thread-safe inference runtime use. `team` splits the product over
  /// its threads (a single row's call on a workspace of several threads); `packed` is the
  /// kernel packed for the own kernels, in float32 or bfloat16, or quantized to int8 (see
  /// BLAS.affine).
  ///
  /// Shapes: x (rows, inputWidth), kernel (inputWidth, outputWidth), bias (outputWidth),
  /// y (rows, outputWidth).
  @inlinable
  public static func apply(
    _ x: UnsafePointer<Float>, rows n: Int, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    inputWidth: Int, outputWidth: Int, activation: Activation, packed: BLAS.PackedKernel? = nil,
    team: BLAS.Team? = nil, into y: UnsafeMutablePointer<Float>
  ) {
    let fused: BLAS.Epilogue? = switch activation {
    case .linear: BLAS.Epilogue.none
    case .relu: .relu
    case .leakyRelu: .leakyRelu
    case .tanh, .sigmoid, .softmax: nil
    }
    BLAS.affine(x, rows: n, weights: kernel, packed: packed, bias: bias, k: inputWidth, n: outputWidth,
                epilogue: fused ?? .none, team: team, into: y)
    if fused == nil {
      for r in 0..<n { activation.apply(y + r * outputWidth, count: outputWidth) }
    }
  }

  public func backward(_ dy: Tensor) -> Tensor? {
    guard let x = input else { preconditionFailure("Dense.backward before forward") }
    let n = dy.rows
    // dz = dy * f'(z), in place.
    activation.backward(dy.data, output: output.data, count: n * outputWidth)
    // dW += x^T dz;  db += column sums of dz.
    BLAS.gemm(transposeA: true, m: inputWidth, n: outputWidth, k: n, a: x.data, lda: inputWidth,
              b: dy.data, ldb: outputWidth, beta: 1, c: dKernel, ldc: outputWidth, team: BLAS.trainingTeam)
    let db = dBias!
    for r in 0..<n {
      let row = dy.data + r * outputWidth
      for j in 0..<outputWidth { db[j] += row[j] }
    }
    guard needsInputGradient else { return nil }
    // dx = dz W^T.
    inputGradient.resize(rows: n)
    BLAS.gemm(transposeB: true, m: n, n: inputWidth, k: outputWidth, a: dy.data, lda: outputWidth,
              b: kernel, ldb: outputWidth, c: inputGradient.data, ldc: inputWidth, team: BLAS.trainingTeam)
    return inputGradient
  }
}
