import CFFTW
import CVector
import Tensor

/// Phase reconstruction from a magnitude spectrogram by librosa.griffinlim's algorithm: the
/// "fast" Griffin-Lim of Perraudin, Balazs and Sondergaard (2013) with `momentum` (0.99 as
/// librosa; 0 gives the classic algorithm of Griffin and Lim 1984).
///
/// Each iteration: inverse STFT of S e^(i angles), STFT of that signal (`rebuilt`), then
/// angles = phase of (rebuilt - momentum / (1 + momentum) * previous rebuilt); the result is
/// the inverse STFT of the last S e^(i angles).
public struct GriffinLim: Sendable {
  public var iterations = 32
  public var momentum: Float = 0.99
  /// Seeds the random initial phases when none are given.
  public var seed: UInt64 = 0

  public init(iterations: Int = 32, momentum: Float = 0.99, seed: UInt64 = 0) {
    self.iterations = iterations
    self.momentum = momentum
    self.seed = seed
  }

  /// `length` samples whose STFT magnitudes approach `magnitudes` (frames x bins of `stft`).
  /// `initialPhase`: frames x bins radians; nil: uniform in [0, 2 pi), from `seed`.
  ///
  /// The spectra are kept interleaved (re, im) as FFTW gives them, and each frame's STFT is
  /// used as soon as it is made (the phase update needs only that frame and its previous
  /// value), so an iteration is one pass over the spectrogram for each direction.
  public func reconstruct(magnitudes: [Float], frames: Int, stft: STFT, length: Int, initialPhase: [Float]? = nil) -> [Float] {
    guard length > 0, frames > 0 else { return [Float](repeating: 0, count: max(length, 0)) }
    let bins = stft.bins, count = frames * bins
    precondition(magnitudes.count == count, "magnitudes must hold frames x bins values")
    precondition(initialPhase == nil || initialPhase!.count == count, "the initial phase must hold frames x bins values")
    // S e^(i angles) and the previous iteration's rebuilt spectrum, interleaved.
    let spectrum = FFTBuffer(floats: 2 * count), previous = FFTBuffer(floats: 2 * count)
    let signal = FFTBuffer(floats: length)
    let overlapAdd = STFT.OverlapAdd(stft: stft, frames: frames, length: length)
    let workspace = stft.makeWorkspace()
    let pairs = FFTBuffer(floats: 2 * stft.fftSize), samples = FFTBuffer(floats: 2 * stft.fftSize)
    let silence = FFTBuffer(floats: 2 * bins) // the second frame of the last pair when the count is odd
    // The STFT of `length` samples may have fewer frames than given: those are not rebuilt.
    let rebuiltFrames = min(frames, stft.frameCount(samples: length))
    let row = 2 * bins, z = spectrum.pointer

    magnitudes.withUnsafeBufferPointer { magnitude in
      let s = magnitude.baseAddress!
      if let initialPhase {
        for i in 0..<count {
          z[2 * i] = s[i] * _cos(initialPhase[i])
          z[2 * i + 1] = s[i] * _sin(initialPhase[i])
        }
      } else {
        var random = SeededRandom(seed: seed)
        for i in 0..<count {
          let angle = 2 * Float.pi * random.uniform()
          z[2 * i] = s[i] * _cos(angle)
          z[2 * i + 1] = s[i] * _sin(angle)
        }
      }
      for iteration in 0..<iterations {
        Self.inversePairs(z, stft: stft, into: signal.pointer, overlapAdd: overlapAdd, pairs: pairs, samples: samples, silence: silence)
        // librosa's previous iterate starts at 0: the first update has no momentum term.
        let decay = iteration == 0 ? 0 : momentum / (1 + momentum)
        let samples = UnsafeBufferPointer(start: signal.pointer, count: length)
        for t in 0..<rebuiltFrames {
          stft.transformFrame(t, of: samples, workspace)
          Self.update(z + t * row, previous: previous.pointer + t * row, rebuilt: workspace.spectrum.pointer,
                      magnitude: s + t * bins, decay: decay, bins: bins)
        }
      }
    }
    var output = [Float](repeating: 0, count: length)
    output.withUnsafeMutableBufferPointer { out in
      Self.inversePairs(z, stft: stft, into: out.baseAddress!, overlapAdd: overlapAdd, pairs: pairs, samples: samples, silence: silence)
    }
    return output
  }

  /// `stft.inverse` of the interleaved spectra `z` (frames x bins) into `signal`, two frames
  /// per FFT: frames a and b are the real and imaginary parts of one complex signal, whose
  /// spectrum is A + iB with A and B extended to all `fftSize` bins by their conjugate symmetry
  /// (A[n - k] = conj A[k]). One complex inverse of `fftSize` points took 1.0 us here against
  /// 1.5 us for one c2r (FFTW_ESTIMATE's c2r plan is slow; its r2c is not), so a pair costs a
  /// third of two c2r's. As with c2r, the imaginary parts of bins 0 and fftSize / 2 are ignored.
  static func inversePairs(_ z: UnsafePointer<Float>, stft: STFT, into signal: UnsafeMutablePointer<Float>,
                           overlapAdd: STFT.OverlapAdd, pairs: FFTBuffer, samples: FFTBuffer, silence: FFTBuffer) {
    let n = stft.fftSize, half = n / 2, bins = stft.bins, hop = stft.hop, frames = overlapAdd.frames
    let window = stft.synthesisWindow.pointer, sum = overlapAdd.accumulator.pointer
    let x = samples.pointer
    sum.update(repeating: 0, count: overlapAdd.accumulator.count)
    for t in stride(from: 0, to: frames, by: 2) {
      let a = z + t * 2 * bins, hasB = t + 1 < frames
      aevec_pair_spectra(pairs.pointer, a, hasB ? a + 2 * bins : UnsafePointer(silence.pointer), half)
      fftwf_execute_dft(stft.plans.complexInverse, pairs.complex, samples.complex)
      aevec_overlap_add(sum + t * hop, x, 0, window, n)
      if hasB { aevec_overlap_add(sum + (t + 1) * hop, x, 1, window, n) }
    }
    let normalizer = overlapAdd.normalizer.pointer, offset = n / 2, length = overlapAdd.length
    let available = max(0, min(length, overlapAdd.accumulator.count - offset))
    for j in 0..<available { signal[j] = sum[offset + j] * normalizer[offset + j] }
    if available < length { (signal + available).update(repeating: 0, count: length - available) }
  }

  /// One frame: u = rebuilt - decay * previous; spectrum = S (u / (|u| + tiny)), in librosa's
  /// order (S / (|u| + tiny) first would overflow to infinity where u is exactly 0 and S is
  /// above 4, and 0 times that is NaN); previous = rebuilt. In CVector, eight bins at a time
  /// with AVX2 where the CPU has it (a sixth of Griffin-Lim's time was this loop, its square
  /// root and division four lanes wide in the baseline build), the same bits either way.
  @inline(__always)
  static func update(_ spectrum: UnsafeMutablePointer<Float>, previous: UnsafeMutablePointer<Float>, rebuilt: UnsafePointer<Float>,
                     magnitude s: UnsafePointer<Float>, decay: Float, bins: Int) {
    aevec_griffin_lim_update(spectrum, previous, rebuilt, s, decay, bins)
  }
}
