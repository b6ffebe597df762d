import Foundation
import Layers
import Models
import Store
import Tensor

/// Why training could not run.
public struct TrainingError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// How to train. Every field that changes the result is saved in checkpoints, and a resumed
/// run must use the same values (except `epochs`, which may grow).
public struct TrainingOptions: Codable, Equatable, Sendable {
  public var epochs: Int
  public var batchSize: Int
  public var optimizer: OptimizerSettings
  public var seed: UInt64
  /// Fraction of the rows held out for validation (chosen by `seed`), 0 for none.
  public var validationFraction: Double
  /// Stop when validation loss has not improved for this many epochs, then restore the best weights.
  public var earlyStoppingPatience: Int?

  public init(epochs: Int, batchSize: Int, optimizer: OptimizerSettings, seed: UInt64,
              validationFraction: Double = 0, earlyStoppingPatience: Int? = nil) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.optimizer = optimizer
    self.seed = seed
    self.validationFraction = validationFraction
    self.earlyStoppingPatience = earlyStoppingPatience
  }

  func problems() -> [String] {
    var found: [String] = []
    if epochs < 1 { found.append("epochs must be at least 1, got \(epochs)") }
    if batchSize < 1 { found.append("batch size must be at least 1, got \(batchSize)") }
    if !(optimizer.learningRate > 0 && optimizer.learningRate.isFinite) { found.append("learning rate must be positive, got \(optimizer.learningRate)") }
    if !(0..<1).contains(validationFraction) { found.append("validation fraction must be in [0, 1), got \(validationFraction)") }
    if !(optimizer.momentum >= 0 && optimizer.momentum < 1) { found.append("momentum must be in [0, 1), got \(optimizer.momentum)") }
    if !(optimizer.weightDecay >= 0) { found.append("weight decay must be >= 0, got \(optimizer.weightDecay)") }
    if let patience = earlyStoppingPatience, patience < 1 { found.append("early-stopping patience must be at least 1, got \(patience)") }
    return found
  }
}

/// What `fit` did.
public struct TrainingResult: Sendable {
  public var history: TrainingHistory
  /// Epoch (1-based) whose weights the model holds at the end.
  public var bestEpoch: Int
  public var stoppedEarly: Bool
}

/// Trains an autoencoder with mini-batches, a validation split, early stopping, checkpoints
/// and exact resume.
///
/// Reproducibility: all randomness for epoch `e` (shuffle order, dropout masks) is drawn from
/// generators seeded by (seed, e), so a run resumed from a checkpoint after epoch `e` is bit
/// for bit the run that never stopped (same thread count).
public final class Trainer {
  public let model: Autoencoder
  public let options: TrainingOptions
  /// Where to save a checkpoint after every epoch (nil: none).
  public var checkpointDirectory: String?
  /// Progress output (nil: silent).
  public var progress: ProgressPrinter?

  public init(model: Autoencoder, options: TrainingOptions) {
    self.model = model
    self.options = options
  }

  /// The training and validation rows for `rows` rows: a seeded split, the same on every run.
  public static func split(rows: Int, validationFraction: Double, seed: UInt64) -> (train: [Int], validation: [Int]) {
    let holdOut = Int((Double(rows) * validationFraction).rounded())
    guard holdOut > 0 else { return (Array(0..<rows), []) }
    var random = SeededRandom(seed: seed, stream: 0x5EED)
    let order = random.permutation(rows)
    return (Array(order[holdOut...]).sorted(), Array(order[..<holdOut]).sorted())
  }

  /// The smallest and largest value in `data`: where corrupted inputs are clipped.
  static func valueRange(_ data: Tensor) -> ClosedRange<Float> {
    var low = Float.infinity, high = -Float.infinity
    for i in 0..<data.count {
      low = min(low, data.data[i])
      high = max(high, data.data[i])
    }
    return low <= high ? low...high : 0...1
  }

