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

/// One parameter tensor of a model, as it is named in the model file.
public struct NamedParameter: Sendable {
  /// Path inside the file, e.g. "encoder/00_dense/kernel".
  public let path: String
  public let shape: [Int]
  /// Offset of its first value in `ParameterStore.values`.
  public let offset: Int
  public var count: Int { shape.reduce(1, *) }
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

/// An autoencoder built from a `ModelSpec`: encoder and decoder networks over one parameter store.
///
/// The network works on scaled values; `encode`, `decode`, `reconstruct` and `evaluate` take and
/// return data in the user's units and apply `scaling` themselves. Not thread-safe: it reuses
/// its buffers between calls.
public final class Autoencoder {
  public let spec: ModelSpec
  public var scaling: Scaling
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
    let problems = spec.problems()
    guard problems.isEmpty else { throw ModelError("invalid model: " + problems.joined(separator: "; ")) }
    self.spec = spec
    scaling = .identity(width: spec.inputWidth)

    var dropouts: [Dropout] = []
    var named: [NamedParameter] = []
    var offset = 0
    var weighted: [Layer] = [] // layers with parameters, in storage order
    func build(_ specs: [LayerSpec], part: String, inputWidth: Int, isDecoder: Bool) -> [Layer] {
      var layers: [Layer] = []
      var width = inputWidth
      for (i, layer) in specs.enumerated() {
        let isLast = i == specs.count - 1
        // The output layer stays linear inside the network: the loss sees logits.
        let activation = isDecoder && isLast ? Activation.linear : layer.activation
        let built = Autoencoder.makeLayer(layer, inputWidth: width, activation: activation)
        for shape in built.parameterShapes {
          named.append(NamedParameter(path: "\(part)/\(ModelSpec.layerGroupName(index: i, type: layer.type))/\(shape.name)",
                                      shape: shape.shape, offset: offset))
          offset += shape.count
        }
        layers.append(built)
        weighted.append(built)
        width = layer.units
        if spec.dropout > 0 && !isLast {
          let dropout = Dropout(width: width, rate: spec.dropout)
          layers.append(dropout)
          dropouts.append(dropout)
        }
      }
      return layers
    }
    let encoderLayers = build(spec.encoder, part: "encoder", inputWidth: spec.encoderInputWidth, isDecoder: false)
    let decoderLayers = build(spec.decoder, part: "decoder", inputWidth: spec.decoderInputWidth, isDecoder: true)
    // A Gaussian likelihood learns log sigma^2 per feature, after the layers (starting at 0: sigma 1).
    let logVarianceOffset = offset
    if spec.loss == .gaussian {
      named.append(NamedParameter(path: Autoencoder.logVariancePath, shape: [spec.inputWidth], offset: offset))
      offset += spec.inputWidth
    }
    // The layers and the spec's own account of the parameters (which loaders check files
    // against before building anything) must agree.
    guard named.map({ ModelSpec.ParameterEntry(path: $0.path, shape: $0.shape) }) == spec.parameterLayout else {
      throw ModelError("internal: the layers' parameters differ from the spec's parameter layout")
    }
    encoder = Sequential(encoderLayers, needsInputGradient: false)
    decoder = Sequential(decoderLayers, needsInputGradient: true)
    parameterTensors = named
    parameters = shared.map { ParameterStore(sharingValuesWith: $0) } ?? ParameterStore(count: offset)
    outputLogVariance = spec.loss == .gaussian
      ? (UnsafePointer(parameters.values + logVarianceOffset), parameters.gradients + logVarianceOffset) : nil
    self.dropouts = dropouts

