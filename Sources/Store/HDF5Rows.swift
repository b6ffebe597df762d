#if canImport(Glibc)
import Glibc
#endif
import CShims
import Models

/// Rows of one numeric dataset in an HDF5 data file, `file.h5:/group/rows` (rows along the
/// first axis), read in blocks from disk: data files may be far larger than memory, where model
/// files are read into memory whole. `ae train --stream` streams them; the other commands that
/// take `--data` read them whole (or one shard's rows).
///
/// The file is hostile input: it is opened here (a regular file only) and libhdf5 reads it
/// through that descriptor, so the file read is the file checked; the way to the dataset must
/// be plain groups, and the dataset is audited as model files' datasets are (values stored
/// inside the file and fully written, built-in filters only, chunks of at most 16 MiB). See
/// CShims/hdf5_rows.c for why a fixed-size numeric dataset needs no global-heap check.
public final class HDF5Rows {
  /// "file.h5:/path" as given.
  public let name: String
  /// The dataset's shape: rows first.
  public let shape: [Int]
  /// Whether the values are bytes (pixels: `unit` scaling divides by 255, as for .npy).
  public let isByteData: Bool
  private let descriptor: Int32
  private let file: Int64
  private let dataset: Int64

  /// Chunks larger than this are refused: libhdf5 decompresses a whole chunk to read any row
  /// of it, and keeps one in its cache, so this bounds the memory a crafted file can ask for.
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
    let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw StoreError("\(path): cannot open the file: \(String(cString: strerror(errno)))", kind: .io) }
    var file: Int64 = -1, dataset: Int64 = -1
    do {
      var status = stat()
      guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
        throw StoreError("\(path): not a regular file; only regular files are read", kind: .io)
      }
      try Self.checkSignature(fd, path)
      file = aeh5_file_open_disk("/proc/self/fd/\(fd)")
      guard file >= 0 else { throw StoreError("\(path): " + Self.lastMessage()) }
      var kind: Int32 = 0, rank: Int32 = 0
      var dims = [UInt64](repeating: 0, count: Int(AEH5_MAX_RANK))
      dataset = aeh5_rows_open(file, datasetPath, Self.maximumChunkBytes, &kind, &rank, &dims)
      guard dataset >= 0 else { throw StoreError("\(spec): " + Self.lastMessage()) }
      let shape = dims.prefix(Int(rank)).map { Int(clamping: $0) }
      guard shape[0] <= 1 << 40, shape.dropFirst().allSatisfy({ $0 > 0 }),
            ModelSpec.checkedProduct(Array(shape.dropFirst()), limit: 1 << 31) != nil else {
        throw StoreError("\(spec): shape \(shape) is not rows of 1 to 2^31 values")
      }
      self.shape = shape
      isByteData = kind == Int32(AEH5_UINT8.rawValue)
    } catch {
      if dataset >= 0 { _ = aeh5_rows_close(dataset) }
      if file >= 0 { _ = aeh5_file_close(file) }
      Glibc.close(fd)
      throw error
    }
    descriptor = fd
    self.file = file
    self.dataset = dataset
  }

  deinit {
    _ = aeh5_rows_close(dataset)
    _ = aeh5_file_close(file)
    Glibc.close(descriptor)
  }

  public var rows: Int { shape[0] }
  public var width: Int { shape.dropFirst().reduce(1, *) }
  /// (height, width, channels) for a dataset of images: (rows, h, w) or (rows, h, w, c).
  public var imageShape: [Int]? { shape.count == 2 ? nil : Array(shape[1...]) + (shape.count == 3 ? [1] : []) }

  /// Rows `first ..< first + count` into `out` (count x width floats). Throws for a read error
  /// or a value that is not finite.
  public func read(first: Int, count: Int, into out: UnsafeMutablePointer<Float>) throws {
    guard first >= 0, count >= 0, first <= rows - count else {
      throw StoreError("\(name): rows \(first)..<\(first + count) asked of \(rows)")
    }
    guard aeh5_rows_read(dataset, UInt64(first), UInt64(count), out) >= 0 else {
      throw StoreError("\(name): " + Self.lastMessage(), kind: .io)
    }
    for i in 0..<(count * width) where !out[i].isFinite {
      throw StoreError("\(name): row \(first + i / width), column \(i % width) is \(out[i]); values must be finite")
    }
  }

  /// HDF5's signature at 0, 512, 1024, ... (where libhdf5 looks), within the first MiB: a
  /// clear message for a file that is not HDF5, before libhdf5 sees it.
  private static func checkSignature(_ fd: Int32, _ path: String) throws {
    var head = [UInt8](repeating: 0, count: 1 << 20)
    let got = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
    guard got > 8, head.withUnsafeBytes({ HDF5Group.hasSignature(UnsafeRawBufferPointer(rebasing: $0[..<got])) }) else {
      throw StoreError("\(path): not an HDF5 file (no HDF5 signature)")
    }
  }

  private static func lastMessage() -> String { String(cString: aeh5_last_error()) }
}
