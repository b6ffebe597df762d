import Foundation
import Tensor

/// NumPy's .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html),
/// 2-D arrays of float32, float64 or uint8 in C order.
public enum NPY {
  /// What a .npy header says: the shape, the element size and where the data starts.
  public struct Header: Sendable {
    public let shape: [Int]
    /// 4 (float32), 8 (float64) or 1 (uint8).
    public let itemSize: Int
    public let dataOffset: Int
    public var rows: Int { shape[0] }
    /// Values per row (the product of the other dimensions; checked not to overflow).
    public let width: Int
    /// Images: (height, width, channels); nil for 2-D arrays.
    public var imageShape: [Int]? { shape.count == 2 ? nil : Array(shape[1...]) + (shape.count == 3 ? [1] : []) }
    /// The bytes the data takes (checked not to overflow).
    public let dataBytes: Int
  }

  /// The header at the start of `bytes` (the whole file, or at least its header).
  public static func header(_ bytes: UnsafeRawBufferPointer, path: String) throws -> Header {
    guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
      throw DataError("\(path): not a .npy file (bad magic string)")
    }
    let major = bytes[6]
    let headerLength: Int, headerStart: Int
    switch major {
    case 1: headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; headerStart = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw DataError("\(path): truncated .npy header") }
      headerLength = (8..<12).reduce(0) { $0 | Int(bytes[$1]) << (8 * ($1 - 8)) }; headerStart = 12
    default: throw DataError("\(path): .npy format version \(major) is not supported")
    }
    guard headerStart + headerLength <= bytes.count else { throw DataError("\(path): truncated .npy header") }
    let header = String(decoding: bytes[headerStart..<headerStart + headerLength], as: UTF8.self)
    let descr = try field(header, "descr", path)
    let fortran = try field(header, "fortran_order", path)
    let shapeText = try field(header, "shape", path)
    let entries = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
      .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    let shape = entries.compactMap { Int($0) }
    guard shape.count == entries.count else { throw DataError("\(path): .npy shape \(shapeText) is not a list of integers") }
    // (rows, features), or images: (rows, height, width) or (rows, height, width, channels).
    guard (2...4).contains(shape.count), shape.allSatisfy({ $0 >= 0 }) else {
      throw DataError("\(path): array has shape (\(shape.map(String.init).joined(separator: ", "))), rank \(shape.count); expected a 2-D array (rows, features), or images (rows, height, width[, channels]) — reshape it, e.g. x.reshape(len(x), -1)")
    }
    guard fortran == "False" else { throw DataError("\(path): Fortran-ordered arrays are not supported; save with np.ascontiguousarray") }
    let (d, wide) = shape.dropFirst().reduce((1, false)) { acc, size in
      let (product, overflow) = acc.0.multipliedReportingOverflow(by: size)
      return (product, acc.1 || overflow)
    }
    guard !wide else { throw DataError("\(path): shape \(shapeText) is too large") }
    let itemSize: Int
    switch descr {
    case "<f4": itemSize = 4
    case "<f8": itemSize = 8
    case "|u1", "<u1": itemSize = 1
    default: throw DataError("\(path): dtype '\(descr)' is not supported; expected float32, float64 or uint8")
    }
    let (count, overflow) = shape[0].multipliedReportingOverflow(by: d)
    let (bytesNeeded, overflowBytes) = count.multipliedReportingOverflow(by: itemSize)
    guard !overflow, !overflowBytes else { throw DataError("\(path): shape \(shapeText) is too large") }
    return Header(shape: shape, itemSize: itemSize, dataOffset: headerStart + headerLength, width: d, dataBytes: bytesNeeded)
  }

  /// `count` values of `itemSize` bytes at `base` (little-endian, unaligned) as floats.
  public static func convert(_ base: UnsafeRawPointer, itemSize: Int, count: Int, into out: UnsafeMutablePointer<Float>) {
    switch itemSize {
    case 4: for i in 0..<count { out[i] = base.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
    case 8: for i in 0..<count { out[i] = Float(base.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
    default: for i in 0..<count { out[i] = Float(base.load(fromByteOffset: i, as: UInt8.self)) }
    }
  }

  /// Read a 2-D array (n, d).
  public static func read(_ path: String) throws -> Dataset {
    let bytes = try readDataFile(path)
    let header = try bytes.withUnsafeBytes { try Self.header($0, path: path) }
    let start = header.dataOffset, n = header.rows, d = header.width
    guard bytes.count - start >= header.dataBytes else {
      throw DataError("\(path): truncated: shape (\(n), \(d)) needs \(header.dataBytes) bytes of data, the file has \(bytes.count - start)")
    }
    let features = Tensor(rows: n, cols: d)
    bytes.withUnsafeBytes { raw in
      convert(raw.baseAddress! + start, itemSize: header.itemSize, count: n * d, into: features.data)
    }
    let dataset = Dataset(features: features, imageShape: header.imageShape, isByteData: header.itemSize == 1, name: path,
                          metadata: DatasetMetadata(shape: header.shape))
    try dataset.checkFinite()
    return dataset
  }

  /// The text of `key`'s value in a .npy header dictionary.
  private static func field(_ header: String, _ key: String, _ path: String) throws -> String {
    guard let keyRange = header.range(of: "'\(key)':") else { throw DataError("\(path): .npy header has no '\(key)'") }
    var rest = header[keyRange.upperBound...].drop(while: { $0 == " " })
    if rest.first == "(" {
      guard let close = rest.firstIndex(of: ")") else { throw DataError("\(path): malformed .npy shape") }
      return String(rest[...close])
    }
    if rest.first == "'" {
      rest = rest.dropFirst()
      guard let close = rest.firstIndex(of: "'") else { throw DataError("\(path): malformed .npy header") }
      return String(rest[..<close])
    }
    return String(rest.prefix(while: { $0 != "," && $0 != "}" })).trimmingCharacters(in: .whitespaces)
  }

  /// Write `tensor` as a 2-D float32 array, atomically; or with `shape` (whose product is
  /// the tensor's size), as an array of that shape.
  public static func write(_ tensor: Tensor, shape: [Int]? = nil, to path: String) throws {
    let sizes = shape ?? [tensor.rows, tensor.cols]
    precondition(sizes.reduce(1, *) == tensor.count)
    let shapeText = sizes.count == 1 ? "(\(sizes[0]),)" : "(" + sizes.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
    // Pad so the data starts on a 64-byte boundary, ending with a newline, as NumPy does.
    let total = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    let length = header.utf8.count
    bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
    bytes += Array(header.utf8)
    bytes += UnsafeRawBufferPointer(start: tensor.data, count: tensor.count * 4)
    try writeFileAtomically(Data(bytes), to: path)
  }
}

/// Write bytes under a temporary name and rename, so readers never see a partial file.
func writeFileAtomically(_ data: Data, to path: String) throws {
  let url = URL(fileURLWithPath: path)
  do {
    try data.write(to: url, options: .atomic)
  } catch {
    throw DataError("\(path): cannot write the file: \(error.localizedDescription)")
  }
}
