#if canImport(Glibc)
import Glibc
#endif

/// One end of the socket between `ae` and its HDF5 reader process (`HDF5RowReader`,
/// `ae read-hdf5-rows`): whole messages of 64-bit integers, UTF-8 text and float rows. A
/// socket rather than pipes, so that writing to a reader that died fails (MSG_NOSIGNAL) instead
/// of killing `ae` with SIGPIPE.
struct RowChannel {
  struct Closed: Error {}
  struct TimedOut: Error {}

  let fd: Int32
  /// How long to wait for the other side, in milliseconds; -1 waits for ever (the reader
  /// waits on `ae`, which may train for hours between requests).
  var timeout: Int32 = -1

  func send(_ bytes: UnsafeRawPointer, count: Int) throws {
    var done = 0
    while done < count {
      let sent = Glibc.send(fd, bytes + done, count - done, Int32(MSG_NOSIGNAL))
      if sent < 0 && errno == EINTR { continue }
      guard sent > 0 else { throw Closed() }
      done += sent
    }
  }

  func receive(_ bytes: UnsafeMutableRawPointer, count: Int) throws {
    var done = 0
    while done < count {
      if timeout >= 0 {
        var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let polled = poll(&ready, 1, timeout)
        if polled < 0 && errno == EINTR { continue }
        guard polled > 0 else { throw TimedOut() }
      }
      let got = recv(fd, bytes + done, count - done, 0)
      if got < 0 && errno == EINTR { continue }
      guard got > 0 else { throw Closed() }
      done += got
    }
  }

  func send(_ values: [Int64]) throws {
    try values.withUnsafeBytes { try send($0.baseAddress!, count: $0.count) }
  }

  func receiveIntegers(_ count: Int) throws -> [Int64] {
    var values = [Int64](repeating: 0, count: count)
    try values.withUnsafeMutableBytes { try receive($0.baseAddress!, count: $0.count) }
    return values
  }

  /// A failure: status 1, then the message's length and bytes.
  func send(failure message: String) throws {
    let bytes = Array(message.utf8.prefix(1 << 16))
    try send([1, Int64(bytes.count)])
    if !bytes.isEmpty { try bytes.withUnsafeBytes { try send($0.baseAddress!, count: $0.count) } }
  }

  /// The message after a status of 1.
  func receiveFailure() throws -> String {
    let length = try receiveIntegers(1)[0]
    guard (0...(1 << 16)).contains(length) else { throw Closed() }
    var bytes = [UInt8](repeating: 0, count: Int(length))
    if length > 0 { try bytes.withUnsafeMutableBytes { try receive($0.baseAddress!, count: $0.count) } }
    return String(decoding: bytes, as: UTF8.self)
  }
}
