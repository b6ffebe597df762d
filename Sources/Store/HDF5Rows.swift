#if canImport(Glibc)
import Glibc
#endif
import CShims
import Models

/// Rows of one numeric dataset in an HDF5 data file, `file.h5:/group/rows` (rows along the
/// first axis), read in blocks from disk: data files may be far larger than memory, where model
/// files are read into memory whole. `ae` runs this in a reader process of its own
/// (HDF5RowReader), for `ae train --stream` and every other `--data`.
///
/// The file is hostile input. It is opened here (a regular file only) and libhdf5 parses its
/// metadata through that descriptor: the way to the dataset (plain groups), its type and shape,
/// where its values are (CShims/hdf5_rows.c). The values themselves are read here with pread,
/// and chunks are undone here (`HDF5Filters`) into exactly their size: a file that shrank, a
/// chunk stored short or inflating without end, a skipped filter, all give an error.
public final class HDF5Rows {
  /// "file.h5:/path" as given.
  public let name: String
  /// The dataset's shape: rows first.
  public let shape: [Int]
  /// Whether the values are bytes (pixels: `unit` scaling divides by 255, as for .npy).
  public let isByteData: Bool
  private let path: String
  private let descriptor: Int32
  private let file: Int64
  private let dataset: Int64
  private let storage: aeh5_storage
  private let itemSize: Int
  private let pipeline: [aeh5_filter]
  /// A chunked dataset's chunk shape (rows first).
  private let chunkShape: [Int]
  /// The last chunk decoded, by its coordinates (blocks of rows read in turn reuse it).
  private var cachedChunk: (coordinates: [Int], bytes: [UInt8])?
  private var scratch: [UInt8] = []
  /// The file's size when opened (libhdf5 checked then that it holds all it declares).
  private let openedSize: Int

  /// Chunks larger than this are refused: a chunk is decoded whole to read any row of it.
  public static let maximumChunkBytes = 16 << 20

  /// The file and dataset of "file.h5:/path" (also .hdf5, any case), or nil for other data.
  public static func split(_ spec: String) -> (file: String, dataset: String)? {
    let lower = spec.lowercased()
    for suffix in [".h5:", ".hdf5:"] {
      if let range = lower.range(of: suffix) {
        let end = spec.index(spec.startIndex, offsetBy: lower.distance(from: lower.startIndex, to: range.upperBound))
        return (String(spec[..<spec.index(before: end)]), String(spec[end...]))
      }
    }
    return nil
  }

