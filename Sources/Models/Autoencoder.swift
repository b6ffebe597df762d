#if canImport(Glibc)
import Glibc
#endif
import Layers
import Tensor

/// Why a model could not be built.
public struct ModelError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Test-set figures for a model: the training objective and the two usual reconstruction errors.
public struct Evaluation: Sendable {
  /// Mean objective per sample (loss plus penalties), as training reports it.
  public var objective: Double
  /// Mean binary cross-entropy per sample, summed over features (nats); nil unless the output is a sigmoid.
  public var bce: Double?
  /// Mean squared error per value.
  public var mse: Double
  public var samples: Int
  /// VAE: mean KL divergence of the posterior from the prior per sample (nats).
  public var kl: Double?
  /// VAE: mean reconstruction term per sample (the loss on sampled codes).
  public var reconstruction: Double?
  /// VAE: negative evidence lower bound per sample, reconstruction + KL (nats).
  public var negativeELBO: Double? {
    guard let kl, let reconstruction else { return nil }
    return reconstruction + kl
  }
}

/// An autoencoder being trained: the layers of its `NetworkPlan` over one parameter store,
/// with their gradients and the training step's scratch.
///
/// The network works on values after the `pipeline`; `evaluate` takes raw data and applies
/// it. Inference in the user's units (encode, decode, sample, score) is the runtime's job:
/// `InferenceModel(model)` runs the same plan on the same weights. Not thread-safe: it
/// reuses its buffers between calls.
public final class Autoencoder {
  public let spec: ModelSpec
  public let plan: NetworkPlan
  /// The output heads the loss and the figures use.
  let heads: [OutputHead]
  /// Raw values to the network's values and back; the training data's scaling.
  public var pipeline: Pipeline
  /// The pipeline's affine scaling (setting it makes it the whole pipeline).
  public var scaling: Scaling {
    get { pipeline.scaling ?? .identity(width: spec.inputWidth) }
    set { pipeline = Pipeline([.affine(newValue)]) }
  }
  /// How rows are scored as anomalies, and the calibrated threshold (saved in `/anomaly`).
  public var anomaly = AnomalySettings.default
  public let parameters: ParameterStore
  public let parameterTensors: [NamedParameter]
  public let encoder: Sequential
  public let decoder: Sequential
  private let dropouts: [Dropout]
  let logitGradient: Tensor // (n, inputWidth)
  private let batch: Tensor // (n, inputWidth) scratch for batched calls
  /// VAE: where the reparameterization noise comes from; reseeded every epoch.
  public var latentRandom = SeededRandom(seed: 0)
  /// VAE: the KL term's current weight (beta, scaled down during warm-up by the trainer).
  public var klWeight: Float
  /// VAE: KL summed over the rows seen by `variationalErrors` since evaluation began.
  var klSum = 0.0
  /// Scratch for the code penalties (2 x the code layer's width), so a step allocates nothing.
  let penaltyScratch: UnsafeMutablePointer<Float>
  let epsilon: Tensor // (n, k) VAE noise
  let latent: Tensor // (n, k) VAE sampled code z
  let headGradient: Tensor // (n, 2k) VAE dObjective/d(mu, logvar)

  /// `gaussian` loss: the learned log-variances of the output (inputWidth) and their gradients,
  /// inside `parameters`.
  public let outputLogVariance: (values: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>)?
  /// Where the Gaussian likelihood's log-variances live in the model file.
  public static let logVariancePath = ModelSpec.logVariancePath

  /// Build the networks for `spec` and draw initial weights from `seed`.
  public convenience init(spec: ModelSpec, seed: UInt64 = 0) throws {
    try self.init(spec: spec, seed: seed, sharing: nil)
  }

  /// A replica of `model` for data-parallel training: its own layers and gradients, the same
  /// parameter values (read, never written, while it computes gradients).
  public convenience init(replicaOf model: Autoencoder) throws {
    try self.init(spec: model.spec, seed: 0, sharing: model.parameters)
  }

