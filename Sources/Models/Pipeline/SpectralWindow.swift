#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The analysis window of an STFT, periodic as scipy.signal.get_window(name, n, fftbins=True)
/// makes it (and so librosa.stft(window=name)): the symmetric window of n + 1 points with the
/// last one dropped. Each is a sum of cosines of 2 pi i / n:
///
///     hann      0.5  - 0.5  cos(x)
///     hamming   0.54 - 0.46 cos(x)
///     blackman  0.42 - 0.5  cos(x) + 0.08 cos(2x)
///
/// Hann reaches 0 at the frame's edges and leaks least far; Hamming's first side lobe is lower
/// (-43 dB against -31) but its far side lobes decay slowly; Blackman's main lobe is wider
/// (3 bins each side against 2) with side lobes below -58 dB.
public enum SpectralWindow: String, CaseIterable, Codable, Sendable {
  case hann, hamming, blackman

  /// The cosine coefficients a_k of w(i) = sum_k (-1)^k a_k cos(2 pi k i / n).
  public var coefficients: [Double] {
    switch self {
    case .hann: [0.5, 0.5]
    case .hamming: [0.54, 0.46]
    case .blackman: [0.42, 0.5, 0.08]
    }
  }

  /// Value `i` of the periodic window of `size` points.
  public func value(_ i: Int, size: Int) -> Double {
    let x = 2 * Double.pi * Double(i) / Double(size)
    var sum = 0.0
    for (k, a) in coefficients.enumerated() { sum += (k % 2 == 0 ? a : -a) * cos(Double(k) * x) }
    return sum
  }

  /// The names a user or a file may give, in order.
  public static var names: [String] { allCases.map(\.rawValue) }
}
