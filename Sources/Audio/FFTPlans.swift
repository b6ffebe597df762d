import CFFTW
import Synchronization

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
  /// `size` complex bins to `size` complex samples, unnormalised (times `size`), out of place:
  /// two real signals' inverses at once, one in the real parts and one in the imaginary
  /// parts (Griffin-Lim's frames in pairs; see `GriffinLim.inversePairs`).
  let complexInverse: OpaquePointer

  /// FFTW_ESTIMATE, measured against FFTW_MEASURE on `ae audio griffinlim` of 10 s at 16 kHz:
  /// MEASURE's plans ran Griffin-Lim about 15% faster (0.13 s against 0.15 s) but took 0.8 s
  /// to make for the three sizes the metrics use, and they are chosen by timing, so results
  /// changed in their last bits from run to run. ESTIMATE's are made at once and the same in
  /// every run: a seed gives the same sound every time.
  static let planningFlags = UInt32(FFTW_ESTIMATE)

  private static let cache = Mutex<[Int: FFTPlans]>([:])

  /// The plans for `size` (even, at least 2), made on first use.
  static func plans(size: Int) -> FFTPlans {
    cache.withLock { cache in
      if let plans = cache[size] { return plans }
      let plans = FFTPlans(size: size)
      cache[size] = plans
      return plans
    }
  }

  private init(size: Int) {
    self.size = size
    // Dedicated arrays (planning may scribble over them), aligned as FFTW aligns, so later
    // buffers from `FFTBuffer` have the same alignment.
    let real = FFTBuffer(floats: size), complex = FFTBuffer(floats: 2 * (size / 2 + 1))
    forward = fftwf_plan_dft_r2c_1d(Int32(size), real.pointer, complex.complex, Self.planningFlags)
    inverse = fftwf_plan_dft_c2r_1d(Int32(size), complex.complex, real.pointer, Self.planningFlags)
    let pairs = FFTBuffer(floats: 2 * size), samples = FFTBuffer(floats: 2 * size)
    complexInverse = fftwf_plan_dft_1d(Int32(size), pairs.complex, samples.complex, FFTW_BACKWARD, Self.planningFlags)
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
