import Foundation
import Layers
import Models
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
    let (mean, logVariance) = model.encodeDistribution(test)
    #expect(mean.cols == 8 && logVariance.cols == 8)
    #expect(model.encode(test).values == mean.values)

    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try ModelFile.save(model, to: directory + "/vae.h5")
    let loaded = try ModelFile.load(directory + "/vae.h5").model
    #expect(loaded.spec == spec)
    #expect(loaded.evaluateScaled(test).negativeELBO == after.negativeELBO)
  }
}
