import Foundation

/// How close two float32 results must be when the library does not promise them bit for bit.
///
/// OpenBLAS picks its kernels (and how it splits the work among threads) by matrix shape, CPU
/// and thread count, and each choice rounds differently: a row computed in a batch of 256 may
/// differ in its last bits from the same row in a batch of 500, a pass of 2 rows or a run with
/// another number of BLAS threads. The library promises bit-equality only for the same call
/// shape and thread count (see "Thread safety" in include/autoencoder.h); elsewhere tests use
/// this tolerance: relative 1e-5 (about 80 float32 ulps, far above a few roundings, far below
/// any real error), with an absolute floor of 1e-6 for values near zero, whose relative
/// rounding error can be large.
public enum Float32Tolerance {
  public static let relative = 1e-5
  public static let absolute = 1e-6

  /// Whether `a` and `b` agree within the tolerance.
  public static func close(_ a: Double, _ b: Double) -> Bool {
    abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))
  }

  /// The index and values of the first element pair of `a` and `b` that does not agree, or nil
  /// when all do (arrays of different lengths never agree).
  public static func firstMismatch(_ a: [Float], _ b: [Float]) -> (index: Int, a: Float, b: Float)? {
    guard a.count == b.count else { return (min(a.count, b.count), .nan, .nan) }
    for i in a.indices where !close(Double(a[i]), Double(b[i])) { return (i, a[i], b[i]) }
    return nil
  }
}
