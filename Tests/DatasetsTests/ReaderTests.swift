import CZlib
import Datasets
import Foundation
import Tensor
import TestSupport
import Testing

@Suite struct NPYTests {
  @Test func writeThenReadIsExact() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let t = GradientCheck.randomTensor(rows: 13, cols: 7, seed: 1, low: -1e6, high: 1e6)
    try NPY.write(t, to: directory + "/t.npy")
    let read = try NPY.read(directory + "/t.npy")
    #expect(read.features.rows == 13 && read.features.cols == 7)
    #expect(read.features.values == t.values)
  }

  /// Bytes of a version 1.0 .npy file with the given dtype and shape.
  func npy(descr: String, shape: String, payload: [UInt8]) -> Data {
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
    bytes += Array(header.utf8) + payload
    return Data(bytes)
  }

  @Test func readsFloat64AndUInt8() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let doubles: [Double] = [1.5, -2.25, 3, 4e10]
    let payload = doubles.withUnsafeBytes { Array($0) }
    try npy(descr: "<f8", shape: "(2, 2)", payload: payload).write(to: URL(fileURLWithPath: directory + "/d.npy"))
    #expect(try NPY.read(directory + "/d.npy").features.values == doubles.map(Float.init))
    try npy(descr: "|u1", shape: "(1, 3)", payload: [0, 128, 255]).write(to: URL(fileURLWithPath: directory + "/u.npy"))
    let bytes = try NPY.read(directory + "/u.npy")
    #expect(bytes.features.values == [0, 128, 255])
    #expect(bytes.isByteData)
  }

  /// Image arrays keep their shape: (n, h, w) as h x w x 1, (n, h, w, c) as given (NHWC).
  @Test func imageArraysBringTheirShape() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let values = (0..<24).map { UInt8($0) }
    try npy(descr: "|u1", shape: "(2, 3, 4)", payload: values).write(to: URL(fileURLWithPath: directory + "/g.npy"))
    let gray = try NPY.read(directory + "/g.npy")
    #expect(gray.features.rows == 2 && gray.features.cols == 12 && gray.imageShape == [3, 4, 1])
    #expect(gray.features.values == values.map(Float.init))
    try npy(descr: "|u1", shape: "(2, 2, 3, 2)", payload: values).write(to: URL(fileURLWithPath: directory + "/c.npy"))
    let color = try NPY.read(directory + "/c.npy")
    #expect(color.features.cols == 12 && color.imageShape == [2, 3, 2])
  }

  @Test func wrongRankDtypeAndTruncationAreClearErrors() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let cases: [(String, Data, String)] = [
      ("rank5.npy", npy(descr: "<f4", shape: "(2, 2, 2, 1, 1)", payload: [UInt8](repeating: 0, count: 32)), "expected a 2-D array"),
      ("rank1.npy", npy(descr: "<f4", shape: "(4,)", payload: [UInt8](repeating: 0, count: 16)), "rank 1"),
      ("int.npy", npy(descr: "<i8", shape: "(1, 1)", payload: [UInt8](repeating: 0, count: 8)), "dtype '<i8'"),
      ("short.npy", npy(descr: "<f4", shape: "(10, 10)", payload: [UInt8](repeating: 0, count: 8)), "truncated"),
      ("nan.npy", npy(descr: "<f4", shape: "(1, 2)", payload: [0, 0, 0, 0] + [0, 0, 0xC0, 0x7F]), "column 1"),
      ("text.npy", Data("just text".utf8), "not a .npy file"),
    ]
    for (name, bytes, phrase) in cases {
      try bytes.write(to: URL(fileURLWithPath: directory + "/" + name))
      #expect { _ = try NPY.read(directory + "/" + name) } throws: { error in
        "\(error)".contains(phrase) && "\(error)".contains(name)
      }
    }
  }
}

@Suite final class CSVTests {
  let directory = TestData.temporaryDirectory()
  deinit { try? FileManager.default.removeItem(atPath: directory) }

