import Tensor

/// Inverted dropout: while training, zero each value with probability `rate` and scale the
/// survivors by 1 / (1 - rate); at inference, the identity. Same as `torch.nn.Dropout`.
public final class Dropout: Layer {
  public let inputWidth: Int
  public var outputWidth: Int { inputWidth }
  public let rate: Float
  public var needsInputGradient = true
  /// Where masks come from; the trainer reseeds it every epoch so runs resume exactly.
  public var random: SeededRandom

  private let output: Tensor // (n, d)
  private let mask: Tensor // (n, d): 0 or 1 / (1 - rate)
  private var wasTraining = false

  public init(width: Int, rate: Float, seed: UInt64 = 0) {
    precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
    inputWidth = width
    self.rate = rate
    random = SeededRandom(seed: seed)
    output = Tensor(rows: 0, cols: width)
    mask = Tensor(rows: 0, cols: width)
  }

  public var parameterShapes: [ParameterShape] { [] }
  public func bind(parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>) {}

  public func forward(_ x: Tensor, training: Bool) -> Tensor {
    wasTraining = training && rate > 0
    guard wasTraining else { return x }
    let count = x.count
    output.resize(rows: x.rows)
    mask.resize(rows: x.rows)
    let keep = 1 - rate, scale = 1 / keep
    for i in 0..<count {
      let m: Float = random.uniform() < keep ? scale : 0
      mask.data[i] = m
      output.data[i] = x.data[i] * m
    }
    return output
  }

  public func backward(_ dy: Tensor) -> Tensor? {
    guard wasTraining else { return dy }
    for i in 0..<dy.count { dy.data[i] *= mask.data[i] }
    return dy
  }
}
