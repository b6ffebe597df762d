import Foundation
import Layers
import Models
import Runtime
import Store
import Tensor
import TestSupport
import Testing
import Training

/// A row split into heads: sigmoid + BCE, linear + Gaussian NLL or MSE, softmax + categorical
/// cross-entropy, each on its own columns.
@Suite struct OutputHeadTests {
  /// Two binary columns, two Gaussian ones, a 3-way categorical group and an MSE column.
  static let heads = [
    OutputHead(name: "flags", width: 2, activation: .sigmoid, loss: .bce),
    OutputHead(name: "measures", width: 2, activation: .linear, loss: .gaussian),
    OutputHead(name: "colour", width: 3, activation: .softmax, loss: .categorical),
    OutputHead(name: "size", width: 1, activation: .linear, loss: .mse),
  ]

  static func mixedSpec(kind: ModelKind = .dense) -> ModelSpec {
    var spec = kind == .vae
      ? ModelSpec.variational(inputWidth: 8, hidden: [6], latent: 2, outputActivation: .linear, loss: .mse)
      : ModelSpec.dense(inputWidth: 8, widths: [6, 3], activation: .tanh, outputActivation: .linear, loss: .mse)
    spec.heads = heads
    return spec
  }

  /// The categorical loss's gradient with respect to the logits, against finite differences,
  /// for one-hot and soft targets.
  @Test(arguments: [[0, 1, 0, 0] as [Float], [0.2, 0.3, 0.1, 0.4]])
  func categoricalGradientMatchesFiniteDifferences(target: [Float]) {
    let logits = GradientCheck.randomTensor(rows: 1, cols: 4, seed: 3, low: -3, high: 3)
    let t = Tensor(rows: 1, cols: 4, values: target)
    let gradient = Tensor(rows: 1, cols: 4)
    _ = Loss.categorical.evaluate(logits: logits, activation: .softmax, target: t, gradient: gradient)
    let error = GradientCheck.relativeError(values: logits.data, count: 4, analytic: gradient.values, step: 1e-2) {
      Loss.categorical.evaluate(logits: logits, activation: .softmax, target: t, gradient: nil)
    }
    #expect(error < 1e-3)
    // And its value is the cross-entropy of the softmax it reports.
    var probabilities = logits.values
    Activation.softmax.apply(&probabilities, count: 4)
    let crossEntropy = -zip(target, probabilities).reduce(0.0) { $0 + Double($1.0) * log(Double($1.1)) }
    #expect(abs(Loss.categorical.evaluate(logits: logits, activation: .softmax, target: t, gradient: nil) - crossEntropy) < 1e-5)
  }

  /// Softmax's backward pass is the Jacobian's product with the upstream gradient.
  @Test func softmaxBackwardMatchesFiniteDifferences() {
    let z = GradientCheck.randomTensor(rows: 1, cols: 5, seed: 4, low: -2, high: 2)
    let weights = GradientCheck.randomTensor(rows: 1, cols: 5, seed: 5)
    func loss() -> Double {
      var y = z.values
      Activation.softmax.apply(&y, count: 5)
      return zip(y, weights.values).reduce(0.0) { $0 + Double($1.0 * $1.1) }
    }
    var y = z.values
    Activation.softmax.apply(&y, count: 5)
    var dy = weights.values
    Activation.softmax.backward(&dy, output: y, count: 5)
    #expect(GradientCheck.relativeError(values: z.data, count: 5, analytic: dy, step: 1e-2, loss: loss) < 1e-3)
  }

  /// The whole model's gradient with four heads, plain and variational, against finite
  /// differences of its objective.
  @Test(arguments: [ModelKind.dense, .vae])
  func mixedHeadGradientMatchesFiniteDifferences(kind: ModelKind) throws {
    let model = try Autoencoder(spec: Self.mixedSpec(kind: kind), seed: 7)
    let prepare = { model.latentRandom = SeededRandom(seed: 11) } // the same VAE noise in every evaluation
    #expect(objectiveGradientError(model, dataSeed: 12, prepare: prepare) < 1e-3)
  }

  @Test func headsMustFitTheRowAndTheirLosses() {
    var spec = Self.mixedSpec()
    spec.heads![2].activation = .sigmoid
    #expect(spec.problems().contains { $0.contains("categorical loss needs a softmax output") })
    spec = Self.mixedSpec()
    spec.heads![0].width = 3
    #expect(spec.problems().contains { $0.contains("cover 9 values, not the 8") })
    spec = Self.mixedSpec()
    spec.decoder[spec.decoder.count - 1].activation = .sigmoid
    #expect(spec.problems().contains { $0.contains("last layer must be linear") })
    spec = Self.mixedSpec()
    spec.encoder[0].activation = .softmax
    #expect(spec.problems().contains { $0.contains("softmax belongs to output heads") })
  }

