import Foundation
import Tensor

/// OpenBLAS's thread count is one setting for the whole process, and `Trainer` lowers it to 1
/// while it trains a convolutional model (its data-parallel workers take one BLAS thread each).
/// Swift Testing runs tests in parallel, so without care a product in one test runs at another
/// thread count than the same product a moment earlier and rounds differently (a dense model's
/// resumed training then records other validation losses than its straight run), and two
/// convolutional trainings at once read and restore each other's setting.
/// The library promises bit-equality only at one thread count, so tests that train a
/// convolutional model, and tests that compare two of their own computations bit for bit,
/// run inside `BLASThreadCount.exclusive`: none of them overlaps another.
public enum BLASThreadCount {
  private static let lock = NSLock()

  public static func exclusive<T>(_ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }

  /// `exclusive` at one BLAS thread (what `ae --threads 1` computed), restoring the count after.
  public static func exclusiveOne<T>(_ body: () throws -> T) rethrows -> T {
    try exclusive {
      let saved = BLAS.threads
      BLAS.threads = 1
      defer { BLAS.threads = saved }
      return try body()
    }
  }
}
