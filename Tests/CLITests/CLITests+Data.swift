import Datasets
import Foundation

/// Data files the CLI tests write: labeled blob images and labels as numpy saves them.
extension CLITests {
  /// 200 blob images as in `CLITests.blobCSV`, with a `label` column: the blob's quadrant (0...3).
  func labeledBlobCSV() throws -> (path: String, labels: [Int]) {
    let plain = try blobCSV()
    let table = try CSV.read(plain).dataset.features
    var labels: [Int] = []
    var text = (0..<table.cols).map { "p\($0)" }.joined(separator: ",") + ",label\n"
    for r in 0..<table.rows {
      // The brightest pixel is the blob's centre.
      let brightest = (0..<table.cols).max { table[r, $0] < table[r, $1] }!
      let label = (brightest / 14 < 7 ? 0 : 2) + (brightest % 14 < 7 ? 0 : 1)
      labels.append(label)
      text += (0..<table.cols).map { String(table[r, $0]) }.joined(separator: ",") + ",\(label)\n"
    }
    let path = directory + "/labeled.csv"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return (path, labels)
  }

  /// Labels as numpy saves them: int64, shape (n,).
  func writeInt64NPY(_ labels: [Int], to path: String) throws {
    var header = "{'descr': '<i8', 'fortran_order': False, 'shape': (\(labels.count),), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    var bytes = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
    for label in labels { withUnsafeBytes(of: Int64(label).littleEndian) { bytes += $0 } }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }
}
