import Foundation
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// Rows read from disk a block at a time, for data larger than memory (`ae train --stream`):
/// a .npy file (read in place with pread: nothing is mapped or loaded whole), a folder of
/// .npy and .csv shards (in name order; a CSV shard is read whole when its rows are wanted, so
/// it bounds the memory).
public protocol RowSource: AnyObject {
  var name: String { get }
  var rows: Int { get }
  var width: Int { get }
  /// (height, width, channels) when the rows are images.
  var imageShape: [Int]? { get }
  /// Whether the values are bytes (pixels: `unit` scaling divides by 255).
  var isByteData: Bool { get }
  /// Rows `first ..< first + count` into `out` (count x width floats). Throws for a read
  /// error, a file that changed, or a value that is not finite.
  func read(first: Int, count: Int, into out: UnsafeMutablePointer<Float>) throws
  /// Where a new contiguous run of rows starts (shard boundaries): shuffling takes the runs
  /// in a shuffled order, and the blocks of each run in a shuffled order, so a shard is opened
  /// (a CSV shard parsed) once per epoch.
  var runStarts: [Int] { get }
}

public enum RowSources {
  /// `spec`: a .npy file, or a folder of .npy/.csv shards. (HDF5 datasets are read by a
  /// process of their own: `ae`'s HDF5RowReader.)
  public static func open(_ spec: String) throws -> RowSource {
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: spec, isDirectory: &isFolder), isFolder.boolValue {
      return try ShardFolder(spec)
    }
    guard spec.lowercased().hasSuffix(".npy") else {
      throw DataError("\(spec): streamed data (--stream) is a .npy file or a folder of .npy and .csv shards (one .csv: put it in a folder)")
    }
    return try NPYRows(spec)
  }

  /// Throw `DataError` naming the first non-finite value among `count` rows at `values`.
  static func checkFinite(_ values: UnsafePointer<Float>, rows count: Int, width: Int, first: Int, name: String) throws {
    for i in 0..<(count * width) where !values[i].isFinite {
      throw DataError("\(name): row \(first + i / width), column \(i % width) is \(values[i]); values must be finite")
    }
  }
}

/// A .npy file read in blocks with pread, through one descriptor kept open (so the file read
/// is the file checked: a regular file, big enough for its header's shape).
public final class NPYRows: RowSource {
  public let name: String
  public let header: NPY.Header
  let fd: Int32
  private var scratch: [UInt8] = []

  /// `allowEmpty`: a file of no rows is opened (a shard of a folder) instead of refused.
  public init(_ path: String, allowEmpty: Bool = false) throws {
    let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw DataError("\(path): cannot open the file: \(String(cString: strerror(errno)))") }
    do {
      header = try Self.checkedHeader(fd, path, allowEmpty: allowEmpty)
    } catch {
      Glibc.close(fd) // every check comes before the object is whole: deinit does not run
      throw error
    }
    name = path
    self.fd = fd
  }

  private static func checkedHeader(_ fd: Int32, _ path: String, allowEmpty: Bool) throws -> NPY.Header {
    var status = stat()
    guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
      throw DataError("\(path): not a regular file; only regular files are read")
    }
    // The header: at most 1 MiB (NumPy's are 64 to a few hundred bytes).
    var prefix = [UInt8](repeating: 0, count: min(Int(status.st_size), 1 << 20))
    let got = prefix.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
    guard got == prefix.count else { throw DataError("\(path): cannot read the header") }
    let header = try prefix.withUnsafeBytes { try NPY.header($0, path: path) }
    let available = Int(status.st_size) - header.dataOffset
    guard available >= header.dataBytes else {
      throw DataError("\(path): truncated: shape (\(header.shape.map(String.init).joined(separator: ", "))) needs \(header.dataBytes) bytes of data, the file has \(available)")
    }
    guard header.width > 0 else { throw DataError("\(path): no values per row") }
    guard header.rows > 0 || allowEmpty else { throw DataError("\(path): no rows") }
    return header
  }

  deinit { Glibc.close(fd) }

  public var rows: Int { header.rows }
  public var width: Int { header.width }
  public var imageShape: [Int]? { header.imageShape }
  public var isByteData: Bool { header.itemSize == 1 }
  public var runStarts: [Int] { [0] }

  /// Bytes read at once: the scratch buffer stays this small whatever the rows asked for.
  static let chunkBytes = 1 << 20

  public func read(first: Int, count: Int, into out: UnsafeMutablePointer<Float>) throws {
    guard first >= 0, count >= 0, first <= rows - count else {
      throw DataError("\(name): rows \(first)..<\(first + count) asked of \(rows)")
    }
    let rowBytes = width * header.itemSize
    let rowsPerChunk = max(1, Self.chunkBytes / rowBytes)
    if scratch.count < min(count, rowsPerChunk) * rowBytes { scratch = [UInt8](repeating: 0, count: min(count, rowsPerChunk) * rowBytes) }
    var row = 0
    try scratch.withUnsafeMutableBytes { buffer in
      while row < count {
        let n = min(rowsPerChunk, count - row), bytes = n * rowBytes
        let offset = header.dataOffset + (first + row) * rowBytes
        var done = 0
        while done < bytes {
          let got = pread(fd, buffer.baseAddress! + done, bytes - done, off_t(offset + done))
          if got < 0 && errno == EINTR { continue }
          guard got > 0 else { throw DataError("\(name): read error, or the file shrank, at byte \(offset + done)") }
          done += got
        }
        NPY.convert(buffer.baseAddress!, itemSize: header.itemSize, count: n * width, into: out + row * width)
        row += n
      }
    }
    try RowSources.checkFinite(out, rows: count, width: width, first: first, name: name)
  }
}

