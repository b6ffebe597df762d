#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a whole file that may have been handed to us by an attacker: only a regular file
/// (a FIFO would block forever, a device like /dev/zero never ends), no larger than a limit,
/// read once through one descriptor (so what is checked is what is read).
public enum RegularFile {
  /// Why a file could not be read.
  public struct ReadError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
  }

  /// The bytes of the regular file at `path`, at most `limit` of them.
  public static func read(_ path: String, limit: Int) throws -> [UInt8] {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw ReadError("\(path): cannot open the file: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0 else { throw ReadError("\(path): cannot stat the file: \(String(cString: strerror(errno)))") }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw ReadError("\(path): not a regular file (\(kindName(status.st_mode))); only regular files are read")
    }
    let size = Int(status.st_size)
    guard size <= limit else { throw ReadError("\(path): the file is \(size) bytes; at most \(limit) are read") }
    var bytes = [UInt8](repeating: 0, count: size)
    var done = 0
    try bytes.withUnsafeMutableBytes { buffer in
      while done < size {
        let got = Glibc.read(fd, buffer.baseAddress! + done, min(size - done, 1 << 30))
        if got < 0 && errno == EINTR { continue }
        guard got >= 0 else { throw ReadError("\(path): read error: \(String(cString: strerror(errno)))") }
        guard got > 0 else { throw ReadError("\(path): the file shrank while it was read (\(done) of \(size) bytes)") }
        done += got
      }
    }
    var extra: UInt8 = 0
    guard Glibc.read(fd, &extra, 1) == 0 else { throw ReadError("\(path): the file grew while it was read") }
    return bytes
  }

  /// Throw unless `path` names a regular file, for readers that open the path themselves.
  public static func requireRegular(_ path: String) throws {
    var status = stat()
    guard stat(path, &status) == 0 else { throw ReadError("\(path): cannot open the file: \(String(cString: strerror(errno)))") }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw ReadError("\(path): not a regular file (\(kindName(status.st_mode))); only regular files are read")
    }
  }

  static func kindName(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFDIR: "a directory"
    case S_IFIFO: "a FIFO"
    case S_IFCHR: "a character device"
    case S_IFBLK: "a block device"
    case S_IFSOCK: "a socket"
    default: "not a regular file"
    }
  }
}
