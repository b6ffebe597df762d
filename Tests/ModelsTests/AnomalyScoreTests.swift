import Datasets
import Foundation
import Layers
import Models
import Runtime
import Store
import Tensor
import TestSupport
import Testing

/// The anomaly scores and their settings: what a perfect reconstruction costs per loss, the
/// settings' trip through a file, files from before them, crafted settings, and calibration.
@Suite struct AnomalyScoreTests {
  /// Each loss at a perfect reconstruction (logits that give back the target) equals
  /// `perfectRowLoss`, so the `excess` score of a perfect reconstruction is 0.
  @Test func perfectRowLossIsTheLossOfAPerfectReconstruction() {
    let target: [Float] = [0, 1, 0.25, 0.5, 0.9, 0.013]
    let d = target.count
    func loss(_ loss: Loss, _ activation: Activation, logits: [Float], logVariance: [Float]? = nil) -> Float {
      var out: Float = 0
      logits.withUnsafeBufferPointer { z in
        target.withUnsafeBufferPointer { t in
          logVariance.withUnsafeBufferPointerOrNil { s in
            loss.rowLosses(logits: z.baseAddress!, activation: activation, target: t.baseAddress!, rows: 1, width: d,
                           logVariance: s, into: &out)
          }
        }
      }
      return out
    }
    func perfect(_ loss: Loss, _ values: [Float], logVariance: [Float]? = nil) -> Float {
      values.withUnsafeBufferPointer { t in
        logVariance.withUnsafeBufferPointerOrNil { s in loss.perfectRowLoss(target: t.baseAddress!, width: d, logVariance: s) }
      }
    }
    // BCE: logits log(t / (1 - t)), clamped where t is 0 or 1 (the loss there tends to 0).
    let bceLogits = target.map { t in t <= 0 ? -40 : t >= 1 ? 40 : log(t / (1 - t)) }
    #expect(abs(loss(.bce, .sigmoid, logits: bceLogits) - perfect(.bce, target)) < 1e-5)
    let entropy = target.reduce(Float(0)) { sum, t in t > 0 && t < 1 ? sum - (t * log(t) + (1 - t) * log(1 - t)) : sum }
    #expect(abs(perfect(.bce, target) - entropy) < 1e-5)
    #expect(loss(.mse, .linear, logits: target) == 0 && perfect(.mse, target) == 0)
    let logVariance: [Float] = [-1, 0, 0.5, 2, -3, 1]
    #expect(abs(loss(.gaussian, .linear, logits: target, logVariance: logVariance) - perfect(.gaussian, target, logVariance: logVariance)) < 1e-5)
    // Cross-entropy over one group: logits log t give softmax t back.
    let distribution: [Float] = [0.1, 0.2, 0.3, 0.15, 0.05, 0.2]
    var crossEntropy: Float = 0
    distribution.map { log($0) }.withUnsafeBufferPointer { z in
      distribution.withUnsafeBufferPointer { t in
        Loss.categorical.rowLosses(logits: z.baseAddress!, activation: .softmax, target: t.baseAddress!, rows: 1, width: d, into: &crossEntropy)
      }
    }
    #expect(abs(crossEntropy - perfect(.categorical, distribution)) < 1e-5)
  }

  func model() throws -> Autoencoder {
    let spec = ModelSpec.dense(inputWidth: 196, widths: [16, 4], loss: .bce, inputShape: [14, 14, 1])
    let model = try Autoencoder(spec: spec, seed: 2)
    model.scaling = Scaling.fit(TestData.blobs(count: 32, seed: 3), method: .unit)
    return model
  }

  @Test func settingsTravelWithTheFileAndOlderFilesScoreByTheirLoss() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try model()
    let normal = TestData.blobs(count: 200, seed: 8)
    model.anomaly = try InferenceModel(model).calibrated(on: normal, rule: .contamination, level: 0.05)
    #expect(model.anomaly.score == .excess)
    let calibration = try #require(model.anomaly.calibration)
    #expect(calibration.rows == 200 && calibration.quantiles.count == 101 && model.anomaly.threshold == calibration.quantiles[95])
    // The threshold lies where it should: 10 of the 200 normal rows score above it.
    let scores = try InferenceModel(model).score(normal)
    #expect(scores.filter { Double($0) > model.anomaly.threshold! }.count == 10)

    try ModelFile.save(model, to: directory + "/m.h5")
    #expect(try ModelFile.load(directory + "/m.h5").model.anomaly == model.anomaly)
    #expect(try InferenceModel.load(path: directory + "/m.h5").anomaly == model.anomaly)

    // A file without /anomaly (every file before 0.5) scores by its loss, as it did: the
    // dense BCE model of format 1, whose mean loss on its data is its objective.
    let old = FormatOneTests.directory + "/dense.h5"
    let trained = try ModelFile.load(old).model
    #expect(trained.anomaly == .legacy)
    let runtime = try InferenceModel.load(path: old)
    #expect(runtime.threshold == nil && runtime.anomaly == .legacy)
    let data = try NPY.read(FormatOneTests.directory + "/data.npy").features
    let losses = try runtime.score(data)
    let objective = try trained.evaluate(data).objective
    #expect(abs(losses.reduce(0.0) { $0 + Double($1) } / Double(losses.count) - objective) < 1e-4 * objective)
  }

  @Test func craftedSettingsAreRefused() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let hostile = HostileFileTests()
    let model = try model()
    func crafted(_ json: String) throws -> String {
      try hostile.sealedFile(model, in: directory) { file in try file.openGroup("anomaly").setAttribute("anomaly", json) }
    }
    let increasing = (0..<101).map(String.init).joined(separator: ",")
    let decreasing = (0..<101).reversed().map(String.init).joined(separator: ",")
    hostile.expectRefusal(try crafted(#"{"score": "brightness"}"#), mentioning: ["anomaly", "not anomaly settings"])
    hostile.expectRefusal(try crafted("not json"), mentioning: ["not anomaly settings"])
    hostile.expectRefusal(try crafted(#"{"score": "excess", "threshold": 1, "calibration": {"rule": "quantile", "level": 1.5, "rows": 9, "quantiles": [\#(increasing)]}}"#),
                          mentioning: ["level is between 0 and 1"])
    hostile.expectRefusal(try crafted(#"{"score": "excess", "threshold": 1, "calibration": {"rule": "quantile", "level": 0.5, "rows": 9, "quantiles": [\#(decreasing)]}}"#),
                          mentioning: ["quantiles are not finite and increasing"])
    hostile.expectRefusal(try crafted(#"{"score": "excess", "threshold": 1, "calibration": {"rule": "quantile", "level": 0.5, "rows": 9, "quantiles": [1, 2]}}"#),
                          mentioning: ["holds 101 quantiles, not 2"])
    hostile.expectRefusal(try crafted(#"{"score": "excess", "calibration": {"rule": "quantile", "level": 0.5, "rows": 9, "quantiles": [\#(increasing)]}}"#),
                          mentioning: ["without a threshold"])
    _ = try ModelFile.load(try crafted(#"{"score": "mse", "threshold": 3.5}"#)) // a usable one loads
  }
}

extension Optional where Wrapped == [Float] {
  /// The array's buffer pointer, or nil for nil.
  func withUnsafeBufferPointerOrNil<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let self else { return body(nil) }
    return self.withUnsafeBufferPointer { body($0.baseAddress) }
  }
}
