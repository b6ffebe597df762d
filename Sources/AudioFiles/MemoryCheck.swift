#if canImport(Glibc)
import Glibc
#endif

/// A check made before building a large array of samples: a Swift array that cannot get its
/// memory stops the process, where this throws a clear error instead.
public enum MemoryCheck {
  /// Throw unless `count` floats can be allocated now: mapped, then unmapped (mmap rather
  /// than malloc, whose unused result the optimizer may remove with the check).
  /// `what` names them in the message ("path: the 2000000000 samples it holds").
  public static func floats(_ count: Int, for what: String) throws {
    let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
    let probe = count >= 0 && !overflow ? mmap(nil, max(bytes, 1), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : MAP_FAILED
    guard let probe, probe != MAP_FAILED else {
      throw AudioFileError("\(what) need \(count / 250_000) MB, more memory than can be allocated; use a shorter sound")
    }
    munmap(probe, max(bytes, 1))
  }
}