  /// A small mixed table, generated from two hidden factors: a mixed-head model learns every
  /// kind of column better than the baseline a user would compare with (the majority class,
  /// the mean), and the runtime's outputs are the heads' (probabilities that sum to 1 for the
  /// categorical group, values in (0, 1) for the flags) and survive a file round trip.
  @Test func mixedHeadModelLearnsAMixedTable() throws {
    let (train, test) = (Self.table(rows: 3000, seed: 1), Self.table(rows: 500, seed: 2))
    let model = try Autoencoder(spec: Self.mixedSpec(), seed: 3)
    model.initializeLikelihood(from: train)
    let options = TrainingOptions(epochs: 60, batchSize: 64, optimizer: OptimizerSettings(kind: .adam, learningRate: 5e-3), seed: 1)
    _ = try Trainer(model: model, options: options).fit(train)
    let runtime = try InferenceModel(model)
    let output = try runtime.reconstruct(test)

    var flagHits = 0, colourHits = 0, sizeError = 0.0, sizeVariance = 0.0
    let colourCounts = (0..<3).map { c in (0..<train.rows).filter { Self.argmax(train.row($0) + 4, 3) == c }.count }
    let sizeMean = (0..<train.rows).reduce(0.0) { $0 + Double(train[$1, 7]) } / Double(train.rows)
    for r in 0..<test.rows {
      let truth = test.row(r), predicted = output.row(r)
      for j in 0..<2 where (predicted[j] > 0.5) == (truth[j] > 0.5) { flagHits += 1 }
      #expect((0..<2).allSatisfy { predicted[$0] > 0 && predicted[$0] < 1 })
      let mass = (4..<7).reduce(Float(0)) { $0 + predicted[$1] }
      #expect(abs(mass - 1) < 1e-5, "the categorical head's probabilities sum to \(mass)")
      if Self.argmax(predicted + 4, 3) == Self.argmax(truth + 4, 3) { colourHits += 1 }
      sizeError += Double((predicted[7] - truth[7]) * (predicted[7] - truth[7]))
      sizeVariance += (Double(truth[7]) - sizeMean) * (Double(truth[7]) - sizeMean)
    }
    let majority = Double(colourCounts.max() ?? 0) / Double(train.rows)
    let flagAccuracy = Double(flagHits) / Double(2 * test.rows), colourAccuracy = Double(colourHits) / Double(test.rows)
    #expect(flagAccuracy > 0.9, "flag accuracy \(flagAccuracy)")
    #expect(colourAccuracy > max(0.85, majority + 0.3), "colour accuracy \(colourAccuracy), majority class \(majority)")
    #expect(sizeError < 0.3 * sizeVariance, "size: squared error \(sizeError) against the mean's \(sizeVariance)")

    let directory = TestData.temporaryDirectory("heads")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try ModelFile.save(model, to: directory + "/mixed.h5")
    let loaded = try InferenceModel.load(path: directory + "/mixed.h5")
    #expect(loaded.spec == model.spec)
    // The same calls on the same weights at one BLAS thread count: bit for bit.
    let (outputs, scores) = try BLASThreadCount.exclusive { () throws in
      ((try loaded.reconstruct(test).values, try runtime.reconstruct(test).values), (try loaded.score(test), try runtime.score(test)))
    }
    #expect(outputs.0 == outputs.1)
    #expect(scores.0 == scores.1)
  }

  static func argmax(_ values: UnsafeMutablePointer<Float>, _ count: Int) -> Int {
    (0..<count).max { values[$0] < values[$1] } ?? 0
  }

  /// Rows of [flag, flag, measure, measure, one-hot colour (3), size] from two hidden factors.
  static func table(rows: Int, seed: UInt64) -> Tensor {
    var random = SeededRandom(seed: seed)
    let t = Tensor(rows: rows, cols: 8)
    for r in 0..<rows {
      let a = random.gaussian(), b = random.gaussian()
      let row = t.row(r)
      row[0] = a > 0 ? 1 : 0
      row[1] = b > 0.5 ? 1 : 0
      row[2] = a + 0.1 * random.gaussian()
      row[3] = a - b + 0.1 * random.gaussian()
      row[4 + (a + b < -0.5 ? 0 : a - b > 0.5 ? 1 : 2)] = 1
      row[7] = 2 * b + 0.1 * random.gaussian()
    }
    return t
  }
}
