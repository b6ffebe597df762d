import CSndfile
#if canImport(Glibc)
import Glibc
#endif

extension SoundFile {
  /// How samples are stored.
  public enum Encoding: String, CaseIterable, Sendable {
    case pcm16, pcm24, float

    var bits: Int { self == .pcm16 ? 16 : 24 }
  }

  /// The file format, from the path's extension unless given.
  public enum Container: String, Sendable {
    case wav, flac

    /// The container `path`'s extension names (case does not matter), if any.
    public init?(path: String) {
      let name = path.split(separator: "/").last.map(String.init) ?? path
      guard let dot = name.lastIndex(of: ".") else { return nil }
      self.init(rawValue: name[name.index(after: dot)...].lowercased())
    }
  }

  /// Write `samples` (interleaved, `channels` per frame) to `path`: under a temporary name
  /// beside it, then renamed into place, so a failure leaves `path` as it was and no temporary
  /// file behind. `path` must be missing or a regular file.
  ///
  /// `normalize`: scaled so the largest magnitude is `peak` (silence stays silent). Without
  /// it, samples beyond [-1, 1] are refused rather than clipped. Integer encodings round to the
  /// nearest step of 2^-15 (pcm16) or 2^-23 (pcm24), the steps libsndfile reads them back in.
  public static func write(_ samples: [Float], sampleRate: Int, channels: Int = 1, to path: String,
                           encoding: Encoding = .pcm16, container: Container? = nil,
                           normalize: Bool = true, peak: Float = 0.99) throws {
    guard let container = container ?? Container(path: path) else {
      throw AudioFileError("\(path): the name does not say the format; end it in .wav or .flac")
    }
    if container == .flac && encoding == .float {
      throw AudioFileError("\(path): FLAC stores integers only; use --encoding pcm16 or pcm24, or a .wav file for floats")
    }
    guard channels >= 1, channels <= maximumChannels else {
      throw AudioFileError("\(path): cannot write \(channels) channels (1...\(maximumChannels))")
    }
    guard sampleRate >= 1, sampleRate <= Int(Int32.max) else {
      throw AudioFileError("\(path): cannot write a sample rate of \(sampleRate) Hz")
    }
    guard !samples.isEmpty, samples.count % channels == 0 else {
      throw AudioFileError("\(path): \(samples.count) samples do not make whole frames of \(channels) channels; nothing written")
    }
    if let bad = samples.firstIndex(where: { !$0.isFinite }) {
      throw AudioFileError("\(path): sample \(bad) is \(samples[bad]); only finite samples can be written")
    }
    let largest = samples.reduce(Float(0)) { max($0, abs($1)) }
    var scale: Float = 1
    if normalize {
      guard peak > 0, peak <= 1 else { throw AudioFileError("\(path): the peak to normalise to must be in (0, 1], not \(peak)") }
      if largest > 0 { scale = peak / largest }
    } else if largest > 1 {
      throw AudioFileError("\(path): samples reach \(largest), beyond [-1, 1]; normalise them or scale them down (they are not clipped)")
    }
    try FileChecks.checkReplaceable(path)
    let temporary = FileChecks.temporaryPath(beside: path)
    do {
      try writeFile(samples, scale: scale, sampleRate: sampleRate, channels: channels, to: temporary,
                    encoding: encoding, container: container, named: path)
      try FileChecks.checkReplaceable(path) // it may have changed while the file was written
      guard rename(temporary, path) == 0 else {
        throw AudioFileError("\(path): cannot move the finished file into place: \(FileChecks.systemError())")
      }
    } catch {
      unlink(temporary)
      throw error
    }
  }

  private static func writeFile(_ samples: [Float], scale: Float, sampleRate: Int, channels: Int, to temporary: String,
                                encoding: Encoding, container: Container, named path: String) throws {
    let descriptor = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw AudioFileError("\(path): cannot create a file in \(FileChecks.directory(of: path)): \(FileChecks.systemError())") }
    defer { close(descriptor) }
    var info = SF_INFO()
    info.samplerate = Int32(sampleRate)
    info.channels = Int32(channels)
    let major = container == .wav ? Int32(SF_FORMAT_WAV) : Int32(SF_FORMAT_FLAC)
    let minor: Int32 = switch encoding {
    case .pcm16: Int32(SF_FORMAT_PCM_16)
    case .pcm24: Int32(SF_FORMAT_PCM_24)
    case .float: Int32(SF_FORMAT_FLOAT)
    }
    info.format = major | minor
    guard let file = sf_open_fd(descriptor, Int32(SFM_WRITE), &info, 0) else {
      throw AudioFileError("\(path): libsndfile cannot write this format (\(String(cString: sf_strerror(nil))))")
    }
    let frames = samples.count / channels
    var written = 0
    if encoding == .float {
      let scaled = scale == 1 ? samples : samples.map { $0 * scale }
      written = scaled.withUnsafeBufferPointer { Int(sf_writef_float(file, $0.baseAddress, sf_count_t(frames))) }
    } else {
      // Integers in the top bits of an Int32, which libsndfile shifts down to 16 or 24 bits.
      let steps = Float(1 << (encoding.bits - 1)), shift = Int32(32 - encoding.bits)
      let low = -steps, high = steps - 1
      let integers = samples.map { Int32(min(max(($0 * scale * steps).rounded(), low), high)) << shift }
      written = integers.withUnsafeBufferPointer { Int(sf_writef_int(file, $0.baseAddress, sf_count_t(frames))) }
    }
    let writeError = sf_error(file) != 0 ? String(cString: sf_strerror(file)) : nil
    let closed = sf_close(file)
    guard written == frames, writeError == nil, closed == 0 else {
      throw AudioFileError("\(path): writing failed after \(written) of \(frames) frames (\(writeError ?? String(cString: sf_error_number(closed)))); nothing was replaced")
    }
    guard fsync(descriptor) == 0 else { throw AudioFileError("\(path): the file cannot be saved: \(FileChecks.systemError())") }
  }
}
