import Baselines
import Layers
import Models
import Tensor
import TestSupport
import Testing
import Training

/// Trained models must beat the linear baseline; a linear model must match it.
@Suite(.serialized) struct TrainingQualityTests {
  func fit(_ spec: ModelSpec, on data: Tensor, epochs: Int, lr: Float = 1e-3, batch: Int = 64) throws -> Autoencoder {
    let model = try Autoencoder(spec: spec, seed: 1)
    let options = TrainingOptions(epochs: epochs, batchSize: batch,
                                  optimizer: OptimizerSettings(kind: .adam, learningRate: lr), seed: 1)
    _ = try Trainer(model: model, options: options).fit(data)
    return model
  }

  @Test func denseAutoencoderBeatsPCAWithTheSameCodeSize() throws {
    let (train, test, source) = try TestData.images(count: 2000, testCount: 1000)
    let code = 16
    let pca = try PCA(fitting: train, components: code)
    let spec = ModelSpec.dense(inputWidth: train.cols, widths: [256, code], loss: .bce)
    let model = try fit(spec, on: train, epochs: 60)
    let modelMSE = model.evaluateScaled(test).mse
    let pcaMSE = pca.meanSquaredError(test)
    #expect(modelMSE < pcaMSE, "on \(source): autoencoder test MSE \(modelMSE) vs PCA-\(code) \(pcaMSE)")
  }

  /// A one-layer linear autoencoder trained with MSE spans the principal subspace, so its
  /// training error must come within 2% of PCA's (which is optimal for a linear code), far
  /// closer than PCA with one component fewer (7% worse on Fashion-MNIST, 48% on the blobs).
  ///
  /// Batches of 256 keep Adam's gradient noise low: over seeds 1-6, OpenBLAS's Zen, Haswell,
  /// Sandybridge and Nehalem kernels, 1 or 2 threads and OPENBLAS_L2_SIZE=131072, the model
  /// ended 0.19-0.35% above PCA on Fashion-MNIST (0.05-0.13% on the blobs). Batches of 64 ended
  /// up to 5% above, and the 16-unit code this test had, up to 4.5% above after 200 epochs: the
  /// eigenvalues around the 16th are close, so the last direction is learned slowly.
  @Test func linearAutoencoderReachesPCA() throws {
    let (train, _, source) = try TestData.images(count: 2000, testCount: 1)
    // The blobs' variance beyond 4 directions is tiny and slow to learn; 4 keeps the check fair.
    let code = source == "fashion-mnist" ? 8 : 4
    let pcaMSE = try PCA(fitting: train, components: code).meanSquaredError(train)
    let fewerMSE = try PCA(fitting: train, components: code - 1).meanSquaredError(train)
    let spec = ModelSpec.dense(inputWidth: train.cols, widths: [code], activation: .linear,
                               outputActivation: .linear, loss: .mse)
    let model = try fit(spec, on: train, epochs: 150, lr: 3e-3, batch: 256)
    let modelMSE = model.evaluateScaled(train).mse
    #expect(modelMSE >= pcaMSE * 0.999, "a linear model cannot beat PCA on its training data")
    #expect(modelMSE <= pcaMSE * 1.02,
            "on \(source): linear autoencoder MSE \(modelMSE) vs PCA-\(code) \(pcaMSE) (PCA-\(code - 1): \(fewerMSE))")
    #expect(pcaMSE * 1.02 < fewerMSE, "the 2% allowance must be tighter than one component fewer")
  }
}
