import Foundation
import Models
import Tensor

/// Training rows that do not fit in memory: each epoch, windows of scaled rows in an order
/// the source derives from the seed and the epoch (so a run is reproducible), covering every
/// training row once.
public protocol StreamedTrainingRows {
  /// Training rows per epoch.
  var count: Int { get }
  var width: Int { get }
  /// Call `body` with successive windows of scaled rows (a pointer to rows x width values,
  /// and rows), already shuffled.
  func windows(epoch: Int, _ body: (UnsafeMutablePointer<Float>, Int) throws -> Void) throws
}

extension Trainer {
  /// Train on rows streamed from disk. `validation` (scaled, in memory: a bounded held-out
  /// set) is evaluated after each epoch as `fit` does; `sample` (scaled training rows, a
  /// bounded sample) starts a Gaussian likelihood; `valueRange` is the scaled data's smallest
  /// and largest value (what corrupted inputs are clipped to). Unconditional models only; no
  /// resume (the in-memory `fit` has both).
  public func fit(streaming rows: StreamedTrainingRows, validation: Tensor?, sample: Tensor,
                  valueRange: ClosedRange<Float>) throws -> TrainingResult {
    let problems = options.problems()
    guard problems.isEmpty else { throw TrainingError(problems.joined(separator: "; ")) }
    guard rows.width == model.spec.inputWidth else {
      throw TrainingError("the data has \(rows.width) features per row; the model expects \(model.spec.inputWidth)")
    }
    guard model.spec.conditionWidth == 0 else { throw TrainingError("streamed training takes unconditional models; a cvae trains in memory") }
    guard rows.count > 0 else { throw TrainingError("no training rows") }
    let optimizer = Optimizer(settings: options.optimizer, parameterCount: model.parameters.count)
    var state = TrainingState(parameterCount: model.parameters.count)
    if model.outputLogVariance != nil, sample.rows > 0 { model.initializeLikelihood(from: sample) }
    state.bestParameters = model.parameters.valueArray

    let threads = BLAS.threads
    let workerCount = DataParallel.workerCount(for: model, threads: threads)
    let parallel = workerCount > 1 ? try DataParallel(model: model, workers: workerCount) : nil
    if parallel != nil { BLAS.threads = 1 }
    defer { if parallel != nil { BLAS.threads = threads } }

    let width = rows.width, batchSize = options.batchSize
    let batch = Tensor(rows: 0, cols: width), noisyBatch = Tensor(rows: 0, cols: width)
    let dataRange = valueRange
    let batchesPerEpoch = (rows.count + batchSize - 1) / batchSize
    var stoppedEarly = false
    let runStart = Date()
    while state.epoch < options.epochs && !stoppedEarly {
      let epoch = state.epoch + 1
      let epochStart = Date()
      var noiseRandom = beginEpoch(epoch, parallel)
      var lossSum = 0.0, seen = 0, batches = 0
      try rows.windows(epoch: epoch) { values, count in
        // Batches run through a window in order (the window is shuffled); the last batch of a
        // window may be short.
        var start = 0
        while start < count {
          let m = min(batchSize, count - start)
          batch.resize(rows: m)
          batch.data.update(from: values + start * width, count: m * width)
          var input = batch
          if let noise = model.spec.noise {
            noise.apply(batch, into: noisyBatch, range: dataRange, random: &noiseRandom)
            input = noisyBatch
          }
          let loss = parallel?.computeGradients(input: input, target: batch) ?? model.computeGradients(input: input, target: batch)
          guard loss.isFinite else {
            throw TrainingError("the loss became \(loss) in epoch \(epoch), batch \(batches + 1); lower the learning rate or check the data scaling")
          }
          optimizer.update(model.parameters)
          lossSum += loss
          seen += m
          batches += 1
          start += m
          if let progress {
            let elapsed = Date().timeIntervalSince(epochStart)
            let left = elapsed / Double(seen) * Double(rows.count - seen + (options.epochs - epoch) * rows.count)
            progress.batch(epoch: epoch, epochs: options.epochs, batch: min(batches, batchesPerEpoch), batches: batchesPerEpoch,
                           loss: lossSum / Double(seen), samplesPerSecond: Double(seen) / max(elapsed, 1e-9), secondsLeft: left)
          }
        }
      }
      guard seen == rows.count else { throw TrainingError("the stream gave \(seen) rows in epoch \(epoch); expected \(rows.count)") }
      stoppedEarly = try endEpoch(epoch, lossSum: lossSum, rows: seen, seconds: Date().timeIntervalSince(epochStart),
                                  validation: validation.flatMap { $0.rows > 0 ? ($0, $0) : nil }, state: &state,
                                  optimizer: optimizer, runStart: runStart, startEpoch: 0)
    }
    return finish(state, stoppedEarly: stoppedEarly)
  }
}
