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
  /// Where a new contiguous run of rows starts (shard boundaries): shuffling keeps these
  /// runs whole and shuffles their order.
  var runStarts: [Int] { get }
}

public enum RowSources {
  /// `spec`: a .npy file, or a folder of .npy/.csv shards.
  public static func open(_ spec: String) throws -> RowSource {
    if spec.contains(".h5:") || spec.contains(".hdf5:") {
      throw DataError("\(spec): HDF5 datasets are not streamed yet; save the rows as .npy (np.save, or h5py's dataset[...] in blocks into np.lib.format.open_memmap)")
    }
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: spec, isDirectory: &isFolder), isFolder.boolValue {
      return try ShardFolder(spec)
    }
    guard spec.lowercased().hasSuffix(".npy") else {
      throw DataError("\(spec): streamed data (--stream) is a .npy file, a folder of .npy or .csv shards, or FILE.h5:/dataset")
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

  public init(_ path: String) throws {
    let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw DataError("\(path): cannot open the file: \(String(cString: strerror(errno)))") }
    do {
      header = try Self.checkedHeader(fd, path)
    } catch {
      Glibc.close(fd) // every check comes before the object is whole: deinit does not run
      throw error
    }
    name = path
    self.fd = fd
  }

  private static func checkedHeader(_ fd: Int32, _ path: String) throws -> NPY.Header {
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
      throw DataError("\(path): truncated: shape \(header.shape) needs \(header.dataBytes) bytes of data, the file has \(available)")
    }
    guard header.rows > 0, header.width > 0 else { throw DataError("\(path): no rows") }
    return header
  }

  deinit { Glibc.close(fd) }

  public var rows: Int { header.rows }
  public var width: Int { header.width }
  public var imageShape: [Int]? { header.imageShape }
  public var isByteData: Bool { header.itemSize == 1 }
  public var runStarts: [Int] { [0] }

  public func read(first: Int, count: Int, into out: UnsafeMutablePointer<Float>) throws {
    precondition(first >= 0 && count >= 0 && first + count <= rows, "rows \(first)..<\(first + count) of \(rows)")
    let bytes = count * width * header.itemSize
    if scratch.count < bytes { scratch = [UInt8](repeating: 0, count: bytes) }
    var done = 0
    let offset = header.dataOffset + first * width * header.itemSize
    try scratch.withUnsafeMutableBytes { buffer in
      while done < bytes {
        let got = pread(fd, buffer.baseAddress! + done, bytes - done, off_t(offset + done))
        if got < 0 && errno == EINTR { continue }
        guard got > 0 else { throw DataError("\(name): read error or the file shrank at byte \(offset + done)") }
        done += got
      }
      NPY.convert(buffer.baseAddress!, itemSize: header.itemSize, count: count * width, into: out)
    }
    try RowSources.checkFinite(out, rows: count, width: width, first: first, name: name)
  }
}

/// A folder of .npy and .csv files, in name order, as one table: every shard has the same
/// width. NPY shards are read in blocks; a CSV shard is parsed whole when one of its rows is
/// wanted, and only the last one parsed is kept.
public final class ShardFolder: RowSource {
  public let name: String
  let shards: [(path: String, npy: NPYRows?, rows: Int)]
  let starts: [Int]
  public let rows: Int
  public let width: Int
  public let imageShape: [Int]?
  public let isByteData: Bool
  private var parsed: (index: Int, values: Tensor)?

  public init(_ folder: String) throws {
    name = folder
    let names: [String]
    do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
      throw DataError("\(folder): cannot list the folder: \(error.localizedDescription)")
    }
    let files = names.filter { $0.lowercased().hasSuffix(".npy") || $0.lowercased().hasSuffix(".csv") }.sorted()
    guard !files.isEmpty else { throw DataError("\(folder): no .npy or .csv shards in the folder") }
    var shards: [(String, NPYRows?, Int)] = [], starts: [Int] = [], total = 0
    var width: Int?, image: [Int]?, bytes = true
    for file in files {
      let path = folder + "/" + file
      let npy: NPYRows?, count: Int, shardWidth: Int
      if file.lowercased().hasSuffix(".npy") {
        let rows = try NPYRows(path)
        (npy, count, shardWidth) = (rows, rows.rows, rows.width)
        image = image ?? rows.imageShape
        bytes = bytes && rows.isByteData
      } else {
        // CSV shards are counted now (parsed, then let go) and parsed again when read.
        let table = try CSV.read(path).dataset
        (npy, count, shardWidth) = (nil, table.features.rows, table.features.cols)
        bytes = false
      }
      if let width, width != shardWidth { throw DataError("\(path): \(shardWidth) values per row; the folder's first shard has \(width)") }
      width = shardWidth
      starts.append(total)
      let (sum, overflow) = total.addingReportingOverflow(count)
      guard !overflow else { throw DataError("\(folder): too many rows") }
      total = sum
      shards.append((path, npy, count))
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
      if let npy = shard.npy {
        try npy.read(first: local, count: n, into: out + done * width)
      } else {
        if parsed?.index != index {
          let table = try CSV.read(shard.path).dataset
          guard table.features.rows == shard.rows, table.features.cols == width else {
            throw DataError("\(shard.path): the shard changed while it was read")
          }
          try table.checkFinite()
          parsed = (index, table.features)
        }
        (out + done * width).update(from: parsed!.values.row(local), count: n * width)
      }
      row += n
      done += n
    }
  }
}
