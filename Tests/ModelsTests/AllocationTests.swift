import CAllocationCounter
import Layers
import Models
import Tensor
import TestSupport
import Testing
import Training

/// A training step (forward, loss, backward, penalties, optimizer) allocates nothing once the
/// first batch has sized the buffers: counted by interposing malloc (CAllocationCounter), on
/// this thread only.
@Suite(.enabled(if: aecount_available() != 0, "a sanitizer owns malloc in this build, so nothing is counted"))
struct AllocationTests {
  static let specs: [ModelSpec] = [
    ModelSpec.dense(inputWidth: 784, widths: [256, 32], loss: .bce, dropout: 0.2),
    ModelSpec.dense(inputWidth: 784, widths: [256, 32], activation: .tanh, codeActivation: .sigmoid, loss: .bce,
                    kind: .contractive, contractive: 0.5),
    ModelSpec.variational(inputWidth: 784, hidden: [256], latent: 16, loss: .gaussian),
    try! Architecture(parsing: "conv16s2,conv32s2,dense32").spec(kind: .vae, inputWidth: 784, inputShape: [28, 28, 1]),
  ]

  /// The counter itself sees an allocation on this thread (so a zero below means something).
  @Test func theCounterCounts() {
    aecount_start()
    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 1000)
    let allocations = aecount_stop()
    buffer.deallocate()
    #expect(allocations == 1)
  }

  @Test(arguments: specs)
  func aTrainingStepAllocatesNothing(spec: ModelSpec) throws {
    let model = try Autoencoder(spec: spec, seed: 1)
    let x = GradientCheck.randomTensor(rows: 128, cols: 784, seed: 2, low: 0, high: 1)
    let optimizer = Optimizer(settings: OptimizerSettings(kind: .adam, learningRate: 1e-3), parameterCount: model.parameters.count)
    func step() {
      _ = model.computeGradients(input: x, target: x)
      optimizer.update(model.parameters)
    }
    step() // the first batch sizes every buffer
    aecount_start()
    for _ in 0..<3 { step() }
    let allocations = aecount_stop()
    #expect(allocations == 0, "\(spec.kind.rawValue): \(allocations) allocations in 3 steps")
  }
}
