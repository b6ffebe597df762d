/// Samples of a sound as read from or written to a file: interleaved frames (one sample per
/// channel each), nominally in [-1, 1], at `sampleRate` frames per second.
public struct Sound: Sendable {
  public var samples: [Float]
  public var sampleRate: Int
  public var channels: Int

  public init(samples: [Float], sampleRate: Int, channels: Int) {
    self.samples = samples
    self.sampleRate = sampleRate
    self.channels = channels
  }

  /// The number of frames (samples per channel).
  public var frames: Int { channels > 0 ? samples.count / channels : 0 }

  /// One channel: the channels' mean in each frame.
  public var mono: [Float] {
    guard channels > 1 else { return samples }
    let scale = 1 / Float(channels)
    return [Float](unsafeUninitializedCapacity: frames) { out, count in
      samples.withUnsafeBufferPointer { input in
        for frame in 0..<frames {
          var sum: Float = 0
          for channel in 0..<channels { sum += input[frame * channels + channel] }
          out[frame] = sum * scale
        }
      }
      count = frames
    }
  }
}
