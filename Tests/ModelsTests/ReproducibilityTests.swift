import Foundation
import Layers
import Models
import Store
import Tensor
import TestSupport
import Testing
import Training

@Suite struct ReproducibilityTests {
  let spec = ModelSpec.dense(inputWidth: 196, widths: [32, 8], loss: .bce, dropout: 0.2)
  let data = TestData.blobs(count: 300, seed: 5)

  func options(epochs: Int) -> TrainingOptions {
    TrainingOptions(epochs: epochs, batchSize: 32, optimizer: OptimizerSettings(kind: .adam, learningRate: 1e-3),
                    seed: 9, validationFraction: 0.2, earlyStoppingPatience: 50)
  }

  /// Bit for bit at one BLAS thread count, which `BLASThreadCount.exclusive` holds still.
  @Test func sameSeedGivesTheSameWeightsBitForBit() throws {
    let results: [[Float]] = try BLASThreadCount.exclusive {
      try (0..<2).map { _ in
        let model = try Autoencoder(spec: spec, seed: 9)
        _ = try Trainer(model: model, options: options(epochs: 3)).fit(data)
        return model.parameters.valueArray
      }
    }
    #expect(results[0] == results[1])
    let other = try Autoencoder(spec: spec, seed: 10)
    #expect(other.parameters.valueArray != (try Autoencoder(spec: spec, seed: 9)).parameters.valueArray)
  }

  /// Every model kind with randomness in its training step: dropout masks, input noise, and
  /// the VAE's sampled codes with a warming-up KL weight.
  static let resumableSpecs: [ModelSpec] = [
    ModelSpec.dense(inputWidth: 196, widths: [32, 8], loss: .bce, dropout: 0.2),
    ModelSpec.dense(inputWidth: 196, widths: [32, 8], loss: .bce, kind: .denoising, noise: Corruption(kind: .gaussian, level: 0.3)),
    ModelSpec.variational(inputWidth: 196, hidden: [32], latent: 4, klWarmupEpochs: 3),
    // Convolutional models train data-parallel on more than one core: replicas reseed too.
    {
      var spec = try! Architecture(parsing: "conv4s2,dense6").spec(kind: .vae, inputWidth: 196, inputShape: [14, 14, 1])
      spec.dropout = 0.2
      spec.klWarmupEpochs = 2
      return spec
    }(),
  ]

  /// Bit for bit at one BLAS thread count: the three runs hold it still (BLASThreadCount), also
  /// against this test's convolutional case, whose training lowers it.
  @Test(arguments: resumableSpecs)
  func resumeAfterACheckpointMatchesAnUninterruptedRun(spec: ModelSpec) throws {
    try BLASThreadCount.exclusive { try resumeMatches(spec: spec) }
  }

  func resumeMatches(spec: ModelSpec) throws {
    let straight = try Autoencoder(spec: spec, seed: 9)
    let straightResult = try Trainer(model: straight, options: options(epochs: 4)).fit(data)

    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let first = try Autoencoder(spec: spec, seed: 9)
    let firstTrainer = Trainer(model: first, options: options(epochs: 2))
    firstTrainer.checkpointDirectory = directory
    _ = try firstTrainer.fit(data)

    let resumed = try Autoencoder(spec: spec, seed: 123) // different init: everything must come from the checkpoint
    let resumedResult = try Trainer(model: resumed, options: options(epochs: 4)).fit(data, resume: directory)
    #expect(resumed.parameters.valueArray == straight.parameters.valueArray)
    #expect(resumedResult.history == straightResult.history.withoutTimes(matching: resumedResult.history))
  }

  @Test func resumeRefusesDifferentOptions() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try Autoencoder(spec: spec, seed: 9)
    let trainer = Trainer(model: model, options: options(epochs: 1))
    trainer.checkpointDirectory = directory
    _ = try trainer.fit(data)
    var changed = options(epochs: 2)
    changed.batchSize = 16
    #expect(throws: TrainingError.self) { try Trainer(model: model, options: changed).fit(data, resume: directory) }
  }

  @Test func earlyStoppingKeepsTheBestEpoch() throws {
    let model = try Autoencoder(spec: spec, seed: 9)
    var opts = options(epochs: 40)
    opts.earlyStoppingPatience = 2
    opts.optimizer.learningRate = 0.05 // large enough that validation loss stops improving
    let result = try Trainer(model: model, options: opts).fit(data)
    let best = result.history.validationLoss.min()!
    let split = Trainer.split(rows: data.rows, validationFraction: 0.2, seed: 9)
    let validation = Tensor(rows: 0, cols: data.cols)
    validation.gather(rows: split.validation[...], from: data)
    #expect(result.stoppedEarly)
    #expect(abs(model.evaluateScaled(validation).objective - best) < 1e-6 * best)
  }
}

extension TrainingHistory {
  /// This history with `seconds` taken from `other` (wall-clock times never repeat).
  func withoutTimes(matching other: TrainingHistory) -> TrainingHistory {
    var copy = self
    copy.seconds = other.seconds
    return copy
  }
}
