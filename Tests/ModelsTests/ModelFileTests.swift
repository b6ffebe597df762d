import Foundation
import Layers
import Models
import Runtime
import Store
import Tensor
import TestSupport
import Testing

@Suite struct ModelFileTests {
  func trainedModel() throws -> Autoencoder {
    let spec = ModelSpec.dense(inputWidth: 196, widths: [24, 6], activation: .leakyRelu, loss: .bce, inputShape: [14, 14, 1])
    let model = try Autoencoder(spec: spec, seed: 2)
    let data = TestData.blobs(count: 64, seed: 3)
    model.scaling = Scaling.fit(data, method: .unit)
    for _ in 0..<3 {
      _ = model.computeGradients(input: data, target: data)
      for i in 0..<model.parameters.count { model.parameters.values[i] -= 0.01 * model.parameters.gradients[i] }
    }
    return model
  }

  @Test func saveThenLoadGivesIdenticalOutputs() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try trainedModel()
    let history = TrainingHistory(loss: [3, 2], validationLoss: [3.5, 2.5], seconds: [0.1, 0.2])
    let path = directory + "/m.h5"
    try ModelFile.save(model, history: history, to: path)
    let (loaded, loadedHistory) = try ModelFile.load(path)
    #expect(loaded.spec == model.spec)
    #expect(loaded.scaling == model.scaling)
    #expect(loadedHistory == history)
    #expect(loaded.parameters.valueArray == model.parameters.valueArray)
    let x = TestData.blobs(count: 10, seed: 4)
    // The same call on the same weights, at one BLAS thread count: bit for bit.
    let (before, after) = (try InferenceModel(model), try InferenceModel(loaded))
    try BLASThreadCount.exclusive { () throws in
      let reconstructions = (try after.reconstruct(x).values, try before.reconstruct(x).values)
      let codes = (try after.encode(x).values, try before.encode(x).values)
      #expect(reconstructions.0 == reconstructions.1)
      #expect(codes.0 == codes.1)
    }
    // Nothing but the model is left in the folder: the temporary file was renamed.
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["m.h5"])
  }

  @Test func loadsFromMemoryToo() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try trainedModel()
    try ModelFile.save(model, to: directory + "/m.h5")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/m.h5"))
    let loaded = try bytes.withUnsafeBytes { try ModelFile.load(image: $0).model }
    #expect(loaded.parameters.valueArray == model.parameters.valueArray)
  }

  func expectError(_ path: String, mentioning words: [String], verify: Bool = true) {
    do {
      _ = try ModelFile.load(path, verify: verify)
      Issue.record("loading \(path) should fail")
    } catch {
      let message = "\(error)"
      for word in words { #expect(message.contains(word), "message: \(message)") }
      #expect(!message.contains("\n"), "one line: \(message)")
    }
  }

  @Test func truncatedFileGivesAClearError() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try ModelFile.save(try trainedModel(), to: directory + "/m.h5")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/m.h5"))
    for cut in [bytes.count / 2, bytes.count - 100, 4096] {
      try bytes.prefix(cut).write(to: URL(fileURLWithPath: directory + "/cut.h5"))
      expectError(directory + "/cut.h5", mentioning: ["cut.h5"])
    }
  }

  /// Every saved file carries a CRC-32 in its HDF5 user block: one changed byte anywhere is
  /// refused before libhdf5 parses the file (which can crash or hang on damaged metadata);
  /// files without the block (other writers, older versions) are refused unless the caller
  /// opts in, and then load.
  @Test func damagedFilesAreRefusedByTheirChecksum() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try trainedModel()
    try ModelFile.save(model, to: directory + "/m.h5")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/m.h5"))
    #expect(bytes.starts(with: Data("autoencoder-checksum\n".utf8)))
    for place in [600, bytes.count / 2, bytes.count - 1] {
      var damaged = bytes
      damaged[place] ^= 0x10
      try damaged.write(to: URL(fileURLWithPath: directory + "/flip.h5"))
      expectError(directory + "/flip.h5", mentioning: ["flip.h5", "damaged", "CRC-32"])
      #expect(throws: StoreError.self) { _ = try damaged.withUnsafeBytes { try ModelFile.load(image: $0) } }
    }
    var unsealed = bytes
    unsealed.replaceSubrange(0..<512, with: Data(count: 512))
    try unsealed.write(to: URL(fileURLWithPath: directory + "/plain.h5"))
    expectError(directory + "/plain.h5", mentioning: ["plain.h5", "no checksum", "ae seal"])
    do {
      _ = try ModelFile.load(directory + "/plain.h5")
    } catch let error as StoreError {
      #expect(error.kind == .unverified)
    }
    #expect(try ModelFile.load(directory + "/plain.h5", verify: false).model.parameters.valueArray == model.parameters.valueArray)
  }

  @Test func foreignAndNonHDF5FilesGiveClearErrors() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let foreign = try HDF5Group.create(file: directory + "/other.h5")
    try foreign.write("data", floats: [1, 2, 3])
    try foreign.finish()
    expectError(directory + "/other.h5", mentioning: ["other.h5", "not an autoencoder model file"], verify: false)
    try Data("hello, not hdf5".utf8).write(to: URL(fileURLWithPath: directory + "/text.h5"))
    expectError(directory + "/text.h5", mentioning: ["text.h5", "not an HDF5 file"])
    expectError(directory + "/missing.h5", mentioning: ["missing.h5"])
  }

  @Test func wrongShapeOrTypeNamesTheDataset() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try trainedModel()
    // A model file whose spec promises 6 code units while the weights hold 5.
    let small = try Autoencoder(spec: ModelSpec.dense(inputWidth: 196, widths: [24, 5], activation: .leakyRelu, loss: .bce, inputShape: [14, 14, 1]))
    let path = directory + "/bad.h5"
    let file = try HDF5Group.create(file: path)
    try ModelFile.write(small, history: TrainingHistory(), into: file)
    let specJSON = String(decoding: try JSONEncoder().encode(model.spec), as: UTF8.self)
    try file.setAttribute("spec", specJSON)
    try file.finish()
    expectError(path, mentioning: ["encoder/01_dense", "attribute units is 5", "the spec says 6"], verify: false)
  }
}
