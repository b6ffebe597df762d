#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a reader may look at to decide whether it claims a source: the text itself, whether
/// something exists at that path, and the first bytes of a regular file there.
public struct DataSourceProbe: Sendable {
  /// How many leading bytes are read for sniffing.
  public static let sniffLength = 512

  /// The source as given (`--data`).
  public let source: String
  /// Whether anything (a file, folder, FIFO...) exists at the path `source`.
  public let exists: Bool
  /// Up to `sniffLength` first bytes of the file, when `source` is a regular file; empty
  /// otherwise. Reading them never blocks: FIFOs and devices are not opened for reading.
  public let leadingBytes: [UInt8]

  /// Look at `source` on disk.
  public init(_ source: String) {
    self.source = source
    var status = stat()
    exists = stat(source, &status) == 0
    leadingBytes = exists && status.st_mode & S_IFMT == S_IFREG ? Self.firstBytes(of: source) : []
  }

  /// Whether the source ends with `suffix`, ignoring case (".npy" claims "X.NPY").
  public func hasSuffix(_ suffix: String) -> Bool { source.lowercased().hasSuffix(suffix.lowercased()) }

  /// Whether the file starts with `magic`.
  public func startsWith(_ magic: [UInt8]) -> Bool { leadingBytes.starts(with: magic) }

  private static func firstBytes(of path: String) -> [UInt8] {
    // O_NONBLOCK: if the path was swapped for a FIFO since stat, opening must not wait.
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return [] }
    var bytes = [UInt8](repeating: 0, count: sniffLength)
    let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, sniffLength) }
    return got > 0 ? Array(bytes.prefix(got)) : []
  }
}
