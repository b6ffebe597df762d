import CFFTW
import Models

/// Short-time Fourier transform as librosa computes it (see bench/audio and the metrics
/// definitions): a periodic window of `fftSize` (Hann unless told; `SpectralWindow`), frames
/// every `hop` samples, `center=True` with `fftSize / 2` zeros padded on both sides, so frame t
/// is centred on sample t * hop.
///
/// One STFT may be used from several threads at once: the FFTW plans are shared and read-only,
/// and each call works in its own buffers (made once per call, never per frame).
public final class STFT: @unchecked Sendable {
  public let fftSize: Int
  public let hop: Int
  public var bins: Int { fftSize / 2 + 1 }
  public let windowKind: SpectralWindow

  let plans: FFTPlans
  /// The periodic analysis window, `windowKind.value(i, size: fftSize)`.
  let window: FFTBuffer
  /// The window divided by fftSize: FFTW's inverse is unnormalised.
  let synthesisWindow: FFTBuffer

  public convenience init(fftSize: Int = 1024, hop: Int = 256, window: SpectralWindow = .hann) throws {
    guard fftSize >= 2, fftSize % 2 == 0, fftSize <= 1 << 20 else {
      throw AudioError("the FFT size must be even, in 2...\(1 << 20); \(fftSize) is not")
    }
    guard hop >= 1, hop <= fftSize else {
      throw AudioError("the hop must be in 1...\(fftSize) (the FFT size); \(hop) is not")
    }
    self.init(validSize: fftSize, hop: hop, window: window)
  }

  /// An STFT whose sizes the caller knows are valid (fixed in the code).
  init(validSize fftSize: Int, hop: Int, window kind: SpectralWindow = .hann) {
    self.fftSize = fftSize
    self.hop = hop
    windowKind = kind
    plans = FFTPlans.plans(size: fftSize)
    window = FFTBuffer(floats: fftSize)
    synthesisWindow = FFTBuffer(floats: fftSize)
    for i in 0..<fftSize {
      let value = kind.value(i, size: fftSize)
      window.pointer[i] = Float(value)
      synthesisWindow.pointer[i] = Float(value / Double(fftSize))
    }
  }

  /// 1 + samples / hop.
  public func frameCount(samples: Int) -> Int { 1 + samples / hop }

  /// The scratch one transform needs: a frame of samples and its spectrum, interleaved.
  final class Workspace {
    let frame: FFTBuffer
    let spectrum: FFTBuffer
    init(fftSize: Int) {
      frame = FFTBuffer(floats: fftSize)
      spectrum = FFTBuffer(floats: 2 * (fftSize / 2 + 1))
    }
  }

  func makeWorkspace() -> Workspace { Workspace(fftSize: fftSize) }

  /// The spectrum of frame `t` of `signal` into `workspace.spectrum` (interleaved).
  @inline(__always)
  func transformFrame(_ t: Int, of signal: UnsafeBufferPointer<Float>, _ workspace: Workspace) {
    let n = fftSize, frame = workspace.frame.pointer, window = self.window.pointer
    let start = t * hop - n / 2 // the frame's first sample in the signal; negative in the padding
    let low = max(0, -start), high = max(low, min(n, signal.count - start))
    if low > 0 { frame.update(repeating: 0, count: low) }
    if high < n { (frame + high).update(repeating: 0, count: n - high) }
    if high > low {
      let source = signal.baseAddress! + (start + low)
      for i in 0..<(high - low) { frame[low + i] = source[i] * window[low + i] }
    }
    fftwf_execute_dft_r2c(plans.forward, frame, workspace.spectrum.complex)
  }

  /// Complex spectrum, frames x bins, row-major, split into real and imaginary parts.
  public func forward(_ signal: UnsafeBufferPointer<Float>, real: UnsafeMutablePointer<Float>, imag: UnsafeMutablePointer<Float>) {
    forward(signal, real: real, imag: imag, workspace: makeWorkspace())
  }

  func forward(_ signal: UnsafeBufferPointer<Float>, real: UnsafeMutablePointer<Float>, imag: UnsafeMutablePointer<Float>,
               workspace: Workspace) {
    let bins = self.bins, spectrum = workspace.spectrum.pointer
    for t in 0..<frameCount(samples: signal.count) {
      transformFrame(t, of: signal, workspace)
      let re = real + t * bins, im = imag + t * bins
      for k in 0..<bins {
        re[k] = spectrum[2 * k]
        im[k] = spectrum[2 * k + 1]
      }
    }
  }

