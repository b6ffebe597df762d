import Foundation

/// Training progress on stderr: a live line per batch on a terminal, one line per epoch always.
///
/// Shows epoch, batch, running loss, validation loss, samples per second and time left.
public final class ProgressPrinter {
  private let isTerminal = isatty(2) == 1
  private var lastDraw = 0.0

  public init() {}

  /// Called after every batch; redraws at most ten times a second, only on a terminal.
  public func batch(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double, samplesPerSecond: Double, secondsLeft: Double) {
    guard isTerminal else { return }
    let now = Date.timeIntervalSinceReferenceDate
    guard now - lastDraw > 0.1 || batch == batches else { return }
    lastDraw = now
    let line = "epoch \(epoch)/\(epochs)  batch \(batch)/\(batches)  loss \(format(loss, 4))  \(Int(samplesPerSecond)) samples/s  ETA \(duration(secondsLeft))"
    FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
  }

  /// Called at the end of every epoch.
  public func epoch(epoch: Int, epochs: Int, loss: Double, validationLoss: Double?, seconds: Double, samplesPerSecond: Double, secondsLeft: Double, note: String = "") {
    var line = "epoch \(epoch)/\(epochs)  loss \(format(loss, 4))"
    if let validationLoss { line += "  val_loss \(format(validationLoss, 4))" }
    line += "  \(format(seconds, 2)) s  \(Int(samplesPerSecond)) samples/s  ETA \(duration(secondsLeft))"
    if !note.isEmpty { line += "  " + note }
    FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + line + "\n").utf8))
  }

  /// A one-off message.
  public func message(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  private func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

  private func duration(_ seconds: Double) -> String {
    let s = max(0, Int(seconds.rounded()))
    return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
  }
}
