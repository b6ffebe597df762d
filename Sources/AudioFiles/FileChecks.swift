#if canImport(Glibc)
import Glibc
#endif

/// Checks on the paths the sound files are read from and written to, made before libsndfile
/// touches them: opening a FIFO would wait for a writer, and a rename over a device or a
/// directory would replace it.
enum FileChecks {
  /// What is at `status`, in words, for messages.
  static func kindName(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFDIR: return "a directory"
    case S_IFIFO: return "a FIFO (named pipe)"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFSOCK: return "a socket"
    case S_IFLNK: return "a symbolic link"
    default: return "not a regular file"
    }
  }

  static func systemError() -> String { String(cString: strerror(errno)) }

  /// A descriptor open for reading on the regular file at `path`; the caller closes it.
  /// The path is checked with stat first, and the descriptor again with fstat (the file may
  /// have been swapped in between); O_NONBLOCK keeps even that window from blocking on a FIFO.
  static func openRegularFile(_ path: String) throws -> Int32 {
    var status = stat()
    guard stat(path, &status) == 0 else {
      if errno == ENOENT { throw AudioFileError("\(path): no such file") }
      throw AudioFileError("\(path): cannot read the file: \(systemError())")
    }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw AudioFileError("\(path) is \(kindName(status.st_mode)), not a sound file; give a regular file")
    }
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else { throw AudioFileError("\(path): cannot open the file: \(systemError())") }
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
      close(descriptor)
      throw AudioFileError("\(path) is not a regular file (it changed while it was opened); give a regular file")
    }
    return descriptor
  }

  /// Throw unless a new file may be renamed into `path`: its folder exists, and `path` is
  /// missing or a regular file (never a directory, FIFO, device, socket or symbolic link).
  static func checkReplaceable(_ path: String) throws {
    guard !path.isEmpty, !path.hasSuffix("/") else {
      throw AudioFileError("'\(path)' names no file; give a file name ending in .wav or .flac")
    }
    var status = stat()
    if lstat(path, &status) == 0 {
      guard status.st_mode & S_IFMT == S_IFREG else {
        throw AudioFileError("\(path) is \(kindName(status.st_mode)); refusing to replace it with a sound file")
      }
      return
    }
    guard errno == ENOENT else { throw AudioFileError("\(path): cannot check what is there: \(systemError())") }
    let folder = directory(of: path)
    guard stat(folder, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
      throw AudioFileError("\(path): the folder \(folder) does not exist")
    }
  }

  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// A fresh hidden name beside `path` for writing before the rename.
  static func temporaryPath(beside path: String) -> String {
    let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    return "\(directory(of: path))/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
  }
}
