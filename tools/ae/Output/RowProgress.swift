#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// "rows 120000/1000000 (12%) 85000 rows/s" on stderr, redrawn at most ten times a second,
/// only on a terminal: long sampling shows it is moving.
final class RowProgress {
  private let total: Int
  private let started = Date()
  private var lastDraw = 0.0
  private let isTerminal = isatty(2) == 1

  init(total: Int) { self.total = total }

  func update(_ done: Int) {
    guard isTerminal else { return }
    let elapsed = Date().timeIntervalSince(started)
    guard elapsed - lastDraw >= 0.1 || done == total else { return }
    lastDraw = elapsed
    let rate = elapsed > 0 ? Double(done) / elapsed : 0
    FileHandle.standardError.write(Data("\r\u{1B}[Krows \(done)/\(total) (\(100 * done / max(total, 1))%) \(Int(rate)) rows/s".utf8))
  }

  func finish() {
    guard isTerminal else { return }
    FileHandle.standardError.write(Data("\n".utf8))
  }
}
