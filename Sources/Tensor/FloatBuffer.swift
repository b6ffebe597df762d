#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Float storage whose allocation may fail without ending the process: `UnsafeMutablePointer
/// .allocate` traps when malloc fails, which a library serving a C host must never do.
/// Frees its memory when the last reference goes.
public final class FloatBuffer: @unchecked Sendable {
  /// The values (uninitialized until written).
  public let pointer: UnsafeMutablePointer<Float>
  public let count: Int

  /// Room for `count` floats, or `AllocationError` naming `what` when memory runs out (or
  /// `count` is negative or its byte size overflows).
  public init(count: Int, for what: String) throws {
    let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
    guard count >= 0, !overflow, let memory = malloc(bytes) else {
      throw AllocationError("out of memory: cannot allocate \(count) floats for \(what)")
    }
    pointer = memory.bindMemory(to: Float.self, capacity: max(count, 1))
    self.count = count
  }

  deinit { free(pointer) }
}

/// An allocation failed; the message says how much, and for what.
public struct AllocationError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
