import Foundation
import Tensor

/// The .npy files `ae augment images` writes: float32 images of any shape, and int64 labels
/// as numpy gives them (`Datasets.NPY` writes 2-D float tables only). Both go through
/// `writeAtomically`, so a failed write leaves nothing half-done at the path.
enum ShapedNPY {
  /// `tensor`'s values as a float32 array of `shape` (whose product is its count).
  static func writeFloats(_ tensor: Tensor, shape: [Int], to path: String) throws {
    let bytes = UnsafeRawBufferPointer(start: tensor.data, count: tensor.count * MemoryLayout<Float>.size)
    try write(header(descr: "<f4", shape: shape), bytes, to: path)
  }

  /// Class labels as an int64 vector.
  static func writeLabels(_ labels: [Int], to path: String) throws {
    let values = labels.map { Int64($0).littleEndian }
    try values.withUnsafeBytes { try write(header(descr: "<i8", shape: [labels.count]), $0, to: path) }
  }

  /// Format 1.0's header, padded so the data starts on a 64-byte boundary, as numpy does.
  static func header(descr: String, shape: [Int]) -> [UInt8] {
    let dimensions = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
    var text = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dimensions)), }"
    text += String(repeating: " ", count: (64 - (10 + text.utf8.count + 1) % 64) % 64) + "\n"
    let length = text.utf8.count
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(text.utf8)
  }

  static func write(_ header: [UInt8], _ body: UnsafeRawBufferPointer, to path: String) throws {
    try writeAtomically(to: path) { temporary in
      guard let stream = fopen(temporary, "wb") else {
        throw CommandError("\(path): cannot write the file: \(String(cString: strerror(errno)))")
      }
      let written = fwrite(header, 1, header.count, stream) + (body.isEmpty ? 0 : fwrite(body.baseAddress!, 1, body.count, stream))
      let closed = fclose(stream) == 0
      guard written == header.count + body.count, closed else {
        throw CommandError("\(path): cannot write the file: \(String(cString: strerror(errno)))")
      }
    }
  }
}
