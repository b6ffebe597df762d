import Foundation
import Layers
import Models
import Runtime
import Store
import Tensor
import TestSupport
import Testing
import Training

/// The Gaussian decoder with a learned variance per feature (`--loss gaussian`).
@Suite(.serialized) struct GaussianLikelihoodTests {
  /// The NLL's gradient for the weights and for the log-variances, plain and variational.
  @Test(arguments: [ModelKind.dense, .vae])
  func gradientMatchesFiniteDifferences(kind: ModelKind) throws {
    let spec = kind == .vae
      ? ModelSpec.variational(inputWidth: 6, hidden: [5], latent: 2, activation: .tanh, outputActivation: .sigmoid, loss: .gaussian)
      : ModelSpec.dense(inputWidth: 6, widths: [4, 3], activation: .tanh, outputActivation: .linear, loss: .gaussian)
    let model = try Autoencoder(spec: spec, seed: 2)
    let logVariance = UnsafeMutablePointer(mutating: model.outputLogVariance!.values)
    for j in 0..<6 { logVariance[j] = Float(j) * 0.3 - 1 } // distinct variances, so each gradient matters
    #expect(objectiveGradientError(model, dataSeed: 7) { model.latentRandom = SeededRandom(seed: 42) } < 1e-3)
  }

  /// At the optimum of the NLL over s_j, sigma_j^2 is the mean squared residual of feature j:
  /// trained on rows whose features carry noise of different sizes, the learned variances
  /// must follow the model's own residuals, feature by feature, starting from the data's
  /// variances (up to 50 times larger).
  @Test func learnedVariancesMatchTheResiduals() throws {
    var random = SeededRandom(seed: 3)
    let rows = 3000, d = 8
    let noise: [Float] = [0.05, 0.1, 0.2, 0.05, 0.1, 0.2, 0.1, 0.1]
    let data = Tensor(rows: rows, cols: d)
    // One shared factor and a one-unit code: the code must carry the factor, so no feature's
    // own noise can be encoded and each residual is that feature's noise.
    for r in 0..<rows {
      let a = random.gaussian()
      for j in 0..<d { data[r, j] = a * Float(j + 1) * 0.1 + noise[j] * random.gaussian() }
    }
    let spec = ModelSpec.dense(inputWidth: d, widths: [16, 1], activation: .tanh, codeActivation: .linear,
                               outputActivation: .linear, loss: .gaussian)
    let model = try Autoencoder(spec: spec, seed: 1)
    let options = TrainingOptions(epochs: 60, batchSize: 64, optimizer: OptimizerSettings(kind: .adam, learningRate: 3e-3),
                                  seed: 1, validationFraction: 0)
    _ = try Trainer(model: model, options: options).fit(data)
    let reconstruction = try InferenceModel(model).reconstruct(data)
    for j in 0..<d {
      var residual = 0.0
      for r in 0..<rows { residual += Double((reconstruction[r, j] - data[r, j]) * (reconstruction[r, j] - data[r, j])) }
      residual /= Double(rows)
      let learned = exp(Double(model.outputLogVariance!.values[j]))
      #expect(abs(learned / residual - 1) < 0.25, "feature \(j): learned variance \(learned), residual \(residual)")
      // The code estimates the factor from noisy features, so some noise of the most precise
      // ones leaks into it and is reconstructed: residuals may fall somewhat below the noise.
      let ratio = residual / Double(noise[j] * noise[j])
      #expect(ratio > 0.5 && ratio < 1.5, "feature \(j): residual \(residual) against noise variance \(noise[j] * noise[j])")
    }
  }

  /// The file keeps the variances, and the runtime's `loss` anomaly score is the per-row NLL
  /// whose mean is the evaluated objective; the `excess` score leaves out the NLL's
  /// log-variance terms (what a perfect reconstruction would still cost).
  @Test func fileAndRuntimeKeepTheLikelihood() throws {
    let data = GradientCheck.randomTensor(rows: 50, cols: 6, seed: 4, low: 0, high: 1)
    let spec = ModelSpec.dense(inputWidth: 6, widths: [3], activation: .tanh, outputActivation: .sigmoid, loss: .gaussian)
    let model = try Autoencoder(spec: spec, seed: 5)
    model.initializeLikelihood(from: data)
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try ModelFile.save(model, to: directory + "/g.h5")
    let loaded = try ModelFile.load(directory + "/g.h5").model
    #expect(loaded.parameters.valueArray == model.parameters.valueArray)
    #expect(loaded.anomaly == .default)
    let excess = try InferenceModel(loaded).score(data)
    loaded.anomaly = .legacy
    let losses = try InferenceModel(loaded).score(data)
    let mean = losses.reduce(0.0) { $0 + Double($1) } / 50
    let objective = loaded.evaluateScaled(data).objective
    #expect(abs(mean - objective) < 1e-4 * max(abs(objective), 1), "mean score \(mean), objective \(objective)")
    let logVariance = Array(UnsafeBufferPointer(start: loaded.outputLogVariance!.values, count: 6))
    let perfect = logVariance.reduce(0.0) { $0 + 0.5 * (Double($1) + log(2 * Double.pi)) }
    for (e, l) in zip(excess, losses) { #expect(abs(Double(e) - (Double(l) - perfect)) < 1e-4 * max(abs(Double(l)), 1)) }
  }
}