/// A folder of .npy and .csv files, in name order, as one table: every shard has the same
/// width. NPY shards are read in blocks; a CSV shard is parsed whole when one of its rows is
/// wanted, and only the last one parsed is kept.
public final class ShardFolder: RowSource {
  public let name: String
  /// Each shard's path, rows and kind; empty shards are left out.
  let shards: [(path: String, isNPY: Bool, rows: Int)]
  let starts: [Int]
  public let rows: Int
  public let width: Int
  public let imageShape: [Int]?
  public let isByteData: Bool
  /// The one shard open at a time (a folder of thousands of shards must not hold as many
  /// descriptors and buffers): an NPY shard's reader, or a CSV shard's parsed rows.
  private var open: (index: Int, npy: NPYRows?, values: Tensor?)?

  public init(_ folder: String) throws {
    name = folder
    let names: [String]
    do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
      throw DataError("\(folder): cannot list the folder: \(error.localizedDescription)")
    }
    // Hidden files (such as macOS's ._ files) are not shards. Name order: zero-pad numbers.
    let files = names.filter { !$0.hasPrefix(".") && ($0.lowercased().hasSuffix(".npy") || $0.lowercased().hasSuffix(".csv")) }.sorted()
    guard !files.isEmpty else { throw DataError("\(folder): no .npy or .csv shards in the folder") }
    var shards: [(String, Bool, Int)] = [], starts: [Int] = [], total = 0
    var width: Int?, image: [Int]?, bytes = true, first = true
    for file in files {
      let path = folder + "/" + file
      let isNPY = file.lowercased().hasSuffix(".npy")
      let count: Int, shardWidth: Int, shardImage: [Int]?
      if isNPY {
        let rows = try NPYRows(path, allowEmpty: true) // closed again at once
        (count, shardWidth, shardImage) = (rows.rows, rows.width, rows.imageShape)
        bytes = bytes && rows.isByteData
      } else {
        // CSV shards are counted now (parsed, then let go) and parsed again when read.
        let table = try CSV.read(path).dataset
        (count, shardWidth, shardImage) = (table.features.rows, table.features.cols, nil)
        bytes = false
      }
      if let width, width != shardWidth { throw DataError("\(path): \(shardWidth) values per row; the folder's first shard has \(width)") }
      if !first, shardImage != image {
        throw DataError("\(path): rows of shape \(shardImage.map { "\($0)" } ?? "(flat)"); the folder's first shard's are \(image.map { "\($0)" } ?? "flat")")
      }
      (width, image, first) = (shardWidth, shardImage, false)
      guard count > 0 else { continue } // an empty partition, as Dask and Spark write them
      starts.append(total)
      let (sum, overflow) = total.addingReportingOverflow(count)
      guard !overflow else { throw DataError("\(folder): too many rows") }
      total = sum
      shards.append((path, isNPY, count))
    }
    guard total > 0 else { throw DataError("\(folder): the shards hold no rows") }
    self.shards = shards
    self.starts = starts
    rows = total
    self.width = width!
    imageShape = image
    isByteData = bytes
  }

  public var runStarts: [Int] { starts }

  public func read(first: Int, count: Int, into out: UnsafeMutablePointer<Float>) throws {
    var row = first, done = 0
    while done < count {
      // The shard holding `row`: the last start at or before it.
      var index = 0
      var low = 0, high = starts.count - 1
      while low <= high {
        let middle = (low + high) / 2
        if starts[middle] <= row { index = middle; low = middle + 1 } else { high = middle - 1 }
      }
      let shard = shards[index], local = row - starts[index], n = min(count - done, shard.rows - local)
      if open?.index != index {
        open = nil // closes the previous shard first
        if shard.isNPY {
          let npy = try NPYRows(shard.path)
          guard npy.rows == shard.rows, npy.width == width else { throw DataError("\(shard.path): the shard changed while it was read") }
          open = (index, npy, nil)
        } else {
          let table = try CSV.read(shard.path).dataset
          guard table.features.rows == shard.rows, table.features.cols == width else {
            throw DataError("\(shard.path): the shard changed while it was read")
          }
          try table.checkFinite()
          open = (index, nil, table.features)
        }
      }
      if let npy = open!.npy {
        try npy.read(first: local, count: n, into: out + done * width)
      } else {
        (out + done * width).update(from: open!.values!.row(local), count: n * width)
      }
      row += n
      done += n
    }
  }
}
