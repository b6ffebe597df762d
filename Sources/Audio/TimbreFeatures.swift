#if canImport(Glibc)
import Glibc
#endif
import Models

/// A timbre model's frames, made as its `SpectrogramSettings` say: the magnitude STFT of the
/// samples (the settings' window, centred), `ln(|X| + floor)` per bin; on the mel axis the
/// log of each mel band's mean magnitude (`MelFrames`); on the harmonic axis those
/// log-magnitudes read at multiples of the note's fundamental. The same object turns the
/// model's frames back into magnitudes for phase reconstruction.
public struct TimbreFeatures: Sendable {
  public let settings: SpectrogramSettings
  public let stft: STFT
  /// The mel axis, for settings on it.
  public let mel: MelFrames?

  public init(_ settings: SpectrogramSettings) throws {
    let problems = settings.problems()
    guard problems.isEmpty, let window = settings.spectralWindow else {
      throw AudioError("unusable spectrogram settings: " + problems.joined(separator: "; "))
    }
    self.settings = settings
    stft = try STFT(fftSize: settings.fftSize, hop: settings.hop, window: window)
    mel = settings.axis == .mel ? MelFrames(sampleRate: settings.sampleRate, fftSize: settings.fftSize, bands: settings.mels) : nil
  }

  public var bins: Int { settings.bins }

  /// Values per frame on the network's side (`bins` on the bins' axis).
  public var width: Int { settings.frameWidth }

  /// Log-magnitude frames for `samples`: frameCount(samples.count) rows of `bins` values.
  public func frames(_ samples: [Float]) -> [Float] {
    var values = stft.magnitudes(samples)
    let floor = settings.floor
    values.withUnsafeMutableBufferPointer { v in
      for i in v.indices { v[i] = logf(v[i] + floor) }
    }
    return values
  }

  /// The magnitudes of log-magnitude frames (in place): `exp(v) - floor`, never below 0.
  public func magnitudes(_ frames: inout [Float]) {
    let floor = settings.floor
    frames.withUnsafeMutableBufferPointer { v in
      for i in v.indices { v[i] = max(expf(min(v[i], 30)) - floor, 0) }
    }
  }

  /// The network's frames for `samples` (rows of `width` values): the log-magnitude frames,
  /// moved onto the harmonic axis of `pitch` (a MIDI note number) when the settings say so.
  public func networkFrames(_ samples: [Float], pitch: Double?) throws -> [Float] {
    if let mel { return melFrames(samples, mel) }
    let logFrames = frames(samples)
    guard settings.onHarmonicAxis else { return logFrames }
    guard let pitch, pitch.isFinite, (0...127).contains(pitch) else {
      throw AudioError("this model's frames follow the pitch: give the sound's MIDI note number (0 to 127)")
    }
    let count = logFrames.count / bins, width = self.width
    let step = Float(Self.fundamental(midi: pitch)) / Float(settings.pointsPerHarmonic) / binHertz
    let silence = logf(settings.floor)
    var rows = [Float](repeating: 0, count: count * width)
    logFrames.withUnsafeBufferPointer { source in
      rows.withUnsafeMutableBufferPointer { target in
        for t in 0..<count {
          Self.resample(source.baseAddress! + t * bins, count: bins, step: step, silence: silence,
                        into: target.baseAddress! + t * width, count: width)
        }
      }
    }
    return rows
  }

  /// Mel frames for `samples`: frameCount(samples.count) rows of `mels` values.
  func melFrames(_ samples: [Float], _ mel: MelFrames) -> [Float] {
    let magnitudes = stft.magnitudes(samples), bins = self.bins, bands = mel.bands
    let count = magnitudes.count / bins, floor = settings.floor
    var rows = [Float](repeating: 0, count: count * bands)
    magnitudes.withUnsafeBufferPointer { source in
      rows.withUnsafeMutableBufferPointer { target in
        for t in 0..<count { mel.bandMeans(magnitudes: source.baseAddress! + t * bins, into: target.baseAddress! + t * bands) }
        for i in target.indices { target[i] = logf(target[i] + floor) }
      }
    }
    return rows
  }

  /// Magnitudes (frames x bins) of the network's frames (rows of `width` values), each at its
  /// pitch (`pitches` has one value, or one per frame; ignored off the harmonic axis).
  public func magnitudes(networkFrames rows: [Float], pitches: [Double]?) -> [Float] {
    var values = rows
    guard settings.axis != .bins else {
      magnitudes(&values)
      return values
    }
    let count = rows.count / width
    var result = [Float](repeating: 0, count: count * bins)
    rows.withUnsafeBufferPointer { source in
      result.withUnsafeMutableBufferPointer { target in
        for t in 0..<count {
          let pitch = pitches.map { $0.count == 1 ? $0[0] : $0[t] } ?? .nan
          magnitudes(frame: source.baseAddress! + t * width, pitch: Float(pitch), into: target.baseAddress! + t * bins)
        }
      }
    }
    return result
  }

  /// One frame's `bins` magnitudes from one network frame at `pitch`, without allocating.
  public func magnitudes(frame: UnsafePointer<Float>, pitch: Float, into magnitudes: UnsafeMutablePointer<Float>) {
    let floor = settings.floor
    switch settings.axis {
    case .harmonic:
      let step = binHertz * Float(settings.pointsPerHarmonic) / Float(Self.fundamental(midi: Double(pitch)))
      Self.resample(frame, count: width, step: step, silence: logf(floor), into: magnitudes, count: bins)
    case .mel:
      mel?.readAtBins(logBands: frame, into: magnitudes)
    case .bins:
      magnitudes.update(from: frame, count: bins)
    }
    for k in 0..<bins { magnitudes[k] = max(expf(min(magnitudes[k], 30)) - floor, 0) }
  }

  var binHertz: Float { Float(settings.sampleRate) / Float(settings.fftSize) }

  /// The fundamental frequency in Hz of a MIDI note number.
  public static func fundamental(midi: Double) -> Double { 440 * pow(2, (midi - 69) / 12) }

  /// `output[i]` = `input` read at position `i * step` by cubic (Catmull-Rom) interpolation,
  /// `silence` past its end. Cubic rather than linear because a spectral peak is close to a
  /// parabola in the log domain: read between a few points it keeps its height and width,
  /// where straight lines shave it (spectral convergence 0.06 against 0.19 at 32 points per
  /// harmonic on the bench's notes).
  static func resample(_ input: UnsafePointer<Float>, count: Int, step: Float, silence: Float,
                       into output: UnsafeMutablePointer<Float>, count outputCount: Int) {
    let last = count - 1
    for i in 0..<outputCount {
      let position = Float(i) * step
      // Also false for NaN (an unusable pitch): silence, never an index out of range.
      guard position >= 0, position <= Float(last) else { output[i] = silence; continue }
      output[i] = cubic(input, last: last, at: position)
    }
  }

  /// `input[0...last]` read at `position` (in 0...last) by Catmull-Rom interpolation, the
  /// end values repeated past the ends.
  @inline(__always)
  static func cubic(_ input: UnsafePointer<Float>, last: Int, at position: Float) -> Float {
    let j = min(Int(position), max(last - 1, 0)), t = position - Float(j)
    let p1 = input[j], p0 = input[max(j - 1, 0)], p2 = input[min(j + 1, last)], p3 = input[min(j + 2, last)]
    return p1 + 0.5 * t * (p2 - p0 + t * (2 * p0 - 5 * p1 + 4 * p2 - p3 + t * (3 * (p1 - p2) + p3 - p0)))
  }
}
