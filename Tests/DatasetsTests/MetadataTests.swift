import CZlib
import Datasets
import Foundation
import TestSupport
import Testing

/// What each built-in reader records besides the numbers.
@Suite final class MetadataTests {
  let directory = TestData.temporaryDirectory()
  deinit { try? FileManager.default.removeItem(atPath: directory) }

  @Test func npyRecordsItsShape() throws {
    var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 4), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    let bytes = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + [UInt8](repeating: 7, count: 24)
    try Data(bytes).write(to: URL(fileURLWithPath: directory + "/g.npy"))
    let data = try DataSource.load(directory + "/g.npy")
    #expect(data.metadata.shape == [2, 3, 4] && data.metadata.imageShape == [3, 4, 1] && data.imageShape == [3, 4, 1])
    #expect(data.metadata.columns == nil && data.metadata.sampleRate == nil)
    #expect(data.prefix(1).metadata.shape == [1, 3, 4])
  }

  @Test func idxRecordsShapeAndImageShape() throws {
    let path = directory + "/images-idx3-ubyte.gz"
    let bytes: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3] + [UInt8](repeating: 1, count: 12)
    let file = gzopen(path, "wb")
    _ = gzwrite(file, bytes, UInt32(bytes.count))
    gzclose(file)
    let data = try DataSource.load(path)
    #expect(data.metadata.shape == [2, 2, 3] && data.metadata.imageShape == [2, 3, 1])
  }

  @Test func csvRecordsColumnsAndImageShapeCanBeSet() throws {
    try Data("a,b\n1,x\n".utf8).write(to: URL(fileURLWithPath: directory + "/t.csv"))
    var data = try DataSource.load(directory + "/t.csv")
    #expect(data.metadata.columns == [ColumnInfo(name: "a", kind: .integer), ColumnInfo(name: "b", kind: .categorical, categories: ["x"])])
    #expect(data.metadata.columnNames == ["a", "b"] && data.metadata.shape == [1, 2])
    data.imageShape = [1, 2, 1]
    #expect(data.metadata.imageShape == [1, 2, 1])
  }

  @Test func fashionMNISTRecordsItsImageShape() throws {
    guard DataSource.hasFashionMNIST else { return }
    let test = try DataSource.load("fashion-mnist:test", limit: 10)
    #expect(test.metadata.imageShape == [28, 28, 1] && test.metadata.shape == [10, 28, 28])
  }
}
