import CSndfile
#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing sound files through libsndfile. Every file is treated as hostile: the
/// errors name the file and say what is wrong, and nothing a file claims is allocated before
/// the samples are actually there.
public enum SoundFile {
  /// At most this many samples (frames times channels) are read: 8 GB of floats.
  public static let maximumSamples = 1 << 31
  /// Files claiming more channels than this are refused as damaged.
  public static let maximumChannels = 256

  /// Any format libsndfile reads (WAV, FLAC, OGG, AIFF...), as floats: integer formats are
  /// scaled to [-1, 1), float formats are kept as stored (NaN or infinity refused).
  public static func read(_ path: String) throws -> Sound {
    let descriptor = try FileChecks.openRegularFile(path)
    defer { close(descriptor) }
    var info = SF_INFO()
    guard let file = sf_open_fd(descriptor, Int32(SFM_READ), &info, 0) else {
      throw AudioFileError("\(path): not a sound file libsndfile can read (\(String(cString: sf_strerror(nil))))")
    }
    defer { sf_close(file) }
    let channels = Int(info.channels), rate = Int(info.samplerate), frames = Int(info.frames)
    guard channels >= 1, channels <= maximumChannels else {
      throw AudioFileError("\(path): the file claims \(channels) channels (1...\(maximumChannels) are read); it is damaged")
    }
    guard rate >= 1 else { throw AudioFileError("\(path): the file claims a sample rate of \(rate) Hz; it is damaged") }
    guard frames >= 1 else { throw AudioFileError("\(path): the file holds no samples") }
    let (claimed, overflow) = frames.multipliedReportingOverflow(by: channels)
    guard !overflow, claimed <= maximumSamples else {
      throw AudioFileError("\(path): the file claims \(frames) frames of \(channels) channels; at most \(maximumSamples) samples are read")
    }
    try MemoryCheck.floats(claimed, for: "\(path): the \(claimed) samples it holds")
    let samples = try readSamples(file, channels: channels, claimedFrames: frames, path: path)
    let subformat = info.format & Int32(SF_FORMAT_SUBMASK)
    if subformat == Int32(SF_FORMAT_FLOAT) || subformat == Int32(SF_FORMAT_DOUBLE),
       let bad = samples.firstIndex(where: { !$0.isFinite }) {
      throw AudioFileError("\(path): sample \(bad / channels) of channel \(bad % channels) is \(samples[bad]); a sound file must hold finite samples")
    }
    return Sound(samples: samples, sampleRate: rate, channels: channels)
  }

  /// The samples, read in blocks. Room for the claimed count is reserved at once (checked by
  /// the caller): growing by doubling would need twice as much, and a header that claims more
  /// than the file holds only costs address space, never touched.
  private static func readSamples(_ file: OpaquePointer, channels: Int, claimedFrames: Int, path: String) throws -> [Float] {
    let block = 1 << 16
    var samples: [Float] = []
    samples.reserveCapacity(claimedFrames * channels)
    var buffer = [Float](repeating: 0, count: block * channels)
    var total = 0
    while total < claimedFrames {
      let wanted = min(block, claimedFrames - total)
      let got = buffer.withUnsafeMutableBufferPointer { Int(sf_readf_float(file, $0.baseAddress, sf_count_t(wanted))) }
      if got <= 0 { break }
      samples.append(contentsOf: buffer[0..<(got * channels)])
      total += got
    }
    if sf_error(file) != 0 {
      throw AudioFileError("\(path): the samples cannot be decoded (\(String(cString: sf_strerror(file)))); the file is damaged")
    }
    guard total == claimedFrames else {
      throw AudioFileError("\(path): the file ends after \(total) of the \(claimedFrames) frames it claims; it is truncated or damaged")
    }
    return samples
  }

  /// Mono at `sampleRate`: the channels averaged, then resampled by `Resampler` (libsamplerate)
  /// when the file's rate differs.
  public static func readMono(_ path: String, sampleRate: Int) throws -> [Float] {
    let sound = try read(path)
    let mono = sound.mono
    if sound.sampleRate == sampleRate { return mono }
    do {
      return try Resampler.resample(mono, channels: 1, from: sound.sampleRate, to: sampleRate)
    } catch let error as AudioFileError {
      throw AudioFileError("\(path): \(error.description)")
    }
  }
}
