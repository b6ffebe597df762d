import Datasets
import Foundation
import Store
#if canImport(Glibc)
import Glibc
#endif

/// The rows of an HDF5 dataset (`--data file.h5:/group/rows`), read by a process of its own:
/// `ae read-hdf5-rows` (Store's `HDF5Rows`: the file opened from disk, the dataset audited,
/// rows read by hyperslabs). libhdf5 1.10.8 can crash or loop on crafted files
/// (docs/FUZZING.md), and a data file has no checksum to keep those away, so it parses them in
/// that process: a crash there is an error here, a reader that stops answering is ended after
/// `timeoutSeconds`, and `ae` goes on to report it. The rows come over a socket into the
/// caller's buffer, a block at a time.
final class HDF5RowReader: RowSource {
  let name: String
  let rows: Int
  let width: Int
  let imageShape: [Int]?
  let isByteData: Bool
  /// The dataset's shape as stored, rows first.
  let shape: [Int]
  var runStarts: [Int] { [0] }

  private let channel: RowChannel
  private let process: pid_t
  private var ended = false
  /// How long one answer may take (opening and auditing the file, or reading one block):
  /// 120 s, or AE_HDF5_READER_TIMEOUT seconds (slow network file systems; the tests).
  static let timeoutSeconds: Int32 = {
    guard let text = ProcessInfo.processInfo.environment["AE_HDF5_READER_TIMEOUT"], let seconds = Int32(text),
          (1...86_400).contains(seconds) else { return 120 }
    return seconds
  }()

  init(_ spec: String) throws {
    name = spec
    let ends = try Self.socketPair(spec)
    let process: pid_t
    do {
      process = try Self.spawn(spec, socket: ends[1])
    } catch {
      Glibc.close(ends[0])
      Glibc.close(ends[1])
      throw error
    }
    Glibc.close(ends[1])
    let channel = RowChannel(fd: ends[0], timeout: Self.timeoutSeconds * 1000)
    do {
      guard try channel.receiveIntegers(1)[0] == 0 else { throw CommandError(try channel.receiveFailure()) }
      let header = try channel.receiveIntegers(2)
      guard (2...8).contains(header[1]) else { throw RowChannel.Closed() }
      shape = try channel.receiveIntegers(Int(header[1])).map { Int($0) }
      isByteData = header[0] == 1
    } catch {
      throw Self.stop(process, channel, after: error, name: spec)
    }
    self.process = process
    self.channel = channel
    rows = shape[0]
    width = shape.dropFirst().reduce(1, *)
    imageShape = HDF5Rows.imageShape(of: shape)
  }

  deinit {
    if !ended { _ = Self.end(process, channel) }
  }

  func read(first: Int, count: Int, into out: UnsafeMutablePointer<Float>) throws {
    guard first >= 0, count >= 0, first <= rows - count else { throw DataError("\(name): rows \(first)..<\(first + count) asked of \(rows)") }
    guard !ended else { throw CommandError("\(name): the HDF5 reader has stopped") }
    let perReply = ReadHDF5Rows.rowsPerReply(width: width)
    var done = 0
    do {
      while done < count {
        let n = min(perReply, count - done)
        try channel.send([Int64(first + done), Int64(n)])
        guard try channel.receiveIntegers(1)[0] == 0 else { throw CommandError(try channel.receiveFailure()) }
        try channel.receive(out + done * width, count: n * width * MemoryLayout<Float>.size)
        done += n
      }
    } catch let error as CommandError {
      throw error // the reader's own message (a damaged dataset, a value that is not finite)
    } catch {
      ended = true
      throw Self.stop(process, channel, after: error, name: name)
    }
  }

  /// The reader's peak resident set in MiB (its VmHWM), while it runs.
  var readerPeakMegabytes: Double? { ended ? nil : peakResidentMegabytes(process: "\(process)") }

  /// A connected pair of sockets, both at descriptors 10 and up: with ae's 0, 1 or 2 closed,
  /// socketpair would hand out those numbers, and the reader's standard descriptors would be
  /// a copy of the socket (neither end would then ever see the other close).
  private static func socketPair(_ spec: String) throws -> [Int32] {
    var ends: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
      throw CommandError("\(spec): cannot start the HDF5 reader: \(String(cString: strerror(errno)))")
    }
    for index in 0..<2 where ends[index] < 10 {
      let moved = fcntl(ends[index], F_DUPFD_CLOEXEC, 10)
      Glibc.close(ends[index])
      ends[index] = moved
    }
    guard ends[0] >= 0 && ends[1] >= 0 else {
      for end in ends where end >= 0 { Glibc.close(end) }
      throw CommandError("\(spec): cannot start the HDF5 reader: \(String(cString: strerror(errno)))")
    }
    return ends
  }

  /// Start `ae read-hdf5-rows -- SPEC` (this very executable) with `socket` as its descriptor 3,
  /// nothing to read, its output thrown away, and its errors (if any) on ae's stderr when open.
  private static func spawn(_ spec: String, socket: Int32) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, socket, 3) // dup2 leaves the copy open across exec
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    if fcntl(2, F_GETFD) < 0 { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
    // The reader multiplies nothing: one BLAS thread (OPENBLAS_CORETYPE and friends pass as they are).
    // A crash in libhdf5 is reported by ae in one line, not by the Swift runtime's backtrace.
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = "1"
    environment["SWIFT_BACKTRACE"] = "enable=no"
    let arguments = ["ae", "read-hdf5-rows", "--", spec] // a path starting with "-" is not an option
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, "/proc/self/exe", &actions, nil, argv, envp)
    guard status == 0 else { throw CommandError("\(spec): cannot start the HDF5 reader: \(String(cString: strerror(status)))") }
    return pid
  }

  /// After a failure to talk to the reader: end it, and say why it stopped.
  private static func stop(_ process: pid_t, _ channel: RowChannel, after error: Error, name: String) -> Error {
    let timedOut = error is RowChannel.TimedOut
    if timedOut { kill(process, SIGKILL) }
    let status = end(process, channel)
    if timedOut {
      return CommandError("\(name): the HDF5 reader gave no answer in \(timeoutSeconds) s and was stopped (libhdf5 loops on some damaged or crafted files)")
    }
    if let status, status & 0x7f != 0 {
      let signal = status & 0x7f
      return CommandError("\(name): libhdf5 crashed reading the file (signal \(signal), \(String(cString: strsignal(signal)))): it is damaged or crafted")
    }
    if let error = error as? CommandError { return error }
    return CommandError("\(name): the HDF5 reader stopped unexpectedly (exit status \(status.map { ($0 >> 8) & 0xff } ?? -1))")
  }

  /// Close the socket (the reader then ends) and wait for the reader; its wait status.
  private static func end(_ process: pid_t, _ channel: RowChannel) -> Int32? {
    Glibc.close(channel.fd)
    var status: Int32 = 0
    while waitpid(process, &status, 0) < 0 {
      guard errno == EINTR else { return nil }
    }
    return status
  }
}
