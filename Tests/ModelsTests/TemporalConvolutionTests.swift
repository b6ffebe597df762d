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

  /// Padding that differs between the sides (Keras' "same" on an even image: 0 before, 1 after):
  /// the whole model's gradient (errors here are 3-5e-4, as with the same model padded 1 on every
  /// side: float32 rounding of the loss), and the spec and runtime through the file.
  @Test func oneSidedPaddingTrainsAndSurvivesTheFile() throws {
    var spec = try Architecture(parsing: "conv2s2,dense2").spec(kind: .dense, inputWidth: 24, inputShape: [4, 6, 1],
                                                                 activation: .tanh, outputActivation: .sigmoid, loss: .bce)
    let convolution = spec.encoder.firstIndex { $0.kind == .conv2d }!, transposed = spec.decoder.lastIndex { $0.kind == .conv2dTranspose }!
    #expect(spec.encoder[convolution].padding == [1, 1])
    spec.encoder[convolution].padding = [0, 0, 1, 1]
    spec.decoder[transposed].padding = [0, 0, 1, 1]
    #expect(spec.problems().isEmpty, "\(spec.problems())")
    let error = objectiveGradientError(try Autoencoder(spec: spec, seed: 11), dataSeed: 12)
    #expect(error < 1e-3, "relative gradient error \(error)")

    let directory = TestData.temporaryDirectory("one-sided")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try Autoencoder(spec: spec, seed: 13), path = directory + "/m.h5"
    try ModelFile.save(model, to: path)
    let loaded = try InferenceModel.load(path: path)
    #expect(loaded.spec == spec && loaded.spec.encoder[convolution].padding == [0, 0, 1, 1])
    let x = GradientCheck.randomTensor(rows: 3, cols: 24, seed: 14, low: 0, high: 1)
    let outputs = try BLASThreadCount.exclusive { () throws in
      (try loaded.reconstruct(x).values, try InferenceModel(model).reconstruct(x).values)
    }
    #expect(outputs.0 == outputs.1)
    // The same layers padded 1 on every side compute something else: the padding is used.
    var symmetric = spec
    symmetric.encoder[convolution].padding = [1, 1]
    symmetric.decoder[transposed].padding = [1, 1]
    let other = try InferenceModel(try Autoencoder(spec: symmetric, seed: 13)).reconstruct(x).values
    #expect(other != outputs.1)
    // Three sizes, or a negative side, are refused with a reason.
    var three = spec
    three.encoder[convolution].padding = [0, 1, 1]
    #expect(three.problems().contains { $0.contains("padding (2 or 4 sizes)") }, "\(three.problems())")
    var negative = spec
    negative.encoder[convolution].padding = [0, 0, 2, -1]
    #expect(negative.problems().contains { $0.contains("padding must be >= 0, got 0,0,2,-1") }, "\(negative.problems())")
  }

  /// A 1-D convolution's height stays 1: a taller kernel (the weights are laid out (k, in, out)
  /// and would be read past) is refused, however the height padding makes the shapes agree;
  /// padding along time may differ between the sides.
  @Test func temporalLayersKeepHeightOne() throws {
    let spec = try Architecture(parsing: "conv4k3s2,dense3").spec(kind: .dense, inputWidth: 24, inputShape: [12, 2])
    let convolution = spec.encoder.firstIndex { $0.kind == .conv1d }!
    for (kernel, padding) in [([3, 3], [1, 1]), ([2, 3], [1, 1, 0, 1]), ([1023, 3], [511, 1])] {
      var tall = spec
      tall.encoder[convolution].kernel = kernel
      tall.encoder[convolution].padding = padding
      #expect(tall.problems().contains { $0.contains("kernel and stride height 1") }, "\(kernel) \(padding): \(tall.problems())")
    }
    var oneSided = spec
    oneSided.encoder[convolution].padding = [0, 0, 0, 1] // (12 + 1 - 3) / 2 + 1 = 6 steps, as with [0, 1]
    oneSided.decoder[oneSided.decoder.lastIndex { $0.kind == .conv1dTranspose }!].padding = [0, 0, 0, 1]
    #expect(oneSided.problems().isEmpty, "\(oneSided.problems())")
    let error = objectiveGradientError(try Autoencoder(spec: oneSided, seed: 15), dataSeed: 16)
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