    var bound = 0
    for layer in weighted {
      layer.bind(parameters: parameters.values + bound, gradients: parameters.gradients + bound)
      bound += layer.parameterCount
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

  /// The network layer for a checked layer spec (`problems()` has ruled out bad shapes).
  static func makeLayer(_ layer: LayerSpec, inputWidth: Int, activation: Activation) -> Layer {
    guard let geometry = layer.geometry, let input = layer.inputShape, let output = layer.outputShape else {
      return Dense(inputWidth: inputWidth, outputWidth: layer.units, activation: activation)
    }
    if layer.type == LayerSpec.convolutionType {
      return Conv2D(geometry: geometry, filters: output[2], activation: activation)
    }
    return ConvTranspose2D(geometry: geometry, inputChannels: input[2], activation: activation)
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
    var objective = spec.loss.evaluate(logits: logits, activation: spec.outputActivation,
                                       target: target, gradient: logitGradient, logVariance: outputLogVariance)
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
    let activation = spec.outputActivation
    var objective = spec.loss.evaluate(logits: logits, activation: activation, target: target, gradient: nil,
                                       logVariance: outputLogVariance)
    objective += CodePenalties.add(spec, code: code, gradient: nil, gradientWeight: 1, codeLayer: codeLayer,
                                   scratch: penaltyScratch)
    let bce = activation == .sigmoid
      ? (spec.loss == .bce ? objective : Loss.bce.evaluate(logits: logits, activation: activation, target: target, gradient: nil))
      : 0
    let squared = Loss.mse.evaluate(logits: logits, activation: activation, target: target, gradient: nil)
    return (objective, bce, squared)
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
    let hasBCE = spec.outputActivation == .sigmoid
    var result = Evaluation(objective: objective / n, bce: hasBCE ? bce / n : nil,
                            mse: squared / (n * Double(spec.inputWidth)), samples: data.rows)
    if spec.isVariational {
      result.kl = klSum / n
      result.reconstruction = result.objective - Double(klWeight) * klSum / n
    }
    return result
  }

  // MARK: Inference in the user's units

  /// Figures for raw data (scaled here with the model's scaling); conditional models need labels.
  public func evaluate(_ raw: Tensor, labels: [Int]? = nil, batchSize: Int = 256) -> Evaluation {
    let scaled = raw.copy()
    scaling.apply(to: scaled)
    return evaluateScaled(conditioned(scaled, labels: labels), target: scaled, batchSize: batchSize)
  }

  /// `x` (n, inputWidth) with each row's one-hot label appended, for conditional models;
  /// `x` itself for the others. Labels must be in 0..<classes.
  public func conditioned(_ x: Tensor, labels: [Int]?) -> Tensor {
    let c = spec.conditionWidth
    guard c > 0 else { return x }
    precondition(labels?.count == x.rows, "a conditional model needs one label per row")
    let d = x.cols
    let result = Tensor(rows: x.rows, cols: d + c)
    for r in 0..<x.rows {
      result.row(r).update(from: x.row(r), count: d)
      result.row(r)[d + labels![r]] = 1
    }
    return result
  }

  /// Codes (n, codeWidth) for already-scaled inputs.
  public func encodeScaled(_ scaled: Tensor, batchSize: Int = 256) -> Tensor {
    let saved = scaling
    scaling = .identity(width: spec.inputWidth)
    defer { scaling = saved }
    return encode(scaled, batchSize: batchSize)
  }

  /// Codes (n, codeWidth) for raw inputs (n, inputWidth); conditional models need labels.
  public func encode(_ raw: Tensor, labels: [Int]? = nil, batchSize: Int = 256) -> Tensor {
    let scaled = raw.copy()
    scaling.apply(to: scaled)
    let input = conditioned(scaled, labels: labels)
    let result = Tensor(rows: raw.rows, cols: spec.codeWidth)
    forEachBatch(raw.rows, batchSize) { range in
      batch.copyRows(range, from: input)
      let code = encoder.forward(batch, training: false)
      // A VAE's head holds (mu, logvar) per row; its code is mu.
      let width = spec.codeWidth
      for r in 0..<code.rows { result.row(range.lowerBound + r).update(from: code.row(r), count: width) }
    }
    return result
  }

  /// Reconstructions in raw units (n, inputWidth) for codes (n, codeWidth); conditional
  /// models need labels.
  public func decode(_ codes: Tensor, labels: [Int]? = nil, batchSize: Int = 256) -> Tensor {
    let result = Tensor(rows: codes.rows, cols: spec.inputWidth)
    let input = conditioned(codes, labels: labels)
    let codeBatch = Tensor(rows: 0, cols: spec.decoderInputWidth)
    forEachBatch(codes.rows, batchSize) { range in
      codeBatch.copyRows(range, from: input)
      let logits = decoder.forward(codeBatch, training: false)
      let out = result.row(range.lowerBound)
      out.update(from: logits.data, count: logits.count)
      spec.outputActivation.apply(out, count: logits.count)
    }
    scaling.invert(result)
    return result
  }

  /// Reconstructions in raw units for raw inputs.
  public func reconstruct(_ raw: Tensor, labels: [Int]? = nil, batchSize: Int = 256) -> Tensor {
    decode(encode(raw, labels: labels, batchSize: batchSize), labels: labels, batchSize: batchSize)
  }

  private func forEachBatch(_ rows: Int, _ size: Int, _ body: (Range<Int>) -> Void) {
    var start = 0
    while start < rows {
      let end = min(start + max(size, 1), rows)
      body(start..<end)
      start = end
    }
  }
}