  private init(spec: ModelSpec, seed: UInt64, sharing shared: ParameterStore?) throws {
    let plan = try NetworkPlan(spec)
    self.spec = spec
    self.plan = plan
    heads = spec.outputHeads
    pipeline = .identity(width: spec.inputWidth)

    var dropouts: [Dropout] = []
    var weighted: [Layer] = [] // layers with parameters, in storage order
    func build(_ steps: [NetworkPlan.Step]) -> [Layer] {
      var layers: [Layer] = []
      for (i, step) in steps.enumerated() {
        let layer = step.operation.makeLayer(activation: step.activation)
        layers.append(layer)
        weighted.append(layer)
        if spec.dropout > 0 && i < steps.count - 1 {
          let dropout = Dropout(width: step.outputWidth, rate: spec.dropout)
          layers.append(dropout)
          dropouts.append(dropout)
        }
      }
      return layers
    }
    encoder = Sequential(build(plan.encoder), needsInputGradient: false)
    decoder = Sequential(build(plan.decoder), needsInputGradient: true)
    parameterTensors = plan.parameters
    let parameters = shared.map { ParameterStore(sharingValuesWith: $0) } ?? ParameterStore(count: plan.parameterCount)
    self.parameters = parameters
    outputLogVariance = plan.logVarianceOffset.map { (UnsafePointer(parameters.values + $0), parameters.gradients + $0) }
    self.dropouts = dropouts
    var bound = 0
    for layer in weighted {
      layer.bind(parameters: parameters.values + bound, gradients: parameters.gradients + bound)
      bound += layer.parameterCount
    }
    // The layers' own parameter counts and the plan's layout (which files are checked
    // against) must agree.
    guard bound == plan.logVarianceOffset ?? plan.parameterCount else {
      throw ModelError("internal: the layers hold \(bound) parameters but the plan lays out \(plan.logVarianceOffset ?? plan.parameterCount)")
    }
    var random = SeededRandom(seed: seed, stream: 0x1417)
    // Measured on Fashion-MNIST (bench/r1.sh, bench/r2.sh): He/Glorot initialization gives
    // the better dense autoencoders (R1 test BCE 216.9 against 217.8), PyTorch's
    // U(+-1/sqrt(in)) the better VAEs (R2 -ELBO 244.4 against 245.8): its small initial
    // log-variances let the KL term settle sooner.
    let scheme: Dense.Initialization = spec.isVariational ? .uniformFanIn : .fanBased
    for layer in weighted where shared == nil { // a replica's values are its model's
      switch layer {
      case let dense as Dense: dense.initialize(using: &random, scheme: scheme)
      case let convolution as Conv2D: convolution.initialize(using: &random)
      case let transposed as ConvTranspose2D: transposed.initialize(using: &random)
      default: break
      }
    }
    logitGradient = Tensor(rows: 0, cols: spec.inputWidth)
    batch = Tensor(rows: 0, cols: spec.encoderInputWidth)
    klWeight = spec.beta ?? 1
    epsilon = Tensor(rows: 0, cols: spec.codeWidth)
    penaltyScratch = .allocate(capacity: 2 * max(spec.encoder.last?.units ?? 1, 1))
    latent = Tensor(rows: 0, cols: spec.decoderInputWidth)
    headGradient = Tensor(rows: 0, cols: spec.isVariational ? 2 * spec.codeWidth : 0)
  }

  deinit { penaltyScratch.deallocate() }