  /// |X|: frames x bins, row-major.
  public func magnitudes(_ signal: [Float]) -> [Float] {
    let frames = frameCount(samples: signal.count), bins = self.bins
    let workspace = makeWorkspace()
    return [Float](unsafeUninitializedCapacity: frames * bins) { out, count in
      signal.withUnsafeBufferPointer { signal in
        let spectrum = workspace.spectrum.pointer
        for t in 0..<frames {
          transformFrame(t, of: signal, workspace)
          let row = out.baseAddress! + t * bins
          for k in 0..<bins {
            let re = spectrum[2 * k], im = spectrum[2 * k + 1]
            row[k] = (re * re + im * im).squareRoot()
          }
        }
      }
      count = frames * bins
    }
  }

  /// The overlap-add state of one inverse shape (frames, length): the accumulator and the
  /// reciprocal of the summed squared window, made once and reused (Griffin-Lim inverts the
  /// same shape at every iteration).
  final class OverlapAdd {
    /// Frames that reach the output (librosa: min(frames, ceil((length + fftSize) / hop))).
    let frames: Int
    let length: Int
    let accumulator: FFTBuffer
    /// 1 / sum_t w(p - t hop)^2, or 1 where that sum is not above float's smallest normal
    /// (librosa leaves those samples undivided).
    let normalizer: FFTBuffer

    init(stft: STFT, frames available: Int, length: Int) {
      let n = stft.fftSize, hop = stft.hop
      frames = max(0, min(available, (length + n + hop - 1) / hop))
      self.length = length
      let padded = frames > 0 ? n + hop * (frames - 1) : 0
      accumulator = FFTBuffer(floats: padded)
      normalizer = FFTBuffer(floats: padded)
      let sum = normalizer.pointer, window = stft.window.pointer
      for t in 0..<frames {
        for i in 0..<n { sum[t * hop + i] += window[i] * window[i] }
      }
      for p in 0..<padded { sum[p] = sum[p] > Float.leastNormalMagnitude ? 1 / sum[p] : 1 }
    }
  }

  /// librosa.istft(center=True, length=length): each frame's inverse FFT times the window,
  /// overlapped and added, divided by the summed squared window, with the padding cut off;
  /// `length` samples into `into` (zeros past the last frame).
  public func inverse(real: UnsafePointer<Float>, imag: UnsafePointer<Float>, frames: Int, length: Int, into: UnsafeMutablePointer<Float>) {
    inverse(real: real, imag: imag, into: into, overlapAdd: OverlapAdd(stft: self, frames: frames, length: length),
            workspace: makeWorkspace())
  }

  func inverse(real: UnsafePointer<Float>, imag: UnsafePointer<Float>, into: UnsafeMutablePointer<Float>,
               overlapAdd: OverlapAdd, workspace: Workspace) {
    let bins = self.bins
    inverse(into: into, overlapAdd: overlapAdd, workspace: workspace) { t, spectrum in
      let re = real + t * bins, im = imag + t * bins
      for k in 0..<bins {
        spectrum[2 * k] = re[k]
        spectrum[2 * k + 1] = im[k]
      }
    }
  }

  /// The inverse of the frames whose spectra `fill` writes, interleaved, into the buffer it is
  /// given (`fill(t, buffer)`), which FFTW's inverse then overwrites.
  @inline(__always)
  func inverse(into: UnsafeMutablePointer<Float>, overlapAdd: OverlapAdd, workspace: Workspace,
               fill: (Int, UnsafeMutablePointer<Float>) -> Void) {
    let n = fftSize, frame = workspace.frame.pointer, spectrum = workspace.spectrum.pointer
    let sum = overlapAdd.accumulator.pointer, window = synthesisWindow.pointer
    sum.update(repeating: 0, count: overlapAdd.accumulator.count)
    for t in 0..<overlapAdd.frames {
      fill(t, spectrum)
      fftwf_execute_dft_c2r(plans.inverse, workspace.spectrum.complex, frame)
      let out = sum + t * hop
      for i in 0..<n { out[i] += frame[i] * window[i] }
    }
    let normalizer = overlapAdd.normalizer.pointer, offset = n / 2
    let available = max(0, min(overlapAdd.length, overlapAdd.accumulator.count - offset))
    for j in 0..<available { into[j] = sum[offset + j] * normalizer[offset + j] }
    if available < overlapAdd.length { (into + available).update(repeating: 0, count: overlapAdd.length - available) }
  }
}
