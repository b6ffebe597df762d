import Dispatch
import Layers
import Models
import Tensor

/// Data-parallel gradients for convolutional models: each core takes a contiguous share of
/// the batch through a replica of the model (same weights, own buffers and gradients, one
/// BLAS thread each), and the shares' gradients are averaged by row count into the model's.
///
/// Why: a convolution's matrix products are thin (9 to 144 wide), so OpenBLAS's threading
/// gains little on them (1.1x on 2 cores for R3), while two halves of a batch run side by side
/// at nearly full speed. Dense models keep OpenBLAS's threading, which scales well on their
/// wide products. Results are bit-identical for a fixed thread count, as elsewhere.
public final class DataParallel {
  let model: Autoencoder
  /// The model itself, then its replicas.
  private let workers: [Autoencoder]
  private let inputs: [Tensor]
  private let targets: [Tensor]
  private let objectives: UnsafeMutablePointer<Double>

  /// Workers worth using for `model` with `threads` BLAS threads: 1 means train as usual.
  public static func workerCount(for model: Autoencoder, threads: Int) -> Int {
    let spec = model.spec
    let convolutional = (spec.encoder + spec.decoder).contains(where: \.isConvolution)
    // The KL sparsity penalty couples the rows of a batch through their mean activation.
    return convolutional && spec.klSparsity == nil ? max(threads, 1) : 1
  }

  public init(model: Autoencoder, workers count: Int) throws {
    self.model = model
    workers = [model] + (try (1..<max(count, 1)).map { _ in try Autoencoder(replicaOf: model) })
    inputs = workers.map { _ in Tensor(rows: 0, cols: model.spec.encoderInputWidth) }
    targets = workers.map { _ in Tensor(rows: 0, cols: model.spec.inputWidth) }
    objectives = .allocate(capacity: workers.count)
  }

  deinit { objectives.deallocate() }

  /// Reseed every worker's random draws for `epoch` (each its own streams) and share the KL weight.
  public func prepare(seed: UInt64, epoch: Int) {
    for (i, worker) in workers.enumerated() where i > 0 {
      worker.reseed(seed: seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15, epoch: epoch)
      worker.klWeight = model.klWeight
    }
  }

  /// As `Autoencoder.computeGradients` for the whole batch: the batch-mean gradient lands in
  /// `model.parameters.gradients`; returns the objective summed over the batch.
  public func computeGradients(input: Tensor, target: Tensor) -> Double {
    let n = input.rows, count = min(workers.count, n)
    for i in 0..<count {
      inputs[i].copyRows(n * i / count..<n * (i + 1) / count, from: input)
      targets[i].copyRows(n * i / count..<n * (i + 1) / count, from: target)
    }
    let objectives = self.objectives, workers = self.workers, inputs = self.inputs, targets = self.targets
    DispatchQueue.concurrentPerform(iterations: count) { i in
      objectives[i] = workers[i].computeGradients(input: inputs[i], target: targets[i])
    }
    // Each worker left the mean over its rows; the batch mean weighs them by their rows.
    let total = model.parameters.gradients, p = model.parameters.count
    let first = Float(inputs[0].rows) / Float(n)
    for j in 0..<p { total[j] *= first }
    var objective = objectives[0]
    for i in 1..<count {
      let weight = Float(inputs[i].rows) / Float(n), g = workers[i].parameters.gradients
      for j in 0..<p { total[j] += weight * g[j] }
      objective += objectives[i]
    }
    return objective
  }
}
