import ArgumentParser
import Foundation
import Store
#if canImport(Glibc)
import Glibc
#endif

/// `ae read-hdf5-rows -- FILE.h5:/PATH` (hidden): the process `HDF5RowReader` starts to read an
/// HDF5 dataset's rows, so that libhdf5 parses a hostile file away from `ae` itself (libhdf5
/// 1.10.8 can crash or hang on crafted files, docs/FUZZING.md). It talks over the socket on
/// descriptor 3 (`RowChannel`): first the dataset's shape, or a failure; then, for each request
/// (first row, row count), status 0 and the rows as float32, or a failure. It ends when `ae`
/// closes the socket, or when `ae` is gone (a watch thread, for a reader stuck in libhdf5).
struct ReadHDF5Rows: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "read-hdf5-rows", abstract: "Serve an HDF5 dataset's rows to ae over descriptor 3 (internal).",
    shouldDisplay: false)

  @Argument(help: "FILE.h5:/PATH")
  var dataset: String

  /// Most rows one reply carries: about 4 MiB of them, at least one row however wide.
  /// `HDF5RowReader` asks for blocks of at most this many.
  static func rowsPerReply(width: Int) -> Int { max(1, (1 << 20) / max(1, width)) }

  func run() throws {
    Self.closeInheritedDescriptors()
    Self.endWithParent()
    let channel = RowChannel(fd: 3)
    do {
      try serve(channel)
    } catch is RowChannel.Closed {
      // ae is gone, or done with us: nothing to say to anyone.
    }
  }

  private func serve(_ channel: RowChannel) throws {
    let rows: HDF5Rows
    do {
      rows = try HDF5Rows(dataset)
    } catch {
      try channel.send(failure: "\(error)")
      return
    }
    try channel.send([0, rows.isByteData ? 1 : 0, Int64(rows.shape.count)] + rows.shape.map(Int64.init))
    let perReply = Self.rowsPerReply(width: rows.width)
    var buffer: [Float] = [] // grown to the largest request: ae may close before asking anything
    while true {
      let request: [Int64]
      do { request = try channel.receiveIntegers(2) } catch { return } // ae is done with us
      let (first, count) = (Int(request[0]), Int(request[1]))
      guard count >= 1, count <= min(perReply, rows.rows) else {
        try channel.send(failure: "\(count) rows asked at once; 1 to \(min(perReply, rows.rows))")
        continue
      }
      if buffer.count < count * rows.width { buffer = [Float](repeating: 0, count: count * rows.width) }
      do {
        try buffer.withUnsafeMutableBufferPointer { try rows.read(first: first, count: count, into: $0.baseAddress!) }
      } catch {
        try channel.send(failure: "\(error)")
        continue
      }
      try channel.send([0])
      try buffer.withUnsafeBytes { try channel.send($0.baseAddress!, count: count * rows.width * 4) }
    }
  }

  /// Descriptors ae itself inherited without close-on-exec (a shell's, a test harness's): the
  /// reader needs 0 to 3 only.
  private static func closeInheritedDescriptors() {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
    for name in names { if let fd = Int32(name), fd > 3 { Glibc.close(fd) } }
  }

  /// End when ae does: libhdf5 stuck on a crafted file never reads the socket's end.
  private static func endWithParent() {
    let parent = getppid()
    Thread.detachNewThread {
      while true {
        sleep(1)
        if getppid() != parent { _exit(1) }
      }
    }
  }
}
