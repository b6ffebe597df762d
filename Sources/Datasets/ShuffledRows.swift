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

/// The windows of one epoch over a streamed source: the rows in blocks of `blockRows`, the
/// blocks in an order shuffled by (seed, epoch), the rows of consecutive blocks gathered into a
/// window of about `windowRows` rows (held-out rows left out), each window shuffled, then
/// handed on. Memory: one window and one block, whatever the source's size.
public struct ShuffledWindows {
  public let source: RowSource
  public let heldOut: RowSelection
  public let windowRows: Int
  public let blockRows: Int
  public let seed: UInt64

  public init(source: RowSource, heldOut: RowSelection, windowRows: Int, blockRows: Int = 4096, seed: UInt64) {
    self.source = source
    self.heldOut = heldOut
    self.windowRows = max(1, windowRows)
    self.blockRows = max(1, blockRows)
    self.seed = seed
  }

  /// Every row not held out, once, in windows; `prepare` runs on each block as read (scaling).
  public func forEachWindow(epoch: Int, prepare: (UnsafeMutablePointer<Float>, Int) -> Void,
                            _ body: (UnsafeMutablePointer<Float>, Int) throws -> Void) throws {
    let d = source.width, blocks = (source.rows + blockRows - 1) / blockRows
    var random = SeededRandom(seed: seed, stream: 0xB10C_0000 | UInt64(epoch))
    let order = random.permutation(blocks)
    let window = Tensor(rows: windowRows + blockRows, cols: d), block = Tensor(rows: blockRows, cols: d)
    var filled = 0, windowIndex = 0
    func emit() throws {
      guard filled > 0 else { return }
      var shuffle = SeededRandom(seed: seed, stream: UInt64(epoch) << 32 | UInt64(windowIndex))
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
    for b in order {
      let first = b * blockRows, count = min(blockRows, source.rows - first)
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