  /// Train on `data` (already scaled), starting fresh or from `resume` (a checkpoint directory).
  ///
  /// Conditional models need `labels` (one class per row, for a model conditioned on one
  /// class label) or `conditions` (one condition row per data row).
  public func fit(_ data: Tensor, labels: [Int]? = nil, conditions: Tensor? = nil, resume: String? = nil) throws -> TrainingResult {
    let problems = options.problems()
    guard problems.isEmpty else { throw TrainingError(problems.joined(separator: "; ")) }
    guard data.cols == model.spec.inputWidth else {
      throw TrainingError("the data has \(data.cols) features per row; the model expects \(model.spec.inputWidth)")
    }
    var conditions = conditions
    if model.spec.conditionWidth > 0 && conditions == nil {
      guard let labels, labels.count == data.rows else {
        throw TrainingError("a conditional model needs one label or condition row per row (\(data.rows) rows, \(labels?.count ?? 0) labels)")
      }
      do { conditions = try model.conditions(labels: labels) } catch { throw TrainingError("\(error)") }
    }
    // The encoder reads features and (conditional models) the condition row; targets are features.
    let input: Tensor
    do { input = try model.conditioned(data, conditions) } catch { throw TrainingError("\(error)") }
    let (trainRows, validationRows) = Self.split(rows: data.rows, validationFraction: options.validationFraction, seed: options.seed)
    guard !trainRows.isEmpty else { throw TrainingError("no training rows left after the validation split") }
    let trainData = Tensor(rows: 0, cols: data.cols)
    trainData.gather(rows: trainRows[...], from: data)
    let validationData = Tensor(rows: 0, cols: data.cols)
    validationData.gather(rows: validationRows[...], from: data)
    let trainInput = input === data ? trainData : Tensor(rows: 0, cols: input.cols)
    if trainInput !== trainData { trainInput.gather(rows: trainRows[...], from: input) }
    let validationInput = input === data ? validationData : Tensor(rows: 0, cols: input.cols)
    if validationInput !== validationData { validationInput.gather(rows: validationRows[...], from: input) }

    let optimizer = Optimizer(settings: options.optimizer, parameterCount: model.parameters.count)
    var state = TrainingState(parameterCount: model.parameters.count)
    if let resume {
      state = try Checkpoint.restore(from: resume, model: model, optimizer: optimizer, options: options)
      progress?.message("resumed from \(resume) after epoch \(state.epoch)")
    }
    if resume == nil, let logVariance = model.outputLogVariance,
       UnsafeBufferPointer(start: logVariance.values, count: data.cols).allSatisfy({ $0 == 0 }) {
      model.initializeLikelihood(from: trainData) // a fresh Gaussian likelihood
    }
    if state.bestParameters.isEmpty { state.bestParameters = model.parameters.valueArray }

    // Convolutional models train data-parallel (see DataParallel), with one BLAS thread per worker.
    let threads = BLAS.threads
    let workerCount = DataParallel.workerCount(for: model, threads: threads)
    let parallel = workerCount > 1 ? try DataParallel(model: model, workers: workerCount) : nil
    // Put back only what this run changed: a trainer that leaves the count alone must not write
    // back the value it read, over a change another trainer made meanwhile (a dense run that
    // started during a convolutional one restored 1 after it, so the next convolutional run in
    // the process trained without its workers and rounded differently).
    if parallel != nil { BLAS.threads = 1 }
    defer { if parallel != nil { BLAS.threads = threads } }

    let usesValidation = validationData.rows > 0
    let batch = Tensor(rows: 0, cols: data.cols)
    let inputBatch = input === data ? batch : Tensor(rows: 0, cols: input.cols)
    let noisyBatch = Tensor(rows: 0, cols: data.cols)
    let dataRange = Self.valueRange(trainData)
    let batchesPerEpoch = (trainData.rows + options.batchSize - 1) / options.batchSize
    var stoppedEarly = false
    let runStart = Date()
    let startEpoch = state.epoch

    while state.epoch < options.epochs && !stoppedEarly {
      let epoch = state.epoch + 1
      let epochStart = Date()
      var random = SeededRandom(seed: options.seed, stream: UInt64(epoch))
      let order = random.permutation(trainData.rows)
      var noiseRandom = beginEpoch(epoch, parallel)
      var lossSum = 0.0
      for b in 0..<batchesPerEpoch {
        let range = (b * options.batchSize)..<min((b + 1) * options.batchSize, trainData.rows)
        batch.gather(rows: order[range], from: trainData)
        if inputBatch !== batch { inputBatch.gather(rows: order[range], from: trainInput) }
        var batchInput = inputBatch
        if let noise = model.spec.noise {
          noise.apply(batch, into: noisyBatch, range: dataRange, random: &noiseRandom)
          batchInput = noisyBatch
        }
        let loss = parallel?.computeGradients(input: batchInput, target: batch)
          ?? model.computeGradients(input: batchInput, target: batch)
        guard loss.isFinite else {
          throw TrainingError("the loss became \(loss) in epoch \(epoch), batch \(b + 1); lower the learning rate or check the data scaling")
        }
        optimizer.update(model.parameters)
        lossSum += loss
        if let progress {
          let elapsed = Date().timeIntervalSince(epochStart)
          let done = b + 1
          let perBatch = elapsed / Double(done)
          let left = perBatch * Double(batchesPerEpoch - done + (options.epochs - epoch) * batchesPerEpoch)
          progress.batch(epoch: epoch, epochs: options.epochs, batch: done, batches: batchesPerEpoch,
                         loss: lossSum / Double(range.upperBound), samplesPerSecond: Double(range.upperBound) / max(elapsed, 1e-9),
                         secondsLeft: left)
        }
      }
      stoppedEarly = try endEpoch(epoch, lossSum: lossSum, rows: trainData.rows, seconds: Date().timeIntervalSince(epochStart),
                                  validation: usesValidation ? (validationInput, validationData) : nil, state: &state,
                                  optimizer: optimizer, runStart: runStart, startEpoch: startEpoch)
    }
    return finish(state, stoppedEarly: stoppedEarly)
  }
}

