#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Write a file under a temporary name beside `path` and rename it into place, so a crash or
/// an error never leaves a half-written file where a good one was expected.
///
/// `body` receives the temporary path and writes the whole file there.
public func writeAtomically(to path: String, _ body: (String) throws -> Void) throws {
  let slash = path.lastIndex(of: "/")
  let directory = slash.map { String(path[..<$0]) } ?? "."
  let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
  let temporary = "\(directory.isEmpty ? "/" : directory)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
  do {
    try body(temporary)
  } catch {
    unlink(temporary)
    throw error
  }
  guard rename(temporary, path) == 0 else {
    let reason = String(cString: strerror(errno))
    unlink(temporary)
    throw FileWriteError("\(path): cannot move the finished file into place: \(reason)")
  }
}

/// The final rename of an atomic write failed.
public struct FileWriteError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
