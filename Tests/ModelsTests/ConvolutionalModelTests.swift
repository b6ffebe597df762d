import Baselines
import Foundation
import Layers
import Models
import Runtime
import Store
import Tensor
import TestSupport
import Testing
import Training

/// Convolutional autoencoders: the --arch strings, the mirrored decoder, gradients through
/// the whole network, the runtime and the file, and training that beats a baseline.
@Suite(.serialized) struct ConvolutionalModelTests {
  @Test func architectureStringsParse() throws {
    let parsed = try Architecture(parsing: "conv16s2, conv32k5s2,dense32")
    #expect(parsed.items == [.convolution(filters: 16, kernel: 3, stride: 2),
                             .convolution(filters: 32, kernel: 5, stride: 2), .dense(units: 32)])
    #expect(try Architecture(parsing: "256,dense32").items == [.dense(units: 256), .dense(units: 32)])
    for bad in ["dense8,conv4,dense2", "conv16", "convx,dense2", "conv16s0,dense2", "conv16q,dense2", ""] {
      #expect(throws: ModelError.self, "'\(bad)' must be refused") { try Architecture(parsing: bad) }
    }
  }

  @Test func theDecoderMirrorsEveryConvolution() throws {
    let spec = try Architecture(parsing: "conv16s2,conv32s2,dense32").spec(kind: .dense, inputWidth: 784, inputShape: [28, 28, 1])
    #expect(spec.problems().isEmpty, "\(spec.problems())")
    #expect(spec.encoder.map(\.outputShape) == [[14, 14, 16], [7, 7, 32], nil])
    #expect(spec.decoder.map(\.kind.rawValue) == ["dense", "conv2d_transpose", "conv2d_transpose"])
    #expect(spec.decoder.map(\.units) == [1568, 14 * 14 * 16, 784])
    #expect(spec.decoder.last?.outputShape == [28, 28, 1] && spec.outputActivation == .sigmoid)
    // R3's shape: 28 -> 14 -> 7 and back needs PyTorch's output_padding 1, which the stored
    // output shape settles; a shape the kernel cannot produce is refused with the reason.
    var broken = spec
    broken.decoder[1].outputShape = [15, 15, 16]
    broken.decoder[1].units = 15 * 15 * 16
    #expect(broken.problems().contains { $0.contains("map 15x15 to 8x8, not 7x7") }, "\(broken.problems())")
    #expect(throws: ModelError.self) {
      try Architecture(parsing: "conv4,dense2").spec(kind: .dense, inputWidth: 16, inputShape: nil)
    }
  }

  /// Sizes from a damaged or hostile file are refused with a message before any arithmetic
  /// on them can overflow or any allocation is tried.
  @Test func absurdSizesAreRefusedNotTrapped() throws {
    let spec = try Architecture(parsing: "conv4s2,dense8").spec(kind: .dense, inputWidth: 784, inputShape: [28, 28, 1])
    var huge = spec
    huge.encoder[0].inputShape = [1 << 30, 1 << 30, 1]
    #expect(huge.problems().first?.contains("too large") == true, "\(huge.problems())")
    var wide = spec
    wide.encoder[0].outputShape = [14, 14, Int.max]
    #expect(wide.problems().first?.contains("too large") == true, "\(wide.problems())")
    var kernel = spec
    kernel.encoder[0].kernel = [1 << 20, 1 << 20]
    #expect(kernel.problems().first?.contains("at most 1024") == true)
    var dense = ModelSpec.dense(inputWidth: 1 << 20, widths: [1 << 20])
    #expect(dense.problems().first?.contains("more than") == true, "\(dense.problems())")
    dense.decoder[0].units = -5
    #expect(!dense.problems().isEmpty)
    #expect(throws: ModelError.self) { try Autoencoder(spec: huge) }
  }

  /// The objective's gradient through convolution, dense code, dense widening and transposed
  /// convolutions, against finite differences; plain and variational.
  @Test(arguments: [ModelKind.dense, .vae])
  func gradientMatchesFiniteDifferences(kind: ModelKind) throws {
    let spec = try Architecture(parsing: "conv2s2,conv3k2,dense3")
      .spec(kind: kind, inputWidth: 36, inputShape: [6, 6, 1], activation: .tanh)
    #expect(spec.problems().isEmpty, "\(spec.problems())")
    let model = try Autoencoder(spec: spec, seed: 3)
    #expect(objectiveGradientError(model, dataSeed: 8) { model.latentRandom = SeededRandom(seed: 42) } < 1e-3)
  }

  func imageSpec(_ arch: String, _ data: Tensor, kind: ModelKind = .dense, code: Activation? = nil) throws -> ModelSpec {
    let side = Int(Double(data.cols).squareRoot())
    return try Architecture(parsing: arch).spec(kind: kind, inputWidth: data.cols, inputShape: [side, side, 1], codeActivation: code)
  }

  /// The inference runtime (workspaces, passes smaller than the batch) computes what the
  /// training network computes, and a saved model comes back bit for bit.
  @Test func runtimeAndFileAgreeWithTheTrainingNetwork() throws {
    let (_, test, _) = try TestData.images(count: 1, testCount: 10)
    let model = try Autoencoder(spec: try imageSpec("conv4s2,conv8s2,dense6", test), seed: 5)
    let expected = try InferenceModel(model).reconstruct(test)
    let runtime = try InferenceModel(model)
    let workspace = try runtime.makeWorkspace(maxRows: 3)
    let got = Tensor(rows: test.rows, cols: test.cols)
    try runtime.reconstruct(test.data, rows: test.rows, into: got.data, workspace: workspace)
    var worst: Float = 0
    for i in 0..<got.count { worst = max(worst, abs(got.data[i] - expected.data[i])) }
    #expect(worst < 1e-5, "runtime and training network differ by \(worst)")

    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try ModelFile.save(model, to: directory + "/conv.h5")
    let loaded = try ModelFile.load(directory + "/conv.h5").model
    #expect(loaded.spec == model.spec)
    #expect(loaded.parameters.valueArray == model.parameters.valueArray)
    // The same call on the same weights, at one BLAS thread count: bit for bit.
    try BLASThreadCount.exclusive { () throws in
      let pair = (try InferenceModel(loaded).reconstruct(test).values, try InferenceModel(model).reconstruct(test).values)
      #expect(pair.0 == pair.1)
    }
  }

  /// Data-parallel training splits a batch over replicas; their row-weighted gradients must
  /// equal the whole batch's (up to rounding), uneven shares included.
  @Test func dataParallelGradientsEqualTheWholeBatch() throws {
    let (_, test, _) = try TestData.images(count: 1, testCount: 11)
    let model = try Autoencoder(spec: try imageSpec("conv4s2,conv6s2,dense5", test), seed: 8)
    let expectedObjective = model.computeGradients(input: test, target: test)
    let expected = Array(UnsafeBufferPointer(start: model.parameters.gradients, count: model.parameters.count))
    let parallel = try DataParallel(model: model, workers: 3)
    let objective = parallel.computeGradients(input: test, target: test)
    var difference = 0.0, norm = 0.0
    for j in 0..<expected.count {
      let d = Double(model.parameters.gradients[j] - expected[j])
      difference += d * d; norm += Double(expected[j] * expected[j])
    }
    #expect((difference / norm).squareRoot() < 1e-5, "relative gradient difference \((difference / norm).squareRoot())")
    #expect(abs(objective - expectedObjective) < 1e-5 * abs(expectedObjective))
    #expect(DataParallel.workerCount(for: model, threads: 2) == 2)
    #expect(DataParallel.workerCount(for: try Autoencoder(spec: .dense(inputWidth: 8, widths: [2])), threads: 2) == 1)
  }

  func fit(_ spec: ModelSpec, _ data: Tensor, epochs: Int) throws -> Autoencoder {
    let model = try Autoencoder(spec: spec, seed: 1)
    let options = TrainingOptions(epochs: epochs, batchSize: 64, optimizer: OptimizerSettings(kind: .adam, learningRate: 2e-3), seed: 1)
    // Training a convolutional model lowers OpenBLAS's thread count for the whole process.
    _ = try BLASThreadCount.exclusive { try Trainer(model: model, options: options).fit(data) }
    return model
  }

  @Test func convolutionalAutoencoderBeatsPCAWithTheSameCodeSize() throws {
    let (train, test, source) = try TestData.images(count: 2000, testCount: 500)
    let code = 16
    // A linear code: with ReLU, units that die early cost this small run more than PCA's margin.
    let model = try fit(try imageSpec("conv8s2,conv16s2,dense\(code)", train, code: .linear), train, epochs: 40)
    let modelMSE = model.evaluateScaled(test).mse
    let pcaMSE = try PCA(fitting: train, components: code).meanSquaredError(test)
    #expect(modelMSE < pcaMSE, "on \(source): conv autoencoder test MSE \(modelMSE) vs PCA-\(code) \(pcaMSE)")
  }

  @Test func convolutionalVAEImprovesItsELBO() throws {
    let (train, test, source) = try TestData.images(count: 2000, testCount: 300)
    let model = try Autoencoder(spec: try imageSpec("conv8s2,conv16s2,dense8", train, kind: .vae), seed: 1)
    let before = model.evaluateScaled(test).negativeELBO!
    let options = TrainingOptions(epochs: 12, batchSize: 64, optimizer: OptimizerSettings(kind: .adam, learningRate: 1e-3), seed: 1)
    _ = try BLASThreadCount.exclusive { try Trainer(model: model, options: options).fit(train) }
    let after = model.evaluateScaled(test)
    #expect(after.negativeELBO! < 0.6 * before, "on \(source): -ELBO \(before) -> \(after.negativeELBO!)")
    #expect(after.kl! > 0.1, "the posterior should carry information (KL \(after.kl!))")
  }
}
