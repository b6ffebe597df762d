#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Write a file under a temporary name beside `path` and rename it into place, so a crash or
/// an error never leaves a half-written file where a good one was expected.
///
/// `body` receives the temporary path and writes the whole file there. `path` must be missing
/// or a regular file (`checkReplaceable`), checked before `body` runs and again just before the
/// rename: a rename would otherwise swap a device, FIFO, socket or symbolic link for a regular
/// file (run as root, `--out /dev/full` replaced the device node). If `body` fails, the
/// temporary file is removed and `path` is left as it was.
public func writeAtomically(to path: String, _ body: (String) throws -> Void) throws {
  try checkReplaceable(path)
  let temporary = temporaryPath(beside: path)
  do {
    try body(temporary)
  } catch {
    unlink(temporary)
    throw error
  }
  try moveIntoPlace(temporary, path)
}

/// A fresh name in `path`'s folder for writing its new content before `moveIntoPlace`
/// (streaming writers, which cannot hand their whole output to `writeAtomically`'s body).
public func temporaryPath(beside path: String) -> String {
  let slash = path.lastIndex(of: "/")
  let directory = slash.map { String(path[..<$0]) } ?? "."
  let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
  return "\(directory.isEmpty ? "/" : directory)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
}

/// Rename the finished `temporary` file to `path`, checked again first (the target may have
/// changed while the file was written); the temporary file is removed on any failure.
public func moveIntoPlace(_ temporary: String, _ path: String) throws {
  do { try checkReplaceable(path) } catch {
    unlink(temporary)
    throw error
  }
  guard rename(temporary, path) == 0 else {
    let reason = String(cString: strerror(errno))
    unlink(temporary)
    throw FileWriteError("\(path): cannot move the finished file into place: \(reason)")
  }
}

/// Throw unless `writeAtomically` may put a new file at `path`: its folder exists, and `path`
/// is missing or a regular file. Anything else is refused, naming what is there: a directory,
/// FIFO, device or socket, and also a symbolic link, whatever it points to, because the rename
/// would replace the link itself rather than write through it (which would surprise either
/// way). Commands call this before long work, so a bad `--out` fails before training.
public func checkReplaceable(_ path: String) throws {
  guard !path.isEmpty else { throw FileWriteError("the output path is empty") }
  guard !path.hasSuffix("/") else { throw FileWriteError("\(path): names a folder; give a file name") }
  var status = stat()
  if lstat(path, &status) == 0 {
    let kind = status.st_mode & S_IFMT
    if kind == S_IFREG { return }
    if kind == S_IFLNK {
      throw FileWriteError("\(path) is a symbolic link; refusing to replace it (write to the file it points to, or remove the link first)")
    }
    throw FileWriteError("\(path) is \(RegularFile.kindName(status.st_mode)); refusing to replace it with a regular file")
  }
  guard errno == ENOENT else {
    throw FileWriteError("\(path): cannot check what is there: \(String(cString: strerror(errno)))")
  }
  let slash = path.lastIndex(of: "/")
  let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
  guard stat(directory, &status) == 0 else {
    throw FileWriteError("\(path): cannot use the folder \(directory): \(String(cString: strerror(errno)))")
  }
  guard status.st_mode & S_IFMT == S_IFDIR else { throw FileWriteError("\(path): \(directory) is not a folder") }
}

/// An atomic write was refused or its final rename failed.
public struct FileWriteError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
