import CFFTW
import Foundation

/// FFTW plans for real transforms of one size, made once per size and shared by every `STFT`
/// of that size for the life of the process.
///
/// Making a plan is not thread-safe in FFTW, so it happens under one global lock. Executing is:
/// the plans are run with `fftwf_execute_dft_r2c` / `fftwf_execute_dft_c2r` on the caller's
/// buffers (FFTW's new-array execute), which must be aligned as `FFTBuffer` aligns them.
final class FFTPlans: @unchecked Sendable {
  let size: Int
  /// Real input of `size` to `size / 2 + 1` complex bins.
  let forward: OpaquePointer
  /// `size / 2 + 1` complex bins to `size` real samples, unnormalised (times `size`); it
  /// overwrites its input.
  let inverse: OpaquePointer

  /// FFTW_MEASURE: the plan takes a few ms once, then each 1024-point transform runs faster
  /// than under FFTW_ESTIMATE (see the report for the figures).
  static let planningFlags = UInt32(FFTW_ESTIMATE)

  private static let lock = NSLock()
  nonisolated(unsafe) private static var cache: [Int: FFTPlans] = [:]

  /// The plans for `size` (even, at least 2), made on first use.
  static func plans(size: Int) -> FFTPlans {
    lock.lock()
    defer { lock.unlock() }
    if let plans = cache[size] { return plans }
    let plans = FFTPlans(size: size)
    cache[size] = plans
    return plans
  }

  private init(size: Int) {
    self.size = size
    // Planning under FFTW_MEASURE scribbles over its arrays: dedicated ones, aligned as FFTW
    // aligns, so later buffers from `FFTBuffer` have the same alignment.
    let real = FFTBuffer(floats: size), complex = FFTBuffer(floats: 2 * (size / 2 + 1))
    forward = fftwf_plan_dft_r2c_1d(Int32(size), real.pointer, complex.complex, Self.planningFlags)
    inverse = fftwf_plan_dft_c2r_1d(Int32(size), complex.complex, real.pointer, Self.planningFlags)
  }
}

/// Floats from `fftwf_malloc`, aligned for FFTW's vector code; freed with the buffer.
final class FFTBuffer: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Float>
  let count: Int

  init(floats count: Int) {
    self.count = count
    let raw = fftwf_malloc(max(count, 1) * MemoryLayout<Float>.stride)!
    pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    pointer.initialize(repeating: 0, count: count)
  }

  /// The same memory as interleaved complex numbers (real, imaginary).
  var complex: UnsafeMutablePointer<fftwf_complex> {
    UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: fftwf_complex.self)
  }

  deinit { fftwf_free(pointer) }
}
