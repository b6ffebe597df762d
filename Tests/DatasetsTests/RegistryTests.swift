import Datasets
import Foundation
import Tensor
import TestSupport
import Testing

/// A reader a user might add: `constant:N` gives N rows of one column of ones.
struct ConstantReader: DataReader {
  var name = "constant"
  var prefix = "constant:"
  var summary: String { "\(prefix)ROWS" }
  func claims(_ probe: DataSourceProbe) -> Bool { probe.source.hasPrefix(prefix) }
  func read(_ source: String, options: ReadOptions) throws -> Dataset {
    guard let rows = Int(source.dropFirst(prefix.count)), rows > 0 else { throw DataError("\(source): expected \(prefix)ROWS") }
    let features = Tensor(rows: rows, cols: 1)
    features.fill(1)
    return Dataset(features: features, name: source, metadata: DatasetMetadata(sampleRate: 8000))
  }
}

/// Claims every .csv file and reads it as a single row, to show a registered reader wins.
struct OneRowCSVReader: DataReader {
  var name: String { "one-row-csv" }
  var summary: String { "a .csv file, as one row" }
  func claims(_ probe: DataSourceProbe) -> Bool { probe.exists && probe.hasSuffix(".csv") }
  func read(_ source: String, options: ReadOptions) throws -> Dataset {
    Dataset(features: Tensor(rows: 1, cols: 1, values: [42]), name: source)
  }
}

@Suite final class RegistryTests {
  let directory = TestData.temporaryDirectory()
  deinit { try? FileManager.default.removeItem(atPath: directory) }

  func file(_ name: String, _ bytes: [UInt8]) throws -> String {
    let path = directory + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// A version 1.0 .npy file of uint8 with the given shape.
  func npy(shape: String, payload: [UInt8]) -> [UInt8] {
    var header = "{'descr': '|u1', 'fortran_order': False, 'shape': \(shape), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + payload
  }

  @Test func builtInReadersClaimTheirSources() throws {
    let registry = DataReaderRegistry.shared
    #expect(registry.readers.map(\.name).suffix(4) == ["fashion-mnist", "npy", "csv", "idx"])
    let npyPath = try file("a.NPY", npy(shape: "(1, 2)", payload: [1, 2]))
    let sniffed = try file("no-suffix.bin", npy(shape: "(1, 2)", payload: [1, 2]))
    let csvPath = try file("t.csv", Array("1,2\n".utf8))
    let idxPath = try file("x-idx3-ubyte", [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9])
    #expect(registry.reader(for: "fashion-mnist")?.name == "fashion-mnist")
    #expect(registry.reader(for: "fashion-mnist:test")?.name == "fashion-mnist")
    #expect(registry.reader(for: npyPath)?.name == "npy")
    #expect(registry.reader(for: sniffed)?.name == "npy")
    #expect(registry.reader(for: csvPath)?.name == "csv")
    #expect(registry.reader(for: idxPath)?.name == "idx")
    #expect(try DataSource.load(sniffed).features.values == [1, 2])
    #expect(try DataSource.load(idxPath).imageShape == [1, 1, 1])
    // Only the file's own name counts for IDX.
    try FileManager.default.createDirectory(atPath: directory + "/idx-files", withIntermediateDirectories: true)
    #expect(registry.reader(for: try file("idx-files/notes.txt", [1])) == nil)
    // File readers claim only what exists, so a missing file is reported as missing.
    #expect(registry.reader(for: directory + "/missing.npy") == nil)
  }

  @Test func unknownSourcesListTheReaders() throws {
    let text = try file("notes.txt", Array("hello".utf8))
    #expect { _ = try DataSource.load(text) } throws: { error in
      let message = "\(error)"
      return message.contains("notes.txt: unknown data format")
        && ["fashion-mnist", "npy (a .npy file)", "csv (a .csv file)", "idx"].allSatisfy(message.contains)
    }
    #expect { _ = try DataSource.load(directory + "/nothing.npy") } throws: { error in
      "\(error)".contains("nothing.npy: no such file") && "\(error)".contains("csv (a .csv file)")
    }
  }

  @Test func aRegisteredReaderIsUsed() throws {
    let registry = DataReaderRegistry(readers: DataReaderRegistry.builtInReaders)
    registry.register(ConstantReader())
    let data = try DataSource.load("constant:5", limit: 3, options: ReadOptions(), registry: registry)
    #expect(data.features.rows == 3 && data.features.values == [1, 1, 1])
    #expect(data.metadata.sampleRate == 8000)
    #expect(registry.summary.hasPrefix("constant (constant:ROWS), fashion-mnist"))
    #expect { _ = try registry.load("constant:x") } throws: { "\($0)".contains("expected constant:ROWS") }

    // In the shared registry, DataSource.load(_:limit:) finds it too (a prefix no other test uses).
    DataReaderRegistry.shared.register(ConstantReader(name: "registry-test-constant", prefix: "registry-test:"))
    #expect(try DataSource.load("registry-test:2").features.rows == 2)

    // A newer reader comes first, so it can take over a suffix; the same name replaces in place.
    let csvPath = try file("t.csv", Array("1,2\n".utf8))
    registry.register(OneRowCSVReader())
    #expect(try registry.load(csvPath).features.values == [42])
    registry.register(ConstantReader(prefix: "const:"))
    #expect(registry.readers.map(\.name).prefix(2) == ["one-row-csv", "constant"])
    #expect(try registry.load("const:1").features.rows == 1)
    #expect(registry.reader(for: "constant:1") == nil)
  }

  @Test func columnKindsNeedNamedColumns() throws {
    let path = try file("a.npy", npy(shape: "(1, 2)", payload: [1, 2]))
    #expect {
      _ = try DataSource.load(path, options: ReadOptions(columnKinds: ["a": .categorical]))
    } throws: { "\($0)".contains("column kinds were given (a), but npy data has no named columns") }
  }
}
