import Datasets
import Foundation
import Layers
import Models
import Runtime
import Store
import Tensor
import TestSupport
import Testing
import Training

@Suite(.serialized) struct VariationalTests {
  /// The whole VAE objective (reconstruction through the sampled code, and the KL term) against
  /// finite differences, with the reparameterization noise held fixed.
  @Test(arguments: [(Loss.bce, Float(1)), (.mse, 4)])
  func objectiveGradientMatchesFiniteDifferences(loss: Loss, beta: Float) throws {
    let spec = ModelSpec.variational(inputWidth: 6, hidden: [5], latent: 2, activation: .tanh,
                                     outputActivation: loss == .bce ? .sigmoid : .linear, loss: loss, beta: beta)
    let model = try Autoencoder(spec: spec, seed: 3)
    #expect(objectiveGradientError(model, dataSeed: 8) { model.latentRandom = SeededRandom(seed: 42) } < 1e-3)
  }

  /// The conditional VAE's gradient, label columns and all.
  @Test func conditionalGradientMatchesFiniteDifferences() throws {
    let spec = ModelSpec.variational(inputWidth: 6, hidden: [5], latent: 2, activation: .tanh, classes: 3)
    #expect(spec.kind == .cvae && spec.encoderInputWidth == 9 && spec.decoderInputWidth == 5)
    let model = try Autoencoder(spec: spec, seed: 3)
    let x = GradientCheck.randomTensor(rows: 4, cols: 6, seed: 8, low: 0, high: 1)
    let input = try model.conditioned(x, model.conditions(labels: [0, 2, 1, 2]))
    func objective() -> Double {
      model.latentRandom = SeededRandom(seed: 42)
      return model.computeGradients(input: input, target: x)
    }
    _ = objective()
    let analytic = Array(UnsafeBufferPointer(start: model.parameters.gradients, count: model.parameters.count))
    let error = GradientCheck.relativeError(values: model.parameters.values, count: model.parameters.count,
                                            analytic: analytic.map { $0 * 4 }, step: 1e-2, loss: objective)
    #expect(error < 1e-3)
  }

  /// Samples drawn for a class look like that class: a nearest-class-mean classifier fitted on
  /// the training images labels most of them with the class they were drawn for.
  @Test func conditionalSamplesFollowTheirClass() throws {
    guard DataSource.hasFashionMNIST else { return } // needs real labels
    let data = try DataSource.load("fashion-mnist", limit: 3000)
    let x = data.features
    for i in 0..<x.count { x.data[i] /= 255 }
    let labels = data.labels!
    let spec = ModelSpec.variational(inputWidth: 784, hidden: [256], latent: 2, classes: 10)
    let model = try Autoencoder(spec: spec, seed: 1)
    let options = TrainingOptions(epochs: 15, batchSize: 64, optimizer: OptimizerSettings(kind: .adam, learningRate: 1e-3), seed: 1)
    _ = try Trainer(model: model, options: options).fit(x, labels: labels)
    var means = [[Double]](repeating: [Double](repeating: 0, count: 784), count: 10), counts = [Int](repeating: 0, count: 10)
    for r in 0..<x.rows {
      counts[labels[r]] += 1
      for j in 0..<784 { means[labels[r]][j] += Double(x[r, j]) }
    }
    for c in 0..<10 { means[c] = means[c].map { $0 / Double(counts[c]) } }
    // The same codes decoded under two labels a and b: the image drawn for a must look more like
    // class a's mean image than the one drawn for b does, and the other way round, for (almost)
    // every code and pair of classes.
    // (A 2-D latent leaves the class to the label, as in the usual CVAE demonstrations.)
    var random = SeededRandom(seed: 5)
    let count = 20
    let codes = Tensor(rows: count, cols: 2)
    for i in 0..<codes.count { codes.data[i] = random.gaussian() }
    // Dissimilarity = 1 - Pearson correlation with the class's mean image: shape, not brightness.
    func distance(_ t: Tensor, _ r: Int, _ c: Int) -> Double {
      let a = (0..<784).map { Double(t[r, $0]) }, b = means[c]
      let ma = a.reduce(0, +) / 784, mb = b.reduce(0, +) / 784
      var ab = 0.0, aa = 0.0, bb = 0.0
      for j in 0..<784 { ab += (a[j] - ma) * (b[j] - mb); aa += (a[j] - ma) * (a[j] - ma); bb += (b[j] - mb) * (b[j] - mb) }
      return 1 - ab / max((aa * bb).squareRoot(), 1e-12)
    }
    var right = 0, total = 0
    for (a, b) in [(1, 8), (7, 2), (0, 5), (3, 9)] {
      let asA = try InferenceModel(model).decode(codes, labels: Array(repeating: a, count: count))
      let asB = try InferenceModel(model).decode(codes, labels: Array(repeating: b, count: count))
      for r in 0..<count {
        if distance(asA, r, a) < distance(asB, r, a) { right += 1 }
        if distance(asB, r, b) < distance(asA, r, b) { right += 1 }
        total += 2
      }
    }
    #expect(Double(right) / Double(total) > 0.9, "\(right) of \(total) samples nearer their own class")
  }

  @Test func trainingImprovesTheELBOAndTheFileKeepsTheModel() throws {
    let (train, test, source) = try TestData.images(count: 2000, testCount: 500)
    let spec = ModelSpec.variational(inputWidth: train.cols, hidden: [128], latent: 8, loss: .bce)
    let model = try Autoencoder(spec: spec, seed: 1)
    let before = model.evaluateScaled(test)
    let options = TrainingOptions(epochs: 15, batchSize: 64, optimizer: OptimizerSettings(kind: .adam, learningRate: 1e-3), seed: 1)
    _ = try Trainer(model: model, options: options).fit(train)
    let after = model.evaluateScaled(test)
    #expect(after.negativeELBO! < 0.6 * before.negativeELBO!, "on \(source): -ELBO \(before.negativeELBO!) -> \(after.negativeELBO!)")
    #expect(after.kl! > 0.1, "the posterior should carry information (KL \(after.kl!))")
    #expect(abs(after.objective - after.negativeELBO!) < 1e-6 * after.objective, "beta 1: objective is the -ELBO")
    let (mean, logVariance) = try InferenceModel(model).encodeDistribution(test)
    #expect(mean.cols == 8 && logVariance.cols == 8)
    // encode works in batches of 256 rows, encodeDistribution in one of 500: BLAS rounds them
    // differently, so the codes are the means to float32 tolerance, not bit for bit.
    let mismatch = Float32Tolerance.firstMismatch(try InferenceModel(model).encode(test).values, mean.values)
    #expect(mismatch == nil, "codes differ from the means: \(String(describing: mismatch))")

    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try ModelFile.save(model, to: directory + "/vae.h5")
    let loaded = try ModelFile.load(directory + "/vae.h5").model
    #expect(loaded.spec == spec)
    #expect(loaded.parameters.valueArray == model.parameters.valueArray) // stored values come back exactly
    // Same weights, same call, but another test's convolutional training may change OpenBLAS's
    // thread count in between (see BLASThreadCount): equal to float32 tolerance.
    let reloaded = loaded.evaluateScaled(test).negativeELBO!
    #expect(Float32Tolerance.close(reloaded, after.negativeELBO!), "-ELBO \(after.negativeELBO!), reloaded \(reloaded)")
  }
}
