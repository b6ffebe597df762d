#if canImport(Glibc)
import Glibc
#endif
import Models
import Runtime
import Tensor

/// A trained timbre model at work: a VAE over spectral frames (its pipeline's `spectrogram`
/// transform says how they were made), optionally conditioned on pitch. Sound goes in as
/// frames, codes come out per frame; codes go back to frames, then to magnitudes, then to
/// sound through phase reconstruction (a real-time phase estimate refined by fast
/// Griffin-Lim).
public final class TimbreModel: @unchecked Sendable {
  public let runtime: InferenceModel
  public let features: TimbreFeatures
  /// Griffin-Lim passes when rendering; 0 keeps the real-time phase estimate alone.
  public var iterations = TimbreModel.defaultIterations

  /// 8, not librosa's 32: rendering starts from the streaming phase, not from random phases,
  /// and from there 8 passes come closer to the true magnitudes than 32 from random ones (60
  /// held-out GM notes: SC 0.023 against 0.062, MR-STFT 0.314 against 0.328, LSD 1.62 against
  /// 1.55 dB; `ae audio griffinlim --initial-phase`, bench/audio/README.md). A timbre model's
  /// own error dominates anyway: its held-out scores move by under 2 % from 8 to 32 passes
  /// (SC 0.187 and 0.185), while 32 passes were most of a render's time (10 s from the bench
  /// model, one core: 98 ms CPU with 32 passes, 55 ms with 8, 40 ms with none).
  public static let defaultIterations = 8

  public init(_ runtime: InferenceModel) throws {
    guard let settings = runtime.pipeline.spectrogram else {
      throw AudioError("this is not a timbre model (its pipeline has no spectrogram transform); train one with ae audio train")
    }
    guard settings.framesPerRow == 1 else {
      throw AudioError("this library renders timbre models of one frame per row; the model has \(settings.framesPerRow)")
    }
    guard runtime.conditionWidth == (settings.condition == nil ? 0 : 1) else {
      throw AudioError("the model's conditions do not match its spectrogram settings")
    }
    self.runtime = runtime
    features = try TimbreFeatures(settings)
  }

  public var settings: SpectrogramSettings { features.settings }
  public var sampleRate: Int { settings.sampleRate }
  public var latentWidth: Int { runtime.codeWidth }
  public var takesPitch: Bool { settings.condition == "pitch" }
  public var canSample: Bool { runtime.spec.isVariational }

  /// Frames a sound of `samples` samples has.
  public func frameCount(samples: Int) -> Int { features.stft.frameCount(samples: samples) }

  /// One condition row per frame: the pitch of each frame (a MIDI note number, fractional
  /// values allowed), or nil for a model without a condition.
  func conditions(_ pitches: [Double]?, frames: Int) throws -> Tensor? {
    guard takesPitch else {
      guard pitches == nil else { throw AudioError("this model takes no pitch; leave the pitch out") }
      return nil
    }
    guard let pitches, pitches.count == frames || pitches.count == 1 else {
      throw AudioError("this model is conditioned on pitch: give the sound's MIDI note number (--pitch)")
    }
    guard pitches.allSatisfy({ $0.isFinite && (0...127).contains($0) }) else {
      throw AudioError("a pitch is a MIDI note number from 0 to 127")
    }
    let rows = Tensor(rows: frames, cols: 1)
    for t in 0..<frames { rows.data[t] = SpectrogramSettings.pitchCondition(midi: pitches[pitches.count == 1 ? 0 : t]) }
    return rows
  }

  /// Codes (frames x latentWidth) of a sound at the model's rate: each frame's posterior mean.
  public func encode(_ samples: [Float], pitch: Double?) throws -> Tensor {
    guard !samples.isEmpty else { throw AudioError("the sound has no samples") }
    let values = try features.networkFrames(samples, pitch: takesPitch ? pitch : nil)
    let frames = values.count / features.width
    let x = Tensor(rows: frames, cols: features.width)
    values.withUnsafeBufferPointer { x.data.update(from: $0.baseAddress!, count: values.count) }
    return try runtime.encode(x, conditions: try conditions(pitch.map { [$0] }, frames: frames))
  }

  /// Magnitudes (frames x bins) of codes, one frame per code row; `pitches` has one value, or
  /// one per row.
  public func magnitudes(_ codes: Tensor, pitches: [Double]?) throws -> [Float] {
    let decoded = try runtime.decode(codes, conditions: try conditions(pitches, frames: codes.rows))
    return features.magnitudes(networkFrames: Array(UnsafeBufferPointer(start: decoded.data, count: decoded.count)), pitches: pitches)
  }

  /// A sound of `length` samples from magnitudes (frames x bins): each frame's phase
  /// advanced from the previous one's peaks (`StreamingPhase`), then `iterations` passes of
  /// fast Griffin-Lim from there.
  public func render(magnitudes: [Float], frames: Int, length: Int, seed: UInt64 = 0) -> [Float] {
    let phase = StreamingPhase.phases(magnitudes: magnitudes, frames: frames, bins: features.bins, hop: settings.hop,
                                      fftSize: settings.fftSize)
    let griffinLim = GriffinLim(iterations: iterations, momentum: 0.99, seed: seed)
    return griffinLim.reconstruct(magnitudes: magnitudes, frames: frames, stft: features.stft, length: length, initialPhase: phase)
  }

  /// Samples for `frames` frames of sound.
  public func length(frames: Int) -> Int { max(frames - 1, 0) * settings.hop }

  /// The model's version of a sound: encoded, decoded and rendered.
  public func reconstruct(_ samples: [Float], pitch: Double?) throws -> (samples: [Float], codes: Tensor) {
    let codes = try encode(samples, pitch: pitch)
    let m = try magnitudes(codes, pitches: pitch.map { [$0] })
    return (render(magnitudes: m, frames: codes.rows, length: samples.count), codes)
  }
}

extension TimbreModel {
  /// One frame's magnitudes (`bins` values) from one code, without allocating: for a
  /// real-time caller that owns `workspace` (at least one row) and `scratch` (the network's
  /// row, `runtime.inputWidth` values). `pitch` is the MIDI note number for a
  /// pitch-conditioned model, ignored otherwise.
  public func decodeFrame(code: UnsafePointer<Float>, pitch: Float, workspace: Workspace,
                          scratch: UnsafeMutablePointer<Float>, into magnitudes: UnsafeMutablePointer<Float>) throws {
    var condition = SpectrogramSettings.pitchCondition(midi: Double(pitch))
    try withUnsafePointer(to: &condition) { conditionRow in
      try runtime.decode(code, rows: 1, conditions: takesPitch ? conditionRow : nil, labels: nil, into: scratch, workspace: workspace)
    }
    features.magnitudes(frame: scratch, pitch: pitch, into: magnitudes)
  }
}
