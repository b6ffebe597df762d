import ArgumentParser
import Store

/// `ae read-hdf5-rows FILE.h5:/PATH` (hidden): the process `HDF5RowReader` starts to read an
/// HDF5 dataset's rows, so that libhdf5 parses a hostile file away from `ae` itself (libhdf5
/// 1.10.8 can crash or hang on crafted files, docs/FUZZING.md). It talks over the socket on
/// descriptor 3 (`RowChannel`): first the dataset's shape, or a failure; then, for each request
/// (first row, row count), status 0 and the rows as float32, or a failure. It ends when `ae`
/// closes the socket.
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
    let channel = RowChannel(fd: 3)
    let rows: HDF5Rows
    do {
      rows = try HDF5Rows(dataset)
    } catch {
      try channel.send(failure: "\(error)")
      return
    }
    try channel.send([0, rows.isByteData ? 1 : 0, Int64(rows.shape.count)] + rows.shape.map(Int64.init))
    let perReply = Self.rowsPerReply(width: rows.width)
    var buffer = [Float](repeating: 0, count: max(1, min(perReply, rows.rows) * rows.width))
    while true {
      let request: [Int64]
      do { request = try channel.receiveIntegers(2) } catch { return } // ae is done with us
      let (first, count) = (Int(request[0]), Int(request[1]))
      guard count >= 0, count <= min(perReply, rows.rows) else {
        try channel.send(failure: "\(count) rows asked at once; at most \(min(perReply, rows.rows))")
        continue
      }
      do {
        try buffer.withUnsafeMutableBufferPointer { try rows.read(first: first, count: count, into: $0.baseAddress!) }
      } catch {
        try channel.send(failure: "\(error)")
        continue
      }
      try channel.send([0])
      if count > 0 { try buffer.withUnsafeBytes { try channel.send($0.baseAddress!, count: count * rows.width * 4) } }
    }
  }
}
