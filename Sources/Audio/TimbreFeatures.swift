#if canImport(Glibc)
import Glibc
#endif
import Models

/// A timbre model's frames, made as its `SpectrogramSettings` say: the magnitude STFT of the
/// samples (Hann, centred), `ln(|X| + floor)` per bin. The same object turns the model's frames
/// back into magnitudes for phase reconstruction.
public struct TimbreFeatures: Sendable {
  public let settings: SpectrogramSettings
  public let stft: STFT

  public init(_ settings: SpectrogramSettings) throws {
    let problems = settings.problems()
    guard problems.isEmpty else { throw AudioError("unusable spectrogram settings: " + problems.joined(separator: "; ")) }
    self.settings = settings
    stft = try STFT(fftSize: settings.fftSize, hop: settings.hop)
  }

  public var bins: Int { settings.bins }

  /// Frames for `samples`: frameCount(samples.count) rows of `bins` log-magnitudes.
  public func frames(_ samples: [Float]) -> [Float] {
    var values = stft.magnitudes(samples)
    let floor = settings.floor
    values.withUnsafeMutableBufferPointer { v in
      for i in v.indices { v[i] = logf(v[i] + floor) }
    }
    return values
  }

  /// The magnitudes of frames (in place): `exp(v) - floor`, never below 0.
  public func magnitudes(_ frames: inout [Float]) {
    let floor = settings.floor
    frames.withUnsafeMutableBufferPointer { v in
      for i in v.indices { v[i] = max(expf(min(v[i], 30)) - floor, 0) }
    }
  }
}
