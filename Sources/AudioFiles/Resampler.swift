import CSamplerate

/// Sample-rate conversion through libsamplerate.
///
/// SRC_SINC_BEST_QUALITY: its pass band reaches 96% of the lower Nyquist frequency (MEDIUM's
/// stops at 90%), which at 16 kHz keeps 7.2-7.7 kHz that MEDIUM would soften. It costs about 0.5 s per
/// 10 s of 44.1 kHz sound on this 2-core machine (1-1.5 s when it is busy; MEDIUM is 3-5 times
/// faster): small next to reading a corpus once, and resampling happens once per file.
public enum Resampler {
  /// Rates whose ratio libsamplerate accepts.
  public static let maximumRatio = 256

  /// `samples` (interleaved, `channels` per frame) converted from `from` to `to` frames per
  /// second: round(frames * to / from) frames, time-aligned with the input.
  public static func resample(_ samples: [Float], channels: Int, from: Int, to: Int) throws -> [Float] {
    guard channels >= 1, samples.count % channels == 0 else {
      throw AudioFileError("cannot resample \(samples.count) samples as frames of \(channels) channels")
    }
    guard from >= 1, to >= 1, to <= from * maximumRatio, from <= to * maximumRatio else {
      throw AudioFileError("cannot resample from \(from) Hz to \(to) Hz (both must be positive, at most \(maximumRatio) times apart)")
    }
    if from == to || samples.isEmpty { return samples }
    let frames = samples.count / channels
    let ratio = Double(to) / Double(from)
    let outputFrames = Int((Double(frames) * ratio).rounded())
    // libsamplerate may give a few frames less or more than the exact ratio; room for more.
    let capacity = outputFrames + 64
    try MemoryCheck.floats(capacity * channels, for: "resampling from \(from) Hz to \(to) Hz: \(outputFrames) frames")
    var output = [Float](repeating: 0, count: capacity * channels)
    let status: Int32 = samples.withUnsafeBufferPointer { input in
      output.withUnsafeMutableBufferPointer { out in
        var data = SRC_DATA()
        data.data_in = input.baseAddress
        data.input_frames = Int(frames)
        data.data_out = out.baseAddress
        data.output_frames = Int(capacity)
        data.src_ratio = ratio
        data.end_of_input = 1
        return src_simple(&data, Int32(SRC_SINC_BEST_QUALITY), Int32(channels))
      }
    }
    guard status == 0 else {
      throw AudioFileError("resampling from \(from) Hz to \(to) Hz failed: \(String(cString: src_strerror(status)))")
    }
    // Exactly the expected length: cut the extra; frames it did not generate stay silent (zeros).
    output.removeLast((capacity - outputFrames) * channels)
    return output
  }
}
