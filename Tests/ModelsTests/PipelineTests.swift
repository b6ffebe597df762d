import Foundation
import Layers
import Models
import Runtime
import Store
import Tensor
import TestSupport
import Testing

/// The pipeline: raw values in, the network's values, and back.
@Suite struct PipelineTests {
  /// forward then inverse gives the raw values back (to float rounding), for every method.
  @Test(arguments: Scaling.Method.allCases)
  func affineRoundTrip(method: Scaling.Method) throws {
    let raw = GradientCheck.randomTensor(rows: 50, cols: 7, seed: 3, low: -40, high: 900)
    let pipeline = Pipeline([.affine(Scaling.fit(raw, method: method))])
    let scaled = try pipeline.forward(raw)
    if method != .none { #expect(scaled.values != raw.values) }
    pipeline.inverse(scaled.data, rows: scaled.rows)
    // Float rounding relative to the data's magnitude (up to 900), not to each value.
    let worst = zip(scaled.values, raw.values).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= 900 * 4e-7, "largest round-trip error \(worst)")
  }

  /// The stored pipeline reads back equal, the file says format 2 and lists the transforms,
  /// and a transform this library does not know is refused with a version error.
  @Test func pipelineSurvivesTheFileAndUnknownTransformsAreRefused() throws {
    let data = TestData.blobs(count: 40, seed: 2)
    let model = try Autoencoder(spec: .dense(inputWidth: data.cols, widths: [3], outputActivation: .linear, loss: .mse), seed: 1)
    model.scaling = Scaling.fit(data, method: .standard)
    let directory = TestData.temporaryDirectory("pipeline")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/p.h5"
    try ModelFile.save(model, to: path)
    let (loaded, _) = try ModelFile.load(path)
    #expect(loaded.pipeline == model.pipeline)
    let file = try HDF5Group.open(file: path)
    #expect(try file.integer("format_version") == 2)
    #expect(try file.openGroup("preprocessing").string("pipeline") == #"[{"name":"affine","version":1}]"#)
    file.close()

    // The same bytes with the transform renamed (same length, so the file stays sound).
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let from = Data(#""name":"affine""#.utf8), to = Data(#""name":"fourie""#.utf8)
    let range = try #require(bytes.range(of: from))
    bytes.replaceSubrange(range, with: to)
    let renamed = directory + "/renamed.h5"
    try bytes.write(to: URL(fileURLWithPath: renamed))
    try Integrity.seal(renamed) // a valid checksum: the pipeline check itself must refuse it
    do {
      _ = try InferenceModel.load(path: renamed)
      Issue.record("an unknown transform was accepted")
    } catch let error as StoreError {
      #expect(error.description.contains("unknown pipeline transform 'fourie'"))
    }
  }
}
