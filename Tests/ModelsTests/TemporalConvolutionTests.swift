import Foundation
import Layers
import Models
import Runtime
import Store
import Tensor
import TestSupport
import Testing

/// Convolutions over time (conv1d, conv1d_transpose) on (time, channels) frames, and
/// rectangular 2-D kernels and strides.
@Suite struct TemporalConvolutionTests {
  @Test(arguments: ["conv4k3,dense3", "conv4k3s2,conv3k5s2,dense3"])
  func temporalModelGradientMatchesFiniteDifferences(architecture: String) throws {
    let spec = try Architecture(parsing: architecture).spec(kind: .dense, inputWidth: 24, inputShape: [12, 2], activation: .tanh,
                                                            outputActivation: .sigmoid, loss: .bce)
    #expect(spec.encoder[0].kind == .conv1d)
    #expect(spec.decoder.last?.kind == .conv1dTranspose)
    #expect(spec.problems().isEmpty, "\(spec.problems())")
    let error = objectiveGradientError(try Autoencoder(spec: spec, seed: 3), dataSeed: 4)
    #expect(error < 1e-3, "relative gradient error \(error)")
  }

  @Test func rectangularModelGradientMatchesFiniteDifferences() throws {
    let spec = try Architecture(parsing: "conv2k3x5s2x1,dense3").spec(kind: .dense, inputWidth: 30, inputShape: [6, 5, 1],
                                                                       activation: .tanh, outputActivation: .sigmoid, loss: .bce)
    #expect(spec.encoder[0].kernel == [3, 5] && spec.encoder[0].stride == [2, 1])
    #expect(spec.problems().isEmpty, "\(spec.problems())")
    let error = objectiveGradientError(try Autoencoder(spec: spec, seed: 5), dataSeed: 6)
    #expect(error < 1e-3, "relative gradient error \(error)")
  }

  /// The file keeps 1-D and rectangular layers: the spec's JSON, the layer attributes and the
  /// Keras-ordered kernels (k, in, out) read back, and the runtime matches.
  @Test func temporalAndRectangularLayersSurviveTheFile() throws {
    let directory = TestData.temporaryDirectory("temporal")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    for (architecture, shape) in [("conv4k3s2,dense3", [12, 2]), ("conv3k3x5s2x1,dense4", [6, 5, 2])] {
      let width = shape.reduce(1, *)
      let spec = try Architecture(parsing: architecture).spec(kind: .dense, inputWidth: width, inputShape: shape)
      let model = try Autoencoder(spec: spec, seed: 7)
      let path = directory + "/t.h5"
      try ModelFile.save(model, to: path)
      let loaded = try InferenceModel.load(path: path)
      #expect(loaded.spec == spec)
      let x = GradientCheck.randomTensor(rows: 3, cols: width, seed: 8, low: 0, high: 1)
      let outputs = try BLASThreadCount.exclusive { () throws in
        (try loaded.reconstruct(x).values, try InferenceModel(model).reconstruct(x).values)
      }
      #expect(outputs.0 == outputs.1)
      if shape.count == 2 { #expect(spec.parameterLayout[0].shape == [3, 2, 4]) }
    }
  }
}
