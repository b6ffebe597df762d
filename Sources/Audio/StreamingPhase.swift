#if canImport(Glibc)
import Glibc
#endif

/// Phases for a stream of magnitude frames, one frame at a time with no look-ahead: a phase
/// vocoder with Laroche and Dolson's identity phase locking ("Improved phase vocoder time-scale
/// modification of audio", 1999), for real-time synthesis from magnitudes alone.
///
/// For each frame: the spectral peaks (bins above their two neighbours on each side) are found;
/// each peak's frequency is refined by a parabola through the log magnitudes of the peak and
/// its neighbours, and its phase advanced from the previous frame's phase at that bin by
/// 2 pi f hop / rate; every other bin takes the phase of the peak whose region it lies in
/// (regions split at the lowest bin between two peaks), plus pi for each bin away from it: a
/// Hann-windowed sinusoid's main lobe alternates sign from bin to bin in an FFT whose frame
/// starts at time 0 (so does a Hamming- or Blackman-windowed one's: each window is symmetric
/// about the frame's middle with a positive main lobe, so the same holds for every
/// `SpectralWindow`). Without any peak (silence), each bin advances at its centre frequency.
///
/// Real-time safe: every buffer is made in `init`; `next` allocates nothing and takes no lock.
/// Copies of a StreamingPhase share their state: give each stream its own.
public struct StreamingPhase {
  public let bins: Int
  public let hop: Int
  public let fftSize: Int
  private let state: State

  private final class State {
    /// The previous frame's phases, in [-pi, pi).
    let previous: UnsafeMutablePointer<Float>
    /// This frame's peak bins, in increasing order.
    let peaks: UnsafeMutablePointer<Int>

    init(bins: Int) {
      previous = .allocate(capacity: bins)
      previous.initialize(repeating: 0, count: bins)
      peaks = .allocate(capacity: bins)
      peaks.initialize(repeating: 0, count: bins)
    }

    deinit {
      previous.deallocate()
      peaks.deallocate()
    }
  }

  public init(bins: Int, hop: Int, fftSize: Int) {
    precondition(bins >= 1 && hop >= 1 && fftSize >= 2, "bins, hop and fftSize must be positive")
    self.bins = bins
    self.hop = hop
    self.fftSize = fftSize
    state = State(bins: bins)
  }

  /// Phases (radians, in [-pi, pi)) for the next frame of `bins` magnitudes.
  public mutating func next(magnitudes m: UnsafePointer<Float>, phase: UnsafeMutablePointer<Float>) {
    let previous = state.previous, peaks = state.peaks
    // Radians per hop for each bin of frequency: 2 pi hop / fftSize.
    let advance = 2 * Float.pi * Float(hop) / Float(fftSize)
    var peakCount = 0
    if bins >= 3 {
      for k in 1..<(bins - 1) where m[k] > m[k - 1] && m[k] >= m[k + 1]
        && (k < 2 || m[k] > m[k - 2]) && (k + 2 >= bins || m[k] >= m[k + 2]) {
        peaks[peakCount] = k
        peakCount += 1
      }
    }
    guard peakCount > 0 else {
      for k in 0..<bins { phase[k] = Self.wrap(previous[k] + advance * Float(k)) }
      previous.update(from: phase, count: bins)
      return
    }
    var regionStart = 0
    for index in 0..<peakCount {
      let peak = peaks[index]
      // The region ends at the lowest bin before the next peak (the last bin for the last peak).
      var regionEnd = bins
      if index + 1 < peakCount {
        var lowest = peak + 1
        for k in (peak + 1)..<peaks[index + 1] where m[k] < m[lowest] { lowest = k }
        regionEnd = lowest + 1
      }
      let peakPhase = Self.wrap(previous[peak] + advance * (Float(peak) + Self.offset(m[peak - 1], m[peak], m[peak + 1])))
      for k in regionStart..<regionEnd {
        phase[k] = (k - peak) & 1 == 0 ? peakPhase : Self.wrap(peakPhase + Float.pi)
      }
      regionStart = regionEnd
    }
    previous.update(from: phase, count: bins)
  }

  /// Phases (frames x bins, radians) for a whole magnitude spectrogram (frames x bins), frame
  /// after frame as a stream would make them: the start `TimbreModel.render` gives Griffin-Lim.
  public static func phases(magnitudes: [Float], frames: Int, bins: Int, hop: Int, fftSize: Int) -> [Float] {
    precondition(magnitudes.count == frames * bins, "magnitudes must hold frames x bins values")
    var estimator = StreamingPhase(bins: bins, hop: hop, fftSize: fftSize)
    return [Float](unsafeUninitializedCapacity: frames * bins) { phase, count in
      magnitudes.withUnsafeBufferPointer { m in
        for t in 0..<frames { estimator.next(magnitudes: m.baseAddress! + t * bins, phase: phase.baseAddress! + t * bins) }
      }
      count = frames * bins
    }
  }

  /// The peak's offset from its bin, in bins (-0.5...0.5), from the parabola through the log
  /// magnitudes of the bins below, at and above it.
  @inline(__always)
  static func offset(_ below: Float, _ at: Float, _ above: Float) -> Float {
    let tiny = Float.leastNormalMagnitude
    let a = logf(max(below, tiny)), b = logf(max(at, tiny)), c = logf(max(above, tiny))
    let curvature = a - 2 * b + c
    guard curvature < 0 else { return 0 }
    return min(max(0.5 * (a - c) / curvature, -0.5), 0.5)
  }

  /// `x` in [-pi, pi).
  @inline(__always)
  static func wrap(_ x: Float) -> Float {
    let turn = 2 * Float.pi
    return x - turn * (x / turn + 0.5).rounded(.down)
  }
}
