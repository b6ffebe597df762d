#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Float storage whose allocation may fail without ending the process: `UnsafeMutablePointer
/// .allocate` traps when malloc fails, which a library serving a C host must never do.
/// Cache-line aligned; frees its memory when the last reference goes.
public final class FloatBuffer: @unchecked Sendable {
  /// The values (uninitialized until written).
  public let pointer: UnsafeMutablePointer<Float>
  public let count: Int

  /// Room for `count` floats, or `AllocationError` naming `what`: when the size overflows,
  /// when it exceeds this machine's physical memory (an allocation that could only succeed
  /// by overcommitting, to be killed later when the pages are touched), or when malloc fails.
  public init(count: Int, for what: String) throws {
    let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
    guard count >= 0, !overflow else {
      throw AllocationError("\(count) floats for \(what) do not fit in the address space", isOverflow: true)
    }
    if let physical = FloatBuffer.physicalMemory, bytes > physical {
      throw AllocationError("\(what) needs \(bytes) bytes, more than this machine's physical memory (\(physical) bytes)")
    }
    var raw: UnsafeMutableRawPointer?
    guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
      throw AllocationError("out of memory: cannot allocate \(bytes) bytes for \(what)")
    }
    pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    self.count = count
  }

  deinit { free(pointer) }

  /// Bytes of physical memory, or nil where that is unknown.
  public static let physicalMemory: Int? = {
    #if canImport(Glibc)
    let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
    guard pages > 0, size > 0 else { return nil }
    let (bytes, overflow) = pages.multipliedReportingOverflow(by: size)
    return overflow ? nil : bytes
    #else
    return nil
    #endif
  }()
}

/// An allocation failed or was refused; the message says how much, and for what.
/// `isOverflow`: the size itself did not fit (the C ABI's AE_ERROR_OVERFLOW), otherwise
/// memory ran out or would have (AE_ERROR_OUT_OF_MEMORY).
public struct AllocationError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public let isOverflow: Bool
  public init(_ description: String, isOverflow: Bool = false) {
    self.description = description
    self.isOverflow = isOverflow
  }
}