extension Trainer {
  /// Before an epoch's batches (in memory or streamed): the epoch's dropout and sampling
  /// streams, a VAE's KL weight, the workers' seeds; returns the corruption noise's generator.
  func beginEpoch(_ epoch: Int, _ parallel: DataParallel?) -> SeededRandom {
    model.reseed(seed: options.seed, epoch: epoch)
    if model.spec.isVariational {
      let beta = model.spec.beta ?? 1, warmup = model.spec.klWarmupEpochs ?? 0
      model.klWeight = warmup > 0 ? beta * min(1, Float(epoch) / Float(warmup)) : beta
    }
    parallel?.prepare(seed: options.seed, epoch: epoch)
    return SeededRandom(seed: options.seed, stream: UInt64(epoch) | 0x4E01 << 32)
  }

  /// After an epoch's batches (in memory or streamed): record the loss, validate, keep the
  /// best weights, decide on early stopping, checkpoint, report. Returns whether to stop.
  func endEpoch(_ epoch: Int, lossSum: Double, rows: Int, seconds: Double, validation: (input: Tensor, target: Tensor)?,
                state: inout TrainingState, optimizer: Optimizer, runStart: Date, startEpoch: Int) throws -> Bool {
    state.history.loss.append(lossSum / Double(rows))
    state.history.seconds.append(seconds)
    state.epoch = epoch

    var note = ""
    var stop = false
    var validationLoss: Double?
    if let validation {
      let value = model.evaluateScaled(validation.input, target: validation.target).objective
      validationLoss = value
      state.history.validationLoss.append(value)
    }
    let monitored = validationLoss ?? state.history.loss.last!
    if monitored < state.bestLoss {
      state.bestLoss = monitored
      state.bestEpoch = epoch
      state.staleEpochs = 0
      if options.earlyStoppingPatience != nil { state.bestParameters = model.parameters.valueArray }
    } else {
      state.staleEpochs += 1
      if let patience = options.earlyStoppingPatience, state.staleEpochs >= patience {
        stop = true
        note = "no improvement for \(patience) epochs: stopping, keeping epoch \(state.bestEpoch)"
      }
    }
    if let checkpointDirectory {
      try Checkpoint.save(to: checkpointDirectory, model: model, optimizer: optimizer, state: state, options: options)
    }
    if let progress {
      let perEpoch = Date().timeIntervalSince(runStart) / Double(epoch - startEpoch)
      progress.epoch(epoch: epoch, epochs: options.epochs, loss: state.history.loss.last!, validationLoss: validationLoss,
                     seconds: seconds, samplesPerSecond: Double(rows) / seconds,
                     secondsLeft: perEpoch * Double(options.epochs - epoch), note: note)
    }
    return stop
  }

  /// The weights to keep at the end, and what the run did.
  func finish(_ state: TrainingState, stoppedEarly: Bool) -> TrainingResult {
    if options.earlyStoppingPatience != nil && state.bestEpoch != state.epoch && state.bestEpoch > 0 {
      model.parameters.setValues(state.bestParameters)
    }
    let kept = options.earlyStoppingPatience != nil ? state.bestEpoch : state.epoch
    return TrainingResult(history: state.history, bestEpoch: kept, stoppedEarly: stoppedEarly)
  }
}

/// Everything besides weights and optimizer state that a resumed run needs.
struct TrainingState {
  var epoch = 0
  var history = TrainingHistory()
  var bestLoss = Double.infinity
  var bestEpoch = 0
  var staleEpochs = 0
  var bestParameters: [Float] = []

  init(parameterCount: Int) {}
}
