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
  /// training error must come within 2% of PCA's (which is optimal for a linear code).
  @Test func linearAutoencoderReachesPCA() throws {
    let (train, _, source) = try TestData.images(count: 2000, testCount: 1)
    // The blobs' variance beyond 4 directions is tiny and slow to learn; 4 keeps the check fair.
    let code = source == "fashion-mnist" ? 16 : 4
    let pcaMSE = try PCA(fitting: train, components: code).meanSquaredError(train)
    let spec = ModelSpec.dense(inputWidth: train.cols, widths: [code], activation: .linear,
                               outputActivation: .linear, loss: .mse)
    let model = try fit(spec, on: train, epochs: 200, lr: 3e-3)
    let modelMSE = model.evaluateScaled(train).mse
    #expect(modelMSE >= pcaMSE * 0.999, "a linear model cannot beat PCA on its training data")
    #expect(modelMSE <= pcaMSE * 1.02, "on \(source): linear autoencoder MSE \(modelMSE) vs PCA-\(code) \(pcaMSE)")
  }
}