  func write(_ text: String) throws -> String {
    let path = directory + "/\(UUID().uuidString).csv"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func readsWithAndWithoutHeader() throws {
    let (plain, none) = try CSV.read(try write("1,2,3\n4,5,6\n"))
    #expect(none == nil)
    #expect(plain.features.values == [1, 2, 3, 4, 5, 6])
    let (headed, header) = try CSV.read(try write("a, b ,\"c\"\r\n1e-3,-2,3.5\r\n\n7,8,9\r\n"))
    #expect(header == ["a", "b", "c"])
    #expect(headed.features.rows == 2)
    #expect(headed.features.values == [1e-3, -2, 3.5, 7, 8, 9])
  }

  @Test func aTextCellNamesItsLineAndColumn() throws {
    let path = try write("x,y\n1,2\n3,abc\n")
    #expect { _ = try CSV.read(path) } throws: { "\($0)".contains("line 3, column 2: 'abc' is not a number") }
    let ragged = try write("1,2\n3\n")
    #expect { _ = try CSV.read(ragged) } throws: { "\($0)".contains("line 2 has 1 columns; expected 2") }
    let infinite = try write("1,inf\n")
    #expect { _ = try CSV.read(infinite) } throws: { "\($0)".contains("line 1, column 2: inf is not a finite number") }
    let huge = try write("1,1e39\n")
    #expect { _ = try CSV.read(huge) } throws: { "\($0)".contains("1e39 is not a finite number") }
  }
}

@Suite struct IDXTests {
  /// Write a gzipped IDX file of unsigned bytes.
  func writeIDX(_ path: String, shape: [Int], values: [UInt8], truncateTo: Int? = nil) {
    var bytes: [UInt8] = [0, 0, 8, UInt8(shape.count)]
    for s in shape { bytes += [UInt8(s >> 24 & 0xFF), UInt8(s >> 16 & 0xFF), UInt8(s >> 8 & 0xFF), UInt8(s & 0xFF)] }
    bytes += values
    if let truncateTo { bytes = Array(bytes.prefix(truncateTo)) }
    let file = gzopen(path, "wb")
    _ = gzwrite(file, bytes, UInt32(bytes.count))
    gzclose(file)
  }

  @Test func readsGzippedImagesWithLabels() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let pixels = (0..<(3 * 2 * 2)).map { UInt8($0 * 20) }
    writeIDX(directory + "/images-idx3-ubyte.gz", shape: [3, 2, 2], values: pixels)
    writeIDX(directory + "/labels-idx1-ubyte.gz", shape: [3], values: [7, 0, 9])
    let data = try IDX.dataset(images: directory + "/images-idx3-ubyte.gz", labels: directory + "/labels-idx1-ubyte.gz")
    #expect(data.features.rows == 3 && data.features.cols == 4)
    #expect(data.features.values == pixels.map(Float.init))
    #expect(data.labels == [7, 0, 9])
    #expect(data.imageShape == [2, 2, 1])
    #expect(data.isByteData)
  }

  @Test func truncatedOrForeignFilesAreClearErrors() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    writeIDX(directory + "/short-idx3-ubyte.gz", shape: [10, 28, 28], values: [UInt8](repeating: 1, count: 100))
    #expect { _ = try IDX.read(directory + "/short-idx3-ubyte.gz") } throws: { "\($0)".contains("truncated") }
    try Data("PK not idx".utf8).write(to: URL(fileURLWithPath: directory + "/bad-idx3-ubyte"))
    #expect { _ = try IDX.read(directory + "/bad-idx3-ubyte") } throws: { "\($0)".contains("not an IDX file") }
  }

  @Test func fashionMNISTLoadsWhenInstalled() throws {
    guard DataSource.hasFashionMNIST else { return }
    let test = try DataSource.load("fashion-mnist:test")
    #expect(test.features.rows == 10_000 && test.features.cols == 784)
    #expect(test.labels?.count == 10_000 && Set(test.labels!) == Set(0..<10))
    #expect(test.features.values.max() == 255)
  }
}

@Suite struct ImageGridTests {
  @Test func writesAPNGOfTheRightSize() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let images = TestData.blobs(count: 3, seed: 1)
    try ImageGrid.writePNG(rows: [images, images], height: 14, width: 14, range: 0...1, to: directory + "/g.png")
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/g.png")))
    #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
    #expect(width == 3 * 16 + 2 && height == 2 * 16 + 2)
  }
}
