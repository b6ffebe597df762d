import Datasets
import Foundation
import Tensor

/// Class labels from a file of their own (`--labels`), one per data row: a .npy vector as
/// numpy writes it (`np.save("y.npy", y)`: int8 to int64, uint8 to uint64, or whole floats;
/// shape (n,) or (n, 1)), or a one-column .csv (a header line allowed).
///
/// The data readers take float rows only, so the integer dtypes numpy gives labels are read
/// here.
enum LabelFile {
  /// Most labels read: more rows than any data file holds.
  static let maximumCount = 1 << 31

  static func read(_ path: String) throws -> [Int] {
    let lower = path.lowercased()
    let values: [Double]
    if lower.hasSuffix(".npy") {
      values = try readNPY(path)
    } else if lower.hasSuffix(".csv") {
      let table = try CSV.read(path).dataset.features
      guard table.cols == 1 else { throw DataError("\(path): \(table.cols) columns; a label file has one") }
      values = table.values.map(Double.init)
    } else {
      throw DataError("\(path): labels come in a .npy or a one-column .csv file")
    }
    return try values.enumerated().map { row, value in
      guard value.rounded() == value, value >= 0, value < Double(Int32.max) else {
        throw DataError("\(path): label \(row) is \(value); labels are classes 0, 1, 2, ...")
      }
      return Int(value)
    }
  }

  /// The values of a .npy vector of integers or floats, as doubles.
  static func readNPY(_ path: String) throws -> [Double] {
    let bytes: [UInt8]
    do {
      bytes = try RegularFile.read(path, limit: maximumCount * 8 + 65536)
    } catch {
      throw DataError("\(error)")
    }
    guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8), (1...3).contains(bytes[6]) else {
      throw DataError("\(path): not a .npy file (bad magic string or version)")
    }
    let wide = bytes[6] > 1
    let headerStart = wide ? 12 : 10
    guard bytes.count >= headerStart else { throw DataError("\(path): truncated .npy header") }
    // (n,) and (n, 1) are laid out alike in C and Fortran order.
    let headerLength = (8..<headerStart).reduce(0) { $0 | Int(bytes[$1]) << (8 * ($1 - 8)) }
    guard headerLength <= bytes.count - headerStart else { throw DataError("\(path): truncated .npy header") }
    let header = String(decoding: bytes[headerStart..<headerStart + headerLength], as: UTF8.self)
    guard let descr = header.firstMatch(of: #/'descr':\s*'([<|>]?)([iuf])(\d)'/#),
          let shape = header.firstMatch(of: #/'shape':\s*\((\d+),\s*(1)?\s*\)/#) else {
      throw DataError("\(path): expected a vector of integer labels, shape (n,) or (n, 1); the header says \(header.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    let (order, type, size) = (descr.output.1, descr.output.2, Int(descr.output.3)!)
    guard order != ">" || size == 1, type != "f" || size == 4 || size == 8, [1, 2, 4, 8].contains(size) else {
      throw DataError("\(path): dtype '\(order)\(type)\(size)' is not supported; use a little-endian integer or float array")
    }
    guard let count = Int(shape.output.1), count <= maximumCount else { throw DataError("\(path): too many labels") }
    let start = headerStart + headerLength
    guard bytes.count - start >= count * size else {
      throw DataError("\(path): truncated: \(count) labels need \(count * size) bytes, the file has \(bytes.count - start)")
    }
    return bytes.withUnsafeBytes { raw in
      (0..<count).map { i -> Double in
        let at = start + i * size
        switch (type, size) {
        case ("f", 4): return Double(raw.loadUnaligned(fromByteOffset: at, as: Float.self))
        case ("f", _): return raw.loadUnaligned(fromByteOffset: at, as: Double.self)
        case ("i", 1): return Double(raw.loadUnaligned(fromByteOffset: at, as: Int8.self))
        case ("i", 2): return Double(raw.loadUnaligned(fromByteOffset: at, as: Int16.self))
        case ("i", 4): return Double(raw.loadUnaligned(fromByteOffset: at, as: Int32.self))
        case ("i", _): return Double(raw.loadUnaligned(fromByteOffset: at, as: Int64.self))
        case (_, 1): return Double(raw.loadUnaligned(fromByteOffset: at, as: UInt8.self))
        case (_, 2): return Double(raw.loadUnaligned(fromByteOffset: at, as: UInt16.self))
        case (_, 4): return Double(raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))
        default: return Double(raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
        }
      }
    }
  }
}
