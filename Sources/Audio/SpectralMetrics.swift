import Foundation

/// Distances between a reference signal and an estimate of it, as defined for the sound
/// benchmarks (the Python reference in bench/audio computes the same): both signals are cut to
/// the shorter length, and compared through STFT magnitudes (periodic Hann, centred frames).
public enum SpectralMetrics {
  /// Log-spectral distance in dB (n_fft 1024, hop 256): per frame, the root mean square over
  /// bins of the difference of 20 log10(max(|X|, 1e-5)), both sides clipped below at the
  /// reference's largest value minus 80 dB; the mean over frames.
  public static func logSpectralDistance(reference: [Float], estimate: [Float]) -> Double {
    let (s, e, frames, bins) = magnitudes(reference, estimate, fftSize: 1024, hop: 256)
    let decibels = { (m: Float) -> Double in 20 * log10(Double(max(m, 1e-5))) }
    let floor = decibels(s.max() ?? 0) - 80
    var total = 0.0
    for t in 0..<frames {
      var squares = 0.0
      for k in (t * bins)..<((t + 1) * bins) {
        let difference = max(decibels(s[k]), floor) - max(decibels(e[k]), floor)
        squares += difference * difference
      }
      total += (squares / Double(bins)).squareRoot()
    }
    return total / Double(frames)
  }

  /// ||S - E||_F / ||S||_F over the whole clip (n_fft 1024, hop 256); 0 when both are silent.
  public static func spectralConvergence(reference: [Float], estimate: [Float]) -> Double {
    let (s, e, _, _) = magnitudes(reference, estimate, fftSize: 1024, hop: 256)
    return convergence(s, e)
  }

  /// Parallel WaveGAN's multi-resolution STFT loss: the mean over (n_fft, hop) = (512, 128),
  /// (1024, 256), (2048, 512) of the spectral convergence plus the mean absolute difference of
  /// ln(max(magnitude, 1e-7)).
  public static func multiResolutionSTFT(reference: [Float], estimate: [Float]) -> Double {
    let resolutions = [(512, 128), (1024, 256), (2048, 512)]
    return resolutions.reduce(0.0) { total, resolution in
      let (s, e, _, _) = magnitudes(reference, estimate, fftSize: resolution.0, hop: resolution.1)
      var logDistance = 0.0
      for k in s.indices { logDistance += abs(log(Double(max(s[k], 1e-7))) - log(Double(max(e[k], 1e-7)))) }
      return total + convergence(s, e) + logDistance / Double(s.count)
    } / Double(resolutions.count)
  }

  static func convergence(_ s: [Float], _ e: [Float]) -> Double {
    var difference = 0.0, reference = 0.0
    for k in s.indices {
      let d = Double(s[k]) - Double(e[k])
      difference += d * d
      reference += Double(s[k]) * Double(s[k])
    }
    return reference > 0 ? (difference / reference).squareRoot() : (difference > 0 ? .infinity : 0)
  }

  /// The STFT magnitudes of both signals cut to the shorter length.
  static func magnitudes(_ reference: [Float], _ estimate: [Float], fftSize: Int, hop: Int)
    -> (reference: [Float], estimate: [Float], frames: Int, bins: Int) {
    let length = min(reference.count, estimate.count)
    let stft = STFT(validSize: fftSize, hop: hop)
    let s = stft.magnitudes(Array(reference.prefix(length))), e = stft.magnitudes(Array(estimate.prefix(length)))
    return (s, e, stft.frameCount(samples: length), stft.bins)
  }
}
