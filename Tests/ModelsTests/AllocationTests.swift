import CAllocationCounter
import Layers
import Models
import Runtime
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
    ModelSpec.variational(inputWidth: 784, hidden: [256], latent: 16, classes: 10),
    { () -> ModelSpec in // four output heads
      var spec = ModelSpec.dense(inputWidth: 784, widths: [64, 8], outputActivation: .linear, loss: .mse)
      spec.heads = [OutputHead(width: 700, activation: .sigmoid, loss: .bce), OutputHead(width: 50, activation: .linear, loss: .gaussian),
                    OutputHead(width: 30, activation: .softmax, loss: .categorical), OutputHead(width: 4, activation: .linear, loss: .mse)]
      return spec
    }(),
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
    let data = GradientCheck.randomTensor(rows: 128, cols: 784, seed: 2, low: 0, high: 1)
    let x = spec.conditionWidth > 0 ? try model.conditioned(data, model.conditions(labels: (0..<128).map { $0 % 10 })) : data
    let optimizer = Optimizer(settings: OptimizerSettings(kind: .adam, learningRate: 1e-3), parameterCount: model.parameters.count)
    func step() {
      _ = model.computeGradients(input: x, target: data)
      optimizer.update(model.parameters)
    }
    step() // the first batch sizes every buffer
    aecount_start()
    for _ in 0..<3 { step() }
    let allocations = aecount_stop()
    #expect(allocations == 0, "\(spec.kind.rawValue): \(allocations) allocations in 3 steps")
  }

  /// The runtime's calls with a workspace allocate nothing either: labels and condition rows,
  /// sampling with drawn classes, paths, distributions, and the heads' output stage.
  @Test(arguments: specs.suffix(2))
  func runtimeCallsWithAWorkspaceAllocateNothing(spec: ModelSpec) throws {
    let runtime = try InferenceModel(Autoencoder(spec: spec, seed: 1))
    let rows = 20, d = runtime.inputWidth, k = runtime.codeWidth, c = runtime.conditionWidth
    let workspace = try runtime.makeWorkspace(maxRows: 8) // more rows than that: passes too
    let x = GradientCheck.randomTensor(rows: rows, cols: d, seed: 3, low: 0, high: 1)
    let y = Tensor(rows: rows, cols: d), z = Tensor(rows: rows, cols: k), v = Tensor(rows: rows, cols: k)
    let conditions = Tensor(rows: rows, cols: max(c, 1))
    for r in 0..<rows where c > 0 { conditions.row(r)[r % c] = 1 }
    let labels = (0..<rows).map { Int32($0 % 10) }
    let scores = Tensor(rows: rows, cols: 1)
    func calls() throws {
      try labels.withUnsafeBufferPointer { l in
        let labelPointer = c > 0 ? l.baseAddress : nil, rowPointer = c > 0 ? UnsafePointer(conditions.data) : nil
        try runtime.encode(x.data, rows: rows, labels: labelPointer, into: z.data, workspace: workspace)
        try runtime.encode(x.data, rows: rows, conditions: rowPointer, into: z.data, workspace: workspace)
        try runtime.decode(z.data, rows: rows, conditions: rowPointer, into: y.data, workspace: workspace)
        try runtime.reconstruct(x.data, rows: rows, conditions: rowPointer, into: y.data, workspace: workspace)
        try runtime.score(x.data, rows: rows, labels: labelPointer, into: scores.data, workspace: workspace)
        if runtime.spec.isVariational {
          try runtime.encodeDistribution(x.data, rows: rows, conditions: rowPointer, mean: z.data, logVariance: v.data, workspace: workspace)
          try runtime.sample(rows: rows, seed: 1, temperature: 1, into: y.data, codes: z.data, workspace: workspace)
        }
        try runtime.interpolate(from: z.data, to: v.data, steps: rows, spherical: true, condition: rowPointer,
                                into: y.data, workspace: workspace)
      }
    }
    try calls() // warm: anything lazily made once
    aecount_start()
    try calls()
    let allocations = aecount_stop()
    #expect(allocations == 0, "\(spec.kind.rawValue): \(allocations) allocations")
  }
}
