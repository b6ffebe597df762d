import CZlib
import Tensor

/// Reader for the IDX format of MNIST and Fashion-MNIST, gzipped or not
/// (http://yann.lecun.com/exdb/mnist/: magic 0 0 type rank, big-endian sizes, then the data).
public enum IDX {
  /// Read an unsigned-byte IDX file: rank 1 gives labels, rank 3 (n, h, w) gives images.
  public static func read(_ path: String) throws -> (shape: [Int], bytes: [UInt8]) {
    try requireRegularFile(path) // gzopen would wait forever on a FIFO
    guard let file = gzopen(path, "rb") else { throw DataError("\(path): cannot open the file") }
    defer { gzclose(file) }
    var header = [UInt8](repeating: 0, count: 4)
    guard gzread(file, &header, 4) == 4 else { throw DataError("\(path): too short to be an IDX file") }
    guard header[0] == 0, header[1] == 0 else { throw DataError("\(path): not an IDX file (bad magic number)") }
    guard header[2] == 0x08 else {
      throw DataError("\(path): IDX element type 0x\(String(header[2], radix: 16)) is not supported; expected unsigned bytes (0x08)")
    }
    let rank = Int(header[3])
    guard (1...4).contains(rank) else { throw DataError("\(path): IDX rank \(rank) is not supported") }
    var sizes = [UInt8](repeating: 0, count: 4 * rank)
    guard gzread(file, &sizes, UInt32(4 * rank)) == Int32(4 * rank) else { throw DataError("\(path): truncated IDX header") }
    let shape = (0..<rank).map { i in
      sizes[4 * i..<4 * i + 4].reduce(0) { $0 << 8 | Int($1) }
    }
    let (count, overflow) = shape.reduce((1, false)) { acc, s in
      let (p, o) = acc.0.multipliedReportingOverflow(by: s)
      return (p, acc.1 || o)
    }
    guard !overflow, count < 1 << 34 else { throw DataError("\(path): IDX sizes \(shape) are too large") }
    var bytes = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
      let chunk = min(count - done, 1 << 30)
      let got = bytes.withUnsafeMutableBytes { gzread(file, $0.baseAddress! + done, UInt32(chunk)) }
      guard got > 0 else {
        throw DataError("\(path): truncated: the header promises \(count) values, the file holds \(done)")
      }
      done += Int(got)
    }
    return (shape, bytes)
  }

  /// Read images (and, when given, labels) as a dataset of byte rows.
  public static func dataset(images path: String, labels labelPath: String? = nil) throws -> Dataset {
    let (shape, bytes) = try read(path)
    let n = shape[0]
    let width = shape.dropFirst().reduce(1, *)
    let features = Tensor(rows: n, cols: width)
    for i in 0..<bytes.count { features.data[i] = Float(bytes[i]) }
    var labels: [Int]?
    if let labelPath {
      let (labelShape, labelBytes) = try read(labelPath)
      guard labelShape == [n] else {
        throw DataError("\(labelPath): holds \(labelShape) labels; the images file \(path) has \(n) images")
      }
      labels = labelBytes.map(Int.init)
    }
    let imageShape = shape.count == 3 ? [shape[1], shape[2], 1] : (shape.count == 4 ? Array(shape[1...]) : nil)
    return Dataset(features: features, labels: labels, imageShape: imageShape, isByteData: true, name: path,
                   metadata: DatasetMetadata(shape: shape))
  }
}