  /// `gaussian` loss: start each feature's log-variance at the log of its variance in `data`
  /// (scaled), the error of a model that predicts the mean, instead of log 1. Adam moves a
  /// parameter about one learning rate per step, so from 0 the variances of [0, 1] pixels
  /// (about e^-4.6) would take thousands of steps to reach. Nearly constant features (image
  /// borders) start at a tenth of the mean variance instead: a variance near 0 would make the
  /// untrained model's first errors there dominate the loss. Does nothing for other losses.
  public func initializeLikelihood(from data: Tensor) {
    guard let logVariance = outputLogVariance, data.rows > 1 else { return }
    let d = data.cols, values = UnsafeMutablePointer(mutating: logVariance.values)
    var variances = [Double](repeating: 0, count: d)
    for j in 0..<d {
      var mean = 0.0, square = 0.0
      for r in 0..<data.rows { let v = Double(data[r, j]); mean += v; square += v * v }
      mean /= Double(data.rows)
      variances[j] = square / Double(data.rows) - mean * mean
    }
    let floor = max(0.1 * variances.reduce(0, +) / Double(d), 1e-12)
    for j in 0..<d { values[j] = Float(log(max(variances[j], floor))) }
  }

  /// The encoder's last dense layer, which produces the code.
  var codeLayer: Dense? { encoder.layers.last as? Dense }

  /// Reseed every random draw of the training step (dropout masks, VAE noise) for one epoch,
  /// so a resumed run draws the same numbers.
  public func reseed(seed: UInt64, epoch: Int) {
    for (i, dropout) in dropouts.enumerated() {
      dropout.random = SeededRandom(seed: seed, stream: UInt64(epoch) << 16 | UInt64(i) | 0xD0 << 40)
    }
    latentRandom = SeededRandom(seed: seed, stream: UInt64(epoch) << 16 | 0xFFFF | 0xD1 << 40)
  }

  // MARK: Training

  /// One gradient computation on a batch of scaled inputs: zeroes the gradients, runs forward
  /// and backward, and leaves dObjective/dParameters (batch mean) in `parameters.gradients`.
  ///
  /// - Parameters:
  ///   - input: x (n, inputWidth), what the encoder sees.
  ///   - target: t (n, inputWidth), what the decoder should produce.
  /// - Returns: the objective summed over the batch.
  public func computeGradients(input: Tensor, target: Tensor) -> Double {
    if spec.isVariational { return variationalGradients(input: input, target: target) }
    parameters.zeroGradients()
    let code = encoder.forward(input, training: true)
    let logits = decoder.forward(code, training: true)
    var objective = OutputHeads.evaluate(heads, logits: logits, target: target, gradient: logitGradient,
                                         logVariance: outputLogVariance)
    guard let dCode = decoder.backward(logitGradient) else { return objective }
    objective += CodePenalties.add(spec, code: code, gradient: dCode, gradientWeight: 1, codeLayer: codeLayer,
                                   scratch: penaltyScratch)
    encoder.backward(dCode)
    return objective
  }

  /// Objective and errors of scaled inputs against scaled targets, summed over the batch.
  private func batchErrors(input: Tensor, target: Tensor) -> (objective: Double, bce: Double, squared: Double) {
    if spec.isVariational { return variationalErrors(input: input, target: target) }
    let code = encoder.forward(input, training: false)
    let logits = decoder.forward(code, training: false)
    let reconstruction = OutputHeads.evaluate(heads, logits: logits, target: target, gradient: nil,
                                              logVariance: outputLogVariance)
    let objective = reconstruction + CodePenalties.add(spec, code: code, gradient: nil, gradientWeight: 1,
                                                       codeLayer: codeLayer, scratch: penaltyScratch)
    return (objective, reportedBCE(reconstruction, logits: logits, target: target),
            OutputHeads.squaredError(heads, logits: logits, target: target))
  }

