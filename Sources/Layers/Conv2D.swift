import Tensor

/// A 2-D convolution with a fused activation over NHWC rows: y = f(conv(x, K) + b).
///
/// Shapes: x (n, H*W*Cin), kernel K (kh*kw*Cin, Cout) row-major, which is Keras' (kh, kw, Cin,
/// Cout) order flattened; bias (Cout); y (n, H'*W'*Cout). Computed as im2col then one sgemm
/// for the whole batch. Same as `torch.nn.Conv2d` with the kernel laid out channels-last;
/// kernel, stride and padding are per axis (`geometry`), so a geometry of height 1 makes it a
/// 1-D convolution over time (`torch.nn.Conv1d`).
public final class Conv2D: Layer {
  public let geometry: ConvGeometry
  public let filters: Int
  public let activation: Activation
  public var needsInputGradient = true

  public var inputWidth: Int { geometry.imageSize }
  public var outputWidth: Int { geometry.positions * filters }

  private var kernel: UnsafeMutablePointer<Float>! // (patchSize, filters)
  private var bias: UnsafeMutablePointer<Float>! // (filters)
  private var dKernel: UnsafeMutablePointer<Float>!
  private var dBias: UnsafeMutablePointer<Float>!
  private let columns: Tensor // (n * positions, patchSize)
  private let output: Tensor // (n, positions * filters)
  private let dColumns: Tensor // (n * positions, patchSize)
  private let inputGradient: Tensor // (n, imageSize)

  public init(geometry: ConvGeometry, filters: Int, activation: Activation) {
    precondition(geometry.problems().isEmpty && filters > 0, "invalid convolution: \(geometry.problems())")
    self.geometry = geometry
    self.filters = filters
    self.activation = activation
    columns = Tensor(rows: 0, cols: geometry.patchSize)
    dColumns = Tensor(rows: 0, cols: geometry.patchSize)
    output = Tensor(rows: 0, cols: geometry.positions * filters)
    inputGradient = Tensor(rows: 0, cols: geometry.imageSize)
  }

  public var parameterShapes: [ParameterShape] {
    [ParameterShape(name: "kernel", shape: [geometry.kernelHeight, geometry.kernelWidth, geometry.channels, filters]),
     ParameterShape(name: "bias", shape: [filters])]
  }

  public func bind(parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>) {
    kernel = parameters
    bias = parameters + geometry.patchSize * filters
    dKernel = gradients
    dBias = gradients + geometry.patchSize * filters
  }

  /// He-uniform (fan-in = patch size) before ReLU-like activations, Glorot otherwise; zero bias.
  public func initialize(using random: inout SeededRandom) {
    let fanIn = geometry.patchSize, fanOut = geometry.kernelHeight * geometry.kernelWidth * filters
    let limit = activation.initialWeightLimit(fanIn: fanIn, fanOut: fanOut)
    for i in 0..<(geometry.patchSize * filters) { kernel[i] = random.uniform(-limit, limit) }
    bias.update(repeating: 0, count: filters)
  }

  public func forward(_ x: Tensor, training: Bool) -> Tensor {
    let n = x.rows
    columns.resize(rows: n * geometry.positions)
    output.resize(rows: n)
    Conv2D.apply(x.data, rows: n, geometry: geometry, kernel: kernel, bias: bias, filters: filters,
                 activation: activation, columns: columns.data, team: BLAS.trainingTeam, into: output.data)
    return output
  }

  /// `y = f(conv(x, K) + b)` for `rows` images, touching nothing but its arguments (training
  /// and the thread-safe runtime share it). `columns` is scratch of rows * positions * patchSize.
  public static func apply(
    _ x: UnsafePointer<Float>, rows n: Int, geometry: ConvGeometry, kernel: UnsafePointer<Float>,
    bias: UnsafePointer<Float>, filters: Int, activation: Activation, columns: UnsafeMutablePointer<Float>,
    packed: BLAS.PackedKernel? = nil, team: BLAS.Team? = nil, into y: UnsafeMutablePointer<Float>
  ) {
    geometry.im2col(x, count: n, into: columns)
    // Every output position is one row of a (n * positions, filters) matrix: the Dense kernel applies.
    Dense.apply(columns, rows: n * geometry.positions, kernel: kernel, bias: bias, inputWidth: geometry.patchSize,
                outputWidth: filters, activation: activation, packed: packed, team: team, into: y)
  }

  public func backward(_ dy: Tensor) -> Tensor? {
    let n = dy.rows, rows = n * geometry.positions, p = geometry.patchSize
    activation.backward(dy.data, output: output.data, count: dy.count)
    // dK += columns^T dY; db += column sums of dY (dY viewed as (rows, filters)).
    BLAS.gemm(transposeA: true, m: p, n: filters, k: rows, a: columns.data, lda: p,
              b: dy.data, ldb: filters, beta: 1, c: dKernel, ldc: filters, team: BLAS.trainingTeam)
    for r in 0..<rows {
      let g = dy.data + r * filters
      for f in 0..<filters { dBias[f] += g[f] }
    }
    guard needsInputGradient else { return nil }
    dColumns.resize(rows: rows)
    BLAS.gemm(transposeB: true, m: rows, n: p, k: filters, a: dy.data, lda: filters,
              b: kernel, ldb: filters, c: dColumns.data, ldc: p, team: BLAS.trainingTeam)
    inputGradient.resize(rows: n)
    inputGradient.fill(0)
    geometry.col2im(dColumns.data, count: n, into: inputGradient.data)
    return inputGradient
  }
}
