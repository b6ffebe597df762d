import Foundation
import Layers
import Models
import Runtime
import Store
import Tensor
import TestSupport
import Testing
import Training

/// Condition vectors: groups of one-hot classes and continuous values, given at training,
/// encoding, decoding and sampling.
@Suite struct ConditionTests {
  static func spec(_ groups: [ConditionSpec], activation: Activation = .relu) -> ModelSpec {
    var spec = ModelSpec.variational(inputWidth: 6, hidden: [8], latent: 2, activation: activation, outputActivation: .linear, loss: .mse)
    spec.kind = .cvae
    spec.conditions = groups
    return spec
  }

  static let mixed = [ConditionSpec(name: "class", kind: .oneHot, width: 3), ConditionSpec(name: "pitch", kind: .continuous, width: 1)]

  /// Rows whose values depend on the class and the pitch, with their condition rows.
  static func data(rows: Int, seed: UInt64) -> (x: Tensor, conditions: Tensor) {
    var random = SeededRandom(seed: seed)
    let x = Tensor(rows: rows, cols: 6), c = Tensor(rows: rows, cols: 4)
    for r in 0..<rows {
      let label = r % 3, pitch = random.uniform(-1, 1)
      c.row(r)[label] = 1
      c.row(r)[3] = pitch
      for j in 0..<6 { x.row(r)[j] = Float(label == j % 3 ? 1 : 0) + pitch * Float(j) / 6 + 0.05 * random.gaussian() }
    }
    return (x, c)
  }

  @Test func theWholeGradientMatchesFiniteDifferencesWithConditions() throws {
    // tanh: finite differences across a ReLU's kink are not its gradient.
    let model = try Autoencoder(spec: Self.spec(Self.mixed, activation: .tanh), seed: 3)
    let (x, c) = Self.data(rows: 4, seed: 5)
    let input = try model.conditioned(x, c)
    func objective() -> Double {
      model.latentRandom = SeededRandom(seed: 9)
      return model.computeGradients(input: input, target: x)
    }
    _ = objective()
    let analytic = Array(UnsafeBufferPointer(start: model.parameters.gradients, count: model.parameters.count)).map { $0 * 4 }
    #expect(GradientCheck.relativeError(values: model.parameters.values, count: model.parameters.count,
                                        analytic: analytic, step: 1e-2, loss: objective) < 1e-3)
  }

  /// Trained on conditions, the decoder follows them: decoding the same codes under another
  /// class or pitch changes the output the way the data does.
  @Test func aModelConditionedOnClassAndPitchFollowsBoth() throws {
    let (x, c) = Self.data(rows: 1500, seed: 1)
    let model = try Autoencoder(spec: Self.spec(Self.mixed), seed: 2)
    let options = TrainingOptions(epochs: 40, batchSize: 64, optimizer: OptimizerSettings(kind: .adam, learningRate: 3e-3), seed: 1)
    _ = try Trainer(model: model, options: options).fit(x, conditions: c)
    let runtime = try InferenceModel(model)
    let codes = Tensor(rows: 1, cols: 2)
    func decoded(_ label: Int, _ pitch: Float) throws -> [Float] {
      var row: [Float] = [0, 0, 0, pitch]
      row[label] = 1
      return try runtime.decode(codes, conditions: Tensor(rows: 1, cols: 4, values: row)).values
    }
    for label in 0..<3 {
      let out = try decoded(label, 0)
      // Columns j with j % 3 == label are near 1, the others near 0.
      for j in 0..<6 { #expect(abs(out[j] - (label == j % 3 ? 1 : 0)) < 0.3, "class \(label), column \(j): \(out[j])") }
    }
    let low = try decoded(0, -1), high = try decoded(0, 1)
    #expect(high[5] - low[5] > 1, "the last column rises with pitch: \(low[5]) -> \(high[5])")
  }

  /// One-hot condition rows and class labels are the same thing, bit for bit; a model with a
  /// continuous group refuses labels and cannot draw its conditions.
  @Test func labelsAreOneHotConditions() throws {
    let model = try Autoencoder(spec: Self.spec([ConditionSpec(name: "class", kind: .oneHot, width: 3)]), seed: 4)
    let runtime = try InferenceModel(model)
    let (x, _) = Self.data(rows: 5, seed: 3)
    let labels = [0, 2, 1, 1, 0]
    let rows = try model.conditions(labels: labels)
    // The same products at one BLAS thread count: bit for bit.
    let (outputs, scores) = try BLASThreadCount.exclusive { () throws in
      ((try runtime.reconstruct(x, labels: labels).values, try runtime.reconstruct(x, conditions: rows).values),
       (try runtime.score(x, labels: labels), try runtime.score(x, conditions: rows)))
    }
    #expect(outputs.0 == outputs.1)
    #expect(scores.0 == scores.1)
    #expect(runtime.canSample && runtime.classCount == 3)
    // Sampling without conditions draws the classes; the same seed gives the same rows.
    let (first, second) = try BLASThreadCount.exclusive { () throws in
      (try runtime.sample(rows: 7, seed: 5), try runtime.sample(rows: 7, seed: 5))
    }
    #expect(first.samples.values == second.samples.values)

    let continuous = try InferenceModel(Autoencoder(spec: Self.spec(Self.mixed), seed: 4))
    #expect(!continuous.canSample && continuous.classCount == 0 && continuous.conditionWidth == 4)
    #expect(throws: InferenceError.self) { try continuous.reconstruct(x, labels: labels) }
    #expect(throws: InferenceError.self) { try continuous.sample(rows: 2, seed: 1) }
    let conditions = Tensor(rows: 5, cols: 4)
    conditions.row(2)[3] = .nan
    do {
      _ = try continuous.encode(x, conditions: conditions)
      Issue.record("a NaN condition was accepted")
    } catch let error as InferenceError {
      #expect(error.kind == .nonFinite && error.description.contains("row 2"))
    }
    conditions.row(2)[3] = 0
    conditions.row(1)[0] = 2
    #expect(throws: InferenceError.self) { try continuous.encode(x, conditions: conditions) }
    #expect(throws: InferenceError.self) { try continuous.encode(x) }
  }

  @Test func conditionGroupsSurviveTheFile() throws {
    let model = try Autoencoder(spec: Self.spec(Self.mixed), seed: 6)
    let directory = TestData.temporaryDirectory("conditions")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try ModelFile.save(model, to: directory + "/c.h5")
    let loaded = try InferenceModel.load(path: directory + "/c.h5")
    #expect(loaded.spec.conditionGroups == Self.mixed)
    let (x, c) = Self.data(rows: 3, seed: 7)
    let codes = try BLASThreadCount.exclusive { () throws in
      (try loaded.encode(x, conditions: c).values, try InferenceModel(model).encode(x, conditions: c).values)
    }
    #expect(codes.0 == codes.1)
  }
}
