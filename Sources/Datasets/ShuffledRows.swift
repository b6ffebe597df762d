import Tensor

/// Which rows of a streamed source are held out (validation) or sampled (statistics), decided
/// row by row from a seeded hash of the row's index: no list of indexes is kept, whatever the
/// number of rows, and the same rows are chosen on every run with the seed.
public struct RowSelection: Sendable {
  public let seed: UInt64
  /// The chance of a row being chosen.
  public let fraction: Double
  let stream: UInt64

  public init(seed: UInt64, fraction: Double, stream: UInt64) {
    self.seed = seed
    self.fraction = fraction
    self.stream = stream
  }

  public func contains(_ row: Int) -> Bool {
    guard fraction > 0 else { return false }
    // SplitMix64 of the seed, the stream and the row: 53 uniform bits.
    var z = seed &+ stream &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(row) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Double(z >> 11) / Double(1 << 53) < fraction
  }
}

/// The windows of one epoch over a streamed source: the rows in blocks of `blockRows`; the
/// source's runs (its shards) in an order shuffled by (seed, epoch), and the blocks of each run
/// in a shuffled order; the rows of consecutive blocks gathered into a window of `windowRows`
/// rows (held-out rows left out), each window shuffled, then handed on. Memory: one window and
/// one block, allocated once, whatever the source's size.
public final class ShuffledWindows {
  public let source: RowSource
  public let heldOut: RowSelection
  public let windowRows: Int
  public let blockRows: Int
  public let seed: UInt64
  private let window: Tensor, block: Tensor

  /// `windowRows` is at most the source's rows; the caller checks that window and block fit
  /// in memory (window + block rows of `source.width` floats).
  public init(source: RowSource, heldOut: RowSelection, windowRows: Int, blockRows: Int = 4096, seed: UInt64) {
    self.source = source
    self.heldOut = heldOut
    self.blockRows = max(1, min(blockRows, source.rows))
    self.windowRows = max(1, min(windowRows, source.rows))
    self.seed = seed
    window = Tensor(rows: self.windowRows + self.blockRows, cols: source.width)
    block = Tensor(rows: self.blockRows, cols: source.width)
  }

  /// The blocks of an epoch, as (first row, rows), in its shuffled order.
  func blocks(epoch: Int) -> [(first: Int, count: Int)] {
    var random = SeededRandom(seed: seed, stream: 0xB10C << 40 | UInt64(truncatingIfNeeded: epoch) & 0xFF_FFFF_FFFF)
    let starts = source.runStarts + [source.rows]
    var order: [(Int, Int)] = []
    for run in random.permutation(starts.count - 1) {
      let low = starts[run], high = starts[run + 1]
      let count = (high - low + blockRows - 1) / blockRows
      for b in random.permutation(count) {
        let first = low + b * blockRows
        order.append((first, min(blockRows, high - first)))
      }
    }
    return order
  }

  /// Every row not held out, once, in windows; `prepare` runs on each block as read (scaling).
  public func forEachWindow(epoch: Int, prepare: (UnsafeMutablePointer<Float>, Int) -> Void,
                            _ body: (UnsafeMutablePointer<Float>, Int) throws -> Void) throws {
    let d = source.width
    var filled = 0, windowIndex: UInt64 = 0
    func emit() throws {
      guard filled > 0 else { return }
      var shuffle = SeededRandom(seed: seed, stream: UInt64(truncatingIfNeeded: epoch) << 32 | windowIndex)
      // Fisher-Yates over whole rows.
      let scratch = block.data // free between blocks
      for i in stride(from: filled - 1, to: 0, by: -1) {
        let j = Int(shuffle.next() % UInt64(i + 1))
        guard j != i else { continue }
        scratch.update(from: window.row(i), count: d)
        window.row(i).update(from: window.row(j), count: d)
        window.row(j).update(from: scratch, count: d)
      }
      try body(window.data, filled)
      filled = 0
      windowIndex += 1
    }
    for (first, count) in blocks(epoch: epoch) {
      try source.read(first: first, count: count, into: block.data)
      prepare(block.data, count)
      for r in 0..<count where !heldOut.contains(first + r) {
        window.row(filled).update(from: block.row(r), count: d)
        filled += 1
      }
      if filled >= windowRows { try emit() }
    }
    try emit()
  }
}