  /// Figures for already-scaled data, in batches of `batchSize`.
  public func evaluateScaled(_ data: Tensor, target: Tensor? = nil, batchSize: Int = 256) -> Evaluation {
    let targetData = target ?? data
    // A VAE's figures use sampled codes: draw them from a fixed stream, so evaluation is
    // repeatable, and leave the training stream where it was.
    let savedRandom = latentRandom, savedKL = klSum
    latentRandom = SeededRandom(seed: 0xE7A1)
    klSum = 0
    defer { latentRandom = savedRandom; klSum = savedKL }
    var objective = 0.0, bce = 0.0, squared = 0.0
    let targetBatch = Tensor(rows: 0, cols: spec.inputWidth)
    var start = 0
    while start < data.rows {
      let end = min(start + batchSize, data.rows)
      batch.copyRows(start..<end, from: data)
      targetBatch.copyRows(start..<end, from: targetData)
      let e = batchErrors(input: batch, target: targetBatch)
      objective += e.objective; bce += e.bce; squared += e.squared
      start = end
    }
    let n = Double(max(data.rows, 1))
    let hasBCE = hasSigmoidOutput
    var result = Evaluation(objective: objective / n, bce: hasBCE ? bce / n : nil,
                            mse: squared / (n * Double(spec.inputWidth)), samples: data.rows)
    if spec.isVariational {
      result.kl = klSum / n
      result.reconstruction = result.objective - Double(klWeight) * klSum / n
    }
    return result
  }

  // MARK: Figures


  /// Whether the whole output is one sigmoid, so a BCE figure means something.
  var hasSigmoidOutput: Bool { heads.count == 1 && heads.first?.activation == .sigmoid }

  /// The batch's summed BCE for the figures: the loss itself when it is BCE, else computed.
  func reportedBCE(_ loss: Double, logits: Tensor, target: Tensor) -> Double {
    guard hasSigmoidOutput else { return 0 }
    return heads[0].loss == .bce ? loss : Loss.bce.evaluate(logits: logits, activation: .sigmoid, target: target, gradient: nil)
  }

  /// Figures for raw data (through the model's pipeline); conditional models need one
  /// condition row per data row (`conditions(labels:)` makes them from class labels).
  public func evaluate(_ raw: Tensor, conditions: Tensor? = nil, batchSize: Int = 256) throws -> Evaluation {
    let scaled = try pipeline.forward(raw)
    return evaluateScaled(try conditioned(scaled, conditions), target: scaled, batchSize: batchSize)
  }

  /// `x` (n, width) with each row's condition row appended, for conditional models; `x`
  /// itself for the others. Throws when the conditions do not fit the model.
  public func conditioned(_ x: Tensor, _ conditions: Tensor?) throws -> Tensor {
    let c = spec.conditionWidth
    guard c > 0 else {
      if conditions != nil { throw ModelError("a \(spec.kind.rawValue) model takes no conditions") }
      return x
    }
    guard let conditions, conditions.rows == x.rows, conditions.cols == c else {
      throw ModelError("a conditional model needs a condition row of \(c) values for each of the \(x.rows) rows")
    }
    try ConditionRows.check(spec.conditionGroups, conditions.data, rows: conditions.rows)
    let d = x.cols
    let result = Tensor(rows: x.rows, cols: d + c)
    for r in 0..<x.rows {
      result.row(r).update(from: x.row(r), count: d)
      (result.row(r) + d).update(from: conditions.row(r), count: c)
    }
    return result
  }

  /// Condition rows (n, conditionWidth) for class labels, when the model's condition is one
  /// one-hot label; throws otherwise or for a label out of range.
  public func conditions(labels: [Int]) throws -> Tensor {
    let rows = try ConditionRows.oneHot(spec, labels: labels)
    return Tensor(rows: labels.count, cols: spec.conditionWidth, values: rows)
  }

  /// Codes (n, codeWidth) for inputs already through the pipeline (unconditional models):
  /// greedy pretraining feeds one shallow model's codes to the next.
  public func encodeScaled(_ scaled: Tensor, batchSize: Int = 256) -> Tensor {
    let result = Tensor(rows: scaled.rows, cols: spec.codeWidth)
    var start = 0
    while start < scaled.rows {
      let end = min(start + max(batchSize, 1), scaled.rows)
      batch.copyRows(start..<end, from: scaled)
      let code = encoder.forward(batch, training: false)
      // A VAE's head holds (mu, logvar) per row; its code is mu.
      for r in 0..<code.rows { result.row(start + r).update(from: code.row(r), count: spec.codeWidth) }
      start = end
    }
    return result
  }
}
