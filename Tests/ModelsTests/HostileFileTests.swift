import Foundation
import Layers
import Models
import Store
import Tensor
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Model files are hostile input, sealed or not: each test writes a file that a sealed
/// checksum vouches for, yet that lies, and expects a refusal naming what is wrong.
/// (Tests/python/test_hostile_files.py tries about a hundred such files through the C
/// library, Python and the CLI.)
@Suite struct HostileFileTests {
  func model(seed: UInt64 = 2) throws -> Autoencoder {
    let spec = ModelSpec.dense(inputWidth: 196, widths: [16, 4], loss: .bce, inputShape: [14, 14, 1])
    let model = try Autoencoder(spec: spec, seed: seed)
    model.scaling = Scaling.fit(TestData.blobs(count: 32, seed: 3), method: .unit)
    return model
  }

  /// Write `model` as `ModelFile.save` does, let `change` tamper with the open file, then seal
  /// it with a valid checksum; returns the path.
  func sealedFile(_ model: Autoencoder, in directory: String, _ change: (HDF5Group) throws -> Void = { _ in }) throws -> String {
    let path = directory + "/hostile.h5"
    let file = try HDF5Group.create(file: path)
    try ModelFile.write(model, history: TrainingHistory(), into: file)
    try change(file)
    try file.finish()
    try Integrity.seal(path)
    return path
  }

  func expectRefusal(_ path: String, mentioning words: [String]) {
    do {
      _ = try ModelFile.load(path)
      Issue.record("loading \(path) should fail")
    } catch {
      for word in words { #expect("\(error)".contains(word), "message: \(error)") }
    }
  }

  @Test func sealedFilesThatLieAreRefused() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let clean = try model()
    _ = try ModelFile.load(try sealedFile(clean, in: directory)) // the untampered file loads

    expectRefusal(try sealedFile(clean, in: directory) { try $0.setAttribute("kind", "vae") },
                  mentioning: ["kind is 'vae'", "dense"])
    expectRefusal(try sealedFile(clean, in: directory) { try $0.setAttribute("format_version", 1.9) },
                  mentioning: ["format_version", "floating-point"])
    expectRefusal(try sealedFile(clean, in: directory) { try $0.openGroup("decoder").openGroup("00_dense").setAttribute("activation", "tanh") },
                  mentioning: ["decoder/00_dense", "activation is 'tanh'"])
    expectRefusal(try sealedFile(clean, in: directory) { _ = try $0.openGroup("encoder").createGroup("02_dense") },
                  mentioning: ["encoder", "3 members", "2 layer groups"])

    var spec = clean.spec
    spec.inputShape = [-14, -14, 1] // its product is still 196
    let lying = try JSONEncoder().encode(spec)
    expectRefusal(try sealedFile(clean, in: directory) { try $0.setAttribute("spec", String(decoding: lying, as: UTF8.self)) },
                  mentioning: ["input shape [-14, -14, 1]", "positive"])
  }

  @Test func valuesBeyondBoundsAreRefused() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let huge = try model()
    huge.parameters.values[5] = 3e38
    expectRefusal(try sealedFile(huge, in: directory), mentioning: ["encoder/00_dense/kernel", "index 5", "3e+38"])
    let nan = try model()
    nan.parameters.values[nan.parameters.count - 1] = .nan
    expectRefusal(try sealedFile(nan, in: directory), mentioning: ["decoder/01_dense/bias", "nan"])
    for (offset, scale) in [(Float.nan, Float(1)), (0, 1e-45), (0, 3e38), (1e31, 1)] {
      let bad = try model()
      bad.scaling.offset[7] = offset
      bad.scaling.scale[7] = scale
      expectRefusal(try sealedFile(bad, in: directory), mentioning: ["preprocessing", "[7]"])
    }
  }

  @Test func specialFilesAreRefusedWithoutWaiting() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    #expect(mkfifo(directory + "/fifo.h5", 0o600) == 0)
    for (path, kind) in [(directory + "/fifo.h5", "a FIFO"), (directory, "a directory"), ("/dev/zero", "a character device")] {
      do {
        _ = try ModelFile.load(path)
        Issue.record("\(path) should be refused")
      } catch let error as StoreError {
        #expect(error.kind == .io && error.description.contains(kind), "\(error)")
      }
    }
  }

  /// Each in-memory image is a file of its own to libhdf5, also when threads open them at once
  /// (the core driver once shared open files by name, so one thread could read another's).
  @Test func concurrentLoadsFromMemoryStayApart() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let models = [try model(seed: 1), try model(seed: 2)]
    var images: [Data] = []
    for (i, model) in models.enumerated() {
      try ModelFile.save(model, to: directory + "/\(i).h5")
      images.append(try Data(contentsOf: URL(fileURLWithPath: directory + "/\(i).h5")))
    }
    let lock = NSLock()
    nonisolated(unsafe) var mismatches = 0
    DispatchQueue.concurrentPerform(iterations: 64) { i in
      let loaded = try? images[i % 2].withUnsafeBytes { try ModelFile.load(image: $0).model }
      if loaded?.parameters.valueArray != models[i % 2].parameters.valueArray { lock.withLock { mismatches += 1 } }
    }
    #expect(mismatches == 0)
  }
}