  public init(_ spec: String) throws {
    guard let (path, datasetPath) = Self.split(spec) else {
      throw StoreError("\(spec): not an HDF5 dataset; write file.h5:/group/dataset")
    }
    name = spec
    self.path = path
    let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw StoreError("\(path): cannot open the file: \(String(cString: strerror(errno)))", kind: .io) }
    var file: Int64 = -1, dataset: Int64 = -1
    var storage = aeh5_storage()
    var status = stat()
    do {
      guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
        throw StoreError("\(path): not a regular file; only regular files are read", kind: .io)
      }
      try Self.checkSignature(fd, path, size: Int(status.st_size))
      file = aeh5_file_open_disk("/proc/self/fd/\(fd)")
      guard file >= 0 else { throw StoreError("\(path): " + Self.lastMessage().replacingOccurrences(of: "/proc/self/fd/\(fd)", with: path)) }
      dataset = aeh5_rows_open(file, datasetPath, Self.maximumChunkBytes, &storage)
      guard dataset >= 0 else { throw StoreError("\(spec): " + Self.lastMessage()) }
    } catch {
      if dataset >= 0 { _ = aeh5_rows_close(dataset) }
      if file >= 0 { _ = aeh5_file_close(file) }
      Glibc.close(fd)
      throw error
    }
    descriptor = fd
    openedSize = Int(status.st_size)
    self.file = file
    self.dataset = dataset
    self.storage = storage
    let shape = withUnsafeBytes(of: storage.dims) { Array($0.bindMemory(to: UInt64.self).prefix(Int(storage.rank))) }.map { Int(clamping: $0) }
    self.shape = shape
    itemSize = [AEH5_FLOAT32.rawValue: 4, AEH5_FLOAT64.rawValue: 8, AEH5_INT32.rawValue: 4, AEH5_INT64.rawValue: 8, AEH5_UINT8.rawValue: 1][UInt32(storage.kind)] ?? 0
    chunkShape = withUnsafeBytes(of: storage.chunk) { Array($0.bindMemory(to: UInt64.self).prefix(Int(storage.rank))) }.map { Int(clamping: $0) }
    pipeline = withUnsafeBytes(of: storage.filters) { Array($0.bindMemory(to: Int32.self).prefix(Int(storage.filter_count))) }.map { aeh5_filter(UInt32($0)) }
    isByteData = storage.kind == Int32(AEH5_UINT8.rawValue)
    guard shape[0] <= 1 << 40, shape.dropFirst().allSatisfy({ $0 > 0 }),
          ModelSpec.checkedProduct(Array(shape.dropFirst()), limit: 1 << 31) != nil else {
      throw StoreError("\(spec): shape \(shape) is not rows of 1 to 2^31 values")
    }
    // Where the last contiguous value would lie, in a byte offset pread takes (the file's
    // numbers are 64-bit unsigned: a crafted address or size must not wrap).
    if storage.layout == Int32(AEH5_CONTIGUOUS.rawValue) {
      let bytes = ModelSpec.checkedProduct([itemSize] + shape, limit: Int.max)
      guard let bytes, storage.address < UInt64(Int64.max), bytes <= Int.max - Int(storage.address) else {
        throw StoreError("\(spec): its values would lie beyond any file (at byte \(storage.address), \(shape) values)")
      }
    }
  }

  deinit {
    _ = aeh5_rows_close(dataset)
    _ = aeh5_file_close(file)
    Glibc.close(descriptor)
  }

  public var rows: Int { shape[0] }
  public var width: Int { shape.dropFirst().reduce(1, *) }
  /// (height, width, channels) for a dataset of images: (rows, h, w) or (rows, h, w, c).
  public var imageShape: [Int]? { Self.imageShape(of: shape) }

  /// The image shape of rows stored as `shape` (rows first), as for .npy: nil for (rows, values).
  public static func imageShape(of shape: [Int]) -> [Int]? {
    shape.count == 2 ? nil : Array(shape[1...]) + (shape.count == 3 ? [1] : [])
  }

  /// Rows `first ..< first + count` into `out` (count x width floats). Throws for a read error,
  /// a damaged chunk, or a value that is not finite.
  public func read(first: Int, count: Int, into out: UnsafeMutablePointer<Float>) throws {
    guard first >= 0, count >= 0, first <= rows - count else {
      throw StoreError("\(name): rows \(first)..<\(first + count) asked of \(rows)")
    }
    guard count > 0 else { return }
    do {
      switch Int(storage.layout) {
      case Int(AEH5_CONTIGUOUS.rawValue): try readContiguous(first: first, count: count, into: out)
      case Int(AEH5_CHUNKED.rawValue): try readChunked(first: first, count: count, into: out)
      default:
        guard aeh5_rows_read(dataset, UInt64(first), UInt64(count), out) >= 0 else { throw StoreError(Self.lastMessage(), kind: .io) }
      }
    } catch let error as HDF5Filters.Refused {
      throw StoreError("\(name): \(error.description)")
    } catch let error as StoreError {
      throw StoreError("\(name): \(error.description)", kind: error.kind)
    }
    for i in 0..<(count * width) where !out[i].isFinite {
      throw StoreError("\(name): row \(first + i / width), column \(i % width) is \(out[i]); values must be finite")
    }
  }

  /// Values stored in one run: pread in pieces of at most 1 MiB, converted as they come.
  private func readContiguous(first: Int, count: Int, into out: UnsafeMutablePointer<Float>) throws {
    let rowBytes = width * itemSize, rowsPerPiece = max(1, (1 << 20) / rowBytes)
    var row = 0
    while row < count {
      let n = min(rowsPerPiece, count - row)
      let offset = Int(storage.address) + (first + row) * rowBytes
      try readFully(at: offset, count: n * rowBytes)
      scratch.withUnsafeBytes { convert($0.baseAddress!, count: n * width, into: out + row * width) }
      row += n
    }
  }

  /// Rows gathered from every chunk they cross, each chunk decoded whole (and kept for the
  /// next read): runs along the last axis copied into place, axis by axis.
  private func readChunked(first: Int, count: Int, into out: UnsafeMutablePointer<Float>) throws {
    let rank = shape.count, chunk = chunkShape
    let grid = (1..<rank).map { (shape[$0] + chunk[$0] - 1) / chunk[$0] }
    var rowStride = [Int](repeating: 1, count: rank) // values per step along each axis, within a row
    for axis in stride(from: rank - 2, through: 1, by: -1) { rowStride[axis] = rowStride[axis + 1] * shape[axis + 1] }
    for chunkRow in (first / chunk[0])...((first + count - 1) / chunk[0]) {
      var tile = [Int](repeating: 0, count: rank - 1) // chunk indices along axes 1 ..< rank
      repeat {
        let corner = [chunkRow * chunk[0]] + tile.enumerated().map { $1 * chunk[$0 + 1] }
        let bytes = try decodedChunk(at: corner)
        let extent = (0..<rank).map { min(chunk[$0], shape[$0] - corner[$0]) } // the part inside the dataset
        let run = extent[rank - 1]
        bytes.withUnsafeBytes { raw in
          for y in max(first, corner[0])..<min(first + count, corner[0] + extent[0]) {
            var local = [Int](repeating: 0, count: rank) // position inside the chunk
            local[0] = y - corner[0]
            repeat {
              var source = 0, target = 0
              for axis in 0..<rank {
                source = source * chunk[axis] + local[axis]
                if axis > 0 { target += (corner[axis] + local[axis]) * rowStride[axis] }
              }
              convert(raw.baseAddress! + source * itemSize, count: run, into: out + (y - first) * width + target)
            } while Self.advance(&local, within: extent, from: 1, to: rank - 1)
          }
        }
      } while Self.advance(&tile, within: grid, from: 0, to: rank - 1)
    }
  }

  /// The next position of an odometer over axes from ..< to (the fastest last); false after the last.
  private static func advance(_ index: inout [Int], within limits: [Int], from: Int, to: Int) -> Bool {
    var axis = to - 1
    while axis >= from {
      index[axis] += 1
      if index[axis] < limits[axis] { return true }
      index[axis] = 0
      axis -= 1
    }
    return false
  }

  /// The chunk whose first value is at `corner`, decoded: its stored bytes as libhdf5's index
  /// places them (read raw, no filter undone), its filters undone here into exactly its size.
  private func decodedChunk(at corner: [Int]) throws -> [UInt8] {
    if let cachedChunk, cachedChunk.coordinates == corner { return cachedChunk.bytes }
    try checkSize()
    var coordinates = [UInt64](repeating: 0, count: Int(AEH5_MAX_RANK))
    for (axis, value) in corner.enumerated() { coordinates[axis] = UInt64(value) }
    // Deflate can grow incompressible data by a few bytes per 16 KiB; Fletcher-32 adds 4.
    let chunkBytes = chunkShape.reduce(itemSize, *), capacity = chunkBytes + chunkBytes / 100 + 68
    if scratch.count < capacity { scratch = [UInt8](repeating: 0, count: capacity) }
    var size: UInt64 = 0, mask: UInt32 = 0
    let status = scratch.withUnsafeMutableBytes { aeh5_chunk_read(dataset, coordinates, capacity, $0.baseAddress!, &size, &mask) }
    guard status >= 0 else { throw StoreError(Self.lastMessage()) }
    // H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS: an edge chunk (past the dataset's end on some axis)
    // is stored as it is, its mask still 0.
    if storage.unfiltered_edges != 0 && corner.indices.contains(where: { corner[$0] + chunkShape[$0] > shape[$0] }) { mask = ~0 }
    let bytes = try HDF5Filters.decode(Array(scratch.prefix(Int(size))), pipeline: pipeline, mask: mask,
                                       chunkBytes: chunkBytes, itemSize: itemSize)
    cachedChunk = (corner, bytes)
    return bytes
  }

  /// A file that shrank since it was opened: libhdf5 reads past its end as zeros.
  private func checkSize() throws {
    var status = stat()
    guard fstat(descriptor, &status) == 0, Int(status.st_size) >= openedSize else {
      throw StoreError("\(path) ends before byte \(openedSize) (read error, or the file was truncated)", kind: .io)
    }
  }

  /// `count` bytes at `offset` into `scratch`; a short read means the file ends too soon.
  private func readFully(at offset: Int, count: Int) throws {
    if scratch.count < count { scratch = [UInt8](repeating: 0, count: count) }
    var done = 0
    try scratch.withUnsafeMutableBytes { buffer in
      while done < count {
        let got = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
        if got < 0 && errno == EINTR { continue }
        guard got > 0 else {
          throw StoreError("\(path) ends before byte \(offset + count) (read error, or the file was truncated)", kind: .io)
        }
        done += got
      }
    }
  }

  /// Stored values (their kind and byte order) as floats.
  private func convert(_ from: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Float>) {
    let swap = storage.big_endian != 0
    switch UInt32(storage.kind) {
    case AEH5_UINT8.rawValue:
      for i in 0..<count { out[i] = Float(from.load(fromByteOffset: i, as: UInt8.self)) }
    case AEH5_FLOAT32.rawValue:
      for i in 0..<count {
        let bits = from.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
        out[i] = Float(bitPattern: swap ? bits.byteSwapped : bits)
      }
    case AEH5_FLOAT64.rawValue:
      for i in 0..<count {
        let bits = from.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
        out[i] = Float(Double(bitPattern: swap ? bits.byteSwapped : bits))
      }
    case AEH5_INT32.rawValue:
      for i in 0..<count {
        let bits = from.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)
        out[i] = Float(swap ? bits.byteSwapped : bits)
      }
    default: // AEH5_INT64
      for i in 0..<count {
        let bits = from.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)
        out[i] = Float(swap ? bits.byteSwapped : bits)
      }
    }
  }

  /// HDF5's signature at 0, 512, 1024, 2048, ... (where libhdf5 looks: after a user block of
  /// any power-of-two size): a clear message for a file that is not HDF5, before libhdf5 sees it.
  private static func checkSignature(_ fd: Int32, _ path: String, size: Int) throws {
    var offset = 0, head = [UInt8](repeating: 0, count: 8)
    while offset + 8 <= size {
      let got = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, 8, off_t(offset)) }
      if got == 8 && head == HDF5Group.signature { return }
      offset = offset == 0 ? 512 : offset * 2
    }
    throw StoreError("\(path): not an HDF5 file (no HDF5 signature)")
  }

  private static func lastMessage() -> String { String(cString: aeh5_last_error()) }
}
