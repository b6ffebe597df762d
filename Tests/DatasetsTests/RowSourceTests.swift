import Datasets
import Foundation
import Tensor
import TestSupport
import Testing

/// Rows streamed from disk (`ae train --stream`): a .npy read in blocks equals NPY.read; a
/// folder of shards reads as one table; an epoch's windows hold every row not held out exactly
/// once, in an order that depends on the epoch and not on the window size's rounding; the
/// held-out selection keeps about its fraction.
@Suite struct RowSourceTests {
  func write(_ rows: Int, _ cols: Int, seed: UInt64, to path: String) throws -> Tensor {
    let t = GradientCheck.randomTensor(rows: rows, cols: cols, seed: seed, low: -5, high: 5)
    try NPY.write(t, to: path)
    return t
  }

  @Test func npyBlocksAndShardFoldersReadTheRows() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let whole = try write(1000, 5, seed: 1, to: directory + "/whole.npy")
    let source = try NPYRows(directory + "/whole.npy")
    #expect(source.rows == 1000 && source.width == 5)
    let out = Tensor(rows: 333, cols: 5)
    try source.read(first: 600, count: 333, into: out.data)
    #expect(out.values == whole.slice(rows: 600..<933).values)

    let folder = directory + "/shards"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let a = try write(10, 5, seed: 2, to: folder + "/a.npy"), b = try write(7, 5, seed: 3, to: folder + "/b.npy")
    let shards = try ShardFolder(folder)
    #expect(shards.rows == 17 && shards.runStarts == [0, 10])
    let all = Tensor(rows: 17, cols: 5)
    try shards.read(first: 0, count: 17, into: all.data)
    #expect(all.values == a.values + b.values)
  }

  @Test func windowsHoldEveryTrainingRowOnceInAnEpochsOwnOrder() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    // Each row's first value is its index, so the windows say which rows they hold.
    let rows = 10_000
    let t = Tensor(rows: rows, cols: 2)
    for r in 0..<rows { t[r, 0] = Float(r); t[r, 1] = 1 }
    try NPY.write(t, to: directory + "/rows.npy")
    let source = try NPYRows(directory + "/rows.npy")
    let heldOut = RowSelection(seed: 7, fraction: 0.1, stream: 1)
    let windows = ShuffledWindows(source: source, heldOut: heldOut, windowRows: 1500, blockRows: 256, seed: 7)
    func epoch(_ e: Int) throws -> [Int] {
      var seen: [Int] = []
      try windows.forEachWindow(epoch: e, prepare: { _, _ in }) { values, count in
        #expect(count <= 1500 + 256)
        for r in 0..<count { seen.append(Int(values[r * 2])) }
      }
      return seen
    }
    let first = try epoch(1), again = try epoch(1), second = try epoch(2)
    let expected = (0..<rows).filter { !heldOut.contains($0) }
    #expect(first.sorted() == expected && second.sorted() == expected)
    #expect(first == again && first != second)
    #expect(abs(Double(rows - expected.count) / Double(rows) - 0.1) < 0.02)
    // Shuffled, not read in order: neighbours in the stream are rarely neighbours in the file.
    let adjacent = zip(first, first.dropFirst()).filter { abs($0 - $1) == 1 }.count
    #expect(adjacent < first.count / 20)
  }

  @Test func damagedFilesAreRefused() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    _ = try write(100, 4, seed: 1, to: directory + "/ok.npy")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/ok.npy"))
    try bytes.prefix(300).write(to: URL(fileURLWithPath: directory + "/short.npy"))
    #expect(throws: DataError.self) { try NPYRows(directory + "/short.npy") }
    #expect(throws: DataError.self) { try NPYRows(directory) }
    #expect(throws: DataError.self) { try RowSources.open(directory + "/data.h5:/rows") }
    #expect(throws: DataError.self) { try RowSources.open(directory + "/ok.csv") }
  }
}
