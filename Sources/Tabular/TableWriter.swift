#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Tensor

/// Where generated rows go, a chunk at a time, so memory never grows with the table's length.
public protocol TableRowSink {
  /// `rowCount` rows of `columns.count` values each, row by row, in the table's units:
  /// numbers as they are, categorical/boolean values as indexes into the column's categories, datetimes as Unix seconds, NaN = missing.
  /// `values` may be longer than that (a reused chunk buffer); the rest is ignored.
  mutating func write(_ values: UnsafeBufferPointer<Double>, rowCount: Int) throws
  /// Flush, close, and move the finished file into place (written under a temporary name until then).
  mutating func finish() throws
}

/// A file written through a 64 KB buffer under a temporary name in the destination's folder,
/// renamed into place by `finish()`. Until then the destination is untouched; if the writer
/// fails, is abandoned or is dropped unfinished, the temporary file is removed.
final class OutputFile {
  static let bufferSize = 1 << 16

  /// The destination, for messages.
  let path: String
  private let temporary: String
  /// -1 once finished or abandoned.
  private var descriptor: Int32
  private var buffer: [UInt8] = []

  /// Refuses a destination that is not missing or a regular file (`checkReplaceable`).
  init(path: String) throws {
    try checkReplaceable(path)
    self.path = path
    temporary = temporaryPath(beside: path)
    descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard descriptor >= 0 else {
      throw TabularError("\(path): cannot create a file in its folder: \(String(cString: strerror(errno)))")
    }
    buffer.reserveCapacity(Self.bufferSize)
  }

  deinit { abandon() }

  /// Append bytes, writing the buffer out when it is full.
  func append<Bytes: Collection>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
    guard descriptor >= 0 else { throw TabularError("\(path): the file was already finished or abandoned") }
    buffer.append(contentsOf: bytes)
    if buffer.count >= Self.bufferSize { try flush() }
  }

  /// Write out the buffer; on failure (disk full, say) the file is abandoned.
  func flush() throws {
    guard descriptor >= 0 else { throw TabularError("\(path): the file was already finished or abandoned") }
    var done = 0
    while done < buffer.count {
      let written = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, buffer.count - done) }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else {
        let reason = written < 0 ? String(cString: strerror(errno)) : "nothing was written"
        abandon()
        throw TabularError("\(path): cannot write the file: \(reason)")
      }
      done += written
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Flush, close (whose error, on a network file system, may be the first sign of a failed
  /// write) and rename into place, checking again that the destination may be replaced.
  func finish() throws {
    try flush()
    let closed = close(descriptor)
    descriptor = -1
    guard closed == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw TabularError("\(path): cannot write the file: \(reason)")
    }
    try moveIntoPlace(temporary, path)
  }

  /// Close and remove the temporary file, leaving the destination as it was.
  func abandon() {
    guard descriptor >= 0 else { return }
    close(descriptor)
    descriptor = -1
    unlink(temporary)
  }
}
