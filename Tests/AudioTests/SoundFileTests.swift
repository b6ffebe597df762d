import AudioFiles
import Foundation
import Testing
import TestSupport

@Suite struct SoundFileTests {
  let directory = TestData.temporaryDirectory("ae-audio")

  /// Values on the 16-bit grid and between its steps, up to full scale in both directions.
  var ramp: [Float] { (0..<4001).map { Float($0 - 2000) / 2000 * 0.999 } + [-1, 1, 0.5, 1.0 / 3] }

  @Test func pcm16RoundTripIsWithinOneStep() throws {
    let path = directory + "/ramp.wav"
    try SoundFile.write(ramp, sampleRate: 16_000, to: path, normalize: false)
    let sound = try SoundFile.read(path)
    #expect(sound.sampleRate == 16_000 && sound.channels == 1 && sound.samples.count == ramp.count)
    #expect(Signals.maximumDifference(sound.samples, ramp) <= 1 / 32768)
  }

  @Test func pcm24AndFloatRoundTrips() throws {
    let path24 = directory + "/ramp24.wav", pathFloat = directory + "/rampf.wav"
    try SoundFile.write(ramp, sampleRate: 22_050, to: path24, encoding: .pcm24, normalize: false)
    try SoundFile.write(ramp, sampleRate: 22_050, to: pathFloat, encoding: .float, normalize: false)
    #expect(Signals.maximumDifference(try SoundFile.read(path24).samples, ramp) <= 1.0 / 8_388_608)
    #expect(try SoundFile.read(pathFloat).samples == ramp) // float is stored exactly
  }

  @Test func flacRoundTripAndFloatRefused() throws {
    let path = directory + "/ramp.flac"
    try SoundFile.write(ramp, sampleRate: 48_000, to: path, encoding: .pcm24, normalize: false)
    let sound = try SoundFile.read(path)
    #expect(sound.sampleRate == 48_000)
    #expect(Signals.maximumDifference(sound.samples, ramp) <= 1.0 / 8_388_608)
    #expect(throws: AudioFileError.self) { try SoundFile.write(ramp, sampleRate: 48_000, to: path, encoding: .float) }
  }

  @Test func normalizationAndRefusedClipping() throws {
    let path = directory + "/loud.wav"
    let loud: [Float] = [0, 2, -4, 1]
    let error = #expect(throws: AudioFileError.self) { try SoundFile.write(loud, sampleRate: 8000, to: path, normalize: false) }
    #expect(error?.description.contains("beyond [-1, 1]") == true)
    try SoundFile.write(loud, sampleRate: 8000, to: path, encoding: .float, peak: 0.5)
    #expect(try SoundFile.read(path).samples == [0, 0.25, -0.5, 0.125])
  }

  @Test func stereoToMonoAveragesTheChannels() throws {
    let path = directory + "/stereo.wav"
    let left = Signals.sine(440, rate: 16_000, count: 1600, amplitude: 0.5)
    let stereo = left.flatMap { [$0, Float(0.25)] }
    try SoundFile.write(stereo, sampleRate: 16_000, channels: 2, to: path, encoding: .float, normalize: false)
    let sound = try SoundFile.read(path)
    #expect(sound.channels == 2 && sound.frames == 1600)
    let mono = try SoundFile.readMono(path, sampleRate: 16_000)
    #expect(Signals.maximumDifference(mono, left.map { ($0 + 0.25) / 2 }) <= 1e-7)
  }

  @Test func resamplingKeepsFrequencyAndLevel() throws {
    let path = directory + "/sine44.wav"
    // 1 s of a 1 kHz sine at 0.5: whole periods at both rates.
    try SoundFile.write(Signals.sine(1000, rate: 44_100, count: 44_100), sampleRate: 44_100, to: path, encoding: .float, normalize: false)
    let mono = try SoundFile.readMono(path, sampleRate: 16_000)
    #expect(mono.count == 16_000)
    let middle = Array(mono[1000..<15_000]) // 14000 samples: 875 whole periods, away from the edges
    #expect(abs(Signals.amplitude(of: middle, at: 1000, rate: 16_000) - 0.5) < 0.005)
    #expect(Signals.amplitude(of: middle, at: 1100, rate: 16_000) < 0.005)
    // Time-aligned: sample for sample the same sine sampled at 16 kHz.
    let ideal = Array(Signals.sine(1000, rate: 16_000, count: 16_000)[1000..<15_000])
    #expect(Signals.maximumDifference(middle, ideal) < 0.005)
  }

  @Test func resamplerRefusesImpossibleRates() {
    #expect(throws: AudioFileError.self) { try Resampler.resample([0, 1], channels: 1, from: 0, to: 16_000) }
    #expect(throws: AudioFileError.self) { try Resampler.resample([0, 1], channels: 1, from: 1, to: 16_000) }
    #expect(throws: AudioFileError.self) { try Resampler.resample([0, 1, 2], channels: 2, from: 8000, to: 16_000) }
  }

  /// The error reading `path` gives, which must name the file.
  func readError(_ path: String) -> String {
    do {
      _ = try SoundFile.read(path)
      return "read succeeded"
    } catch {
      #expect(error is AudioFileError)
      #expect("\(error)".contains(path))
      return "\(error)"
    }
  }

  /// A canonical 44-byte WAV header for 16-bit mono at 16 kHz whose data chunk claims `dataBytes`.
  func wavHeader(dataBytes: UInt32) -> Data {
    var bytes = Data()
    func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    bytes.append(contentsOf: Array("RIFF".utf8)); u32(dataBytes &+ 36)
    bytes.append(contentsOf: Array("WAVEfmt ".utf8)); u32(16); u16(1); u16(1); u32(16_000); u32(32_000); u16(2); u16(16)
    bytes.append(contentsOf: Array("data".utf8)); u32(dataBytes)
    return bytes
  }

  @Test func hostileFilesGiveClearErrors() throws {
    #expect(readError(directory + "/missing.wav").contains("no such file"))
    let text = directory + "/text.wav"
    try Data("this is not a sound\n".utf8).write(to: URL(fileURLWithPath: text))
    #expect(readError(text).contains("not a sound file"))
    let empty = directory + "/empty.wav"
    try Data().write(to: URL(fileURLWithPath: empty))
    #expect(readError(empty).contains("not a sound file"))
    let truncated = directory + "/truncated.wav"
    try wavHeader(dataBytes: 2000).prefix(20).write(to: URL(fileURLWithPath: truncated))
    #expect(readError(truncated).contains("not a sound file"))
    let huge = directory + "/huge.wav"
    try (wavHeader(dataBytes: 0x7FFF_FFF0) + Data(count: 200)).write(to: URL(fileURLWithPath: huge))
    let hugeError = readError(huge) // libsndfile trusts the file's real size; either way no 2 GB is allocated
    #expect(hugeError == "read succeeded" ? try SoundFile.read(huge).samples.count == 100 : hugeError.contains("frames"))
    let silent = directory + "/noframes.wav"
    try wavHeader(dataBytes: 0).write(to: URL(fileURLWithPath: silent))
    #expect(readError(silent).contains("no samples"))
    #expect(readError(directory).contains("is a directory"))
    let fifo = directory + "/fifo.wav"
    #expect(mkfifo(fifo, 0o600) == 0)
    #expect(readError(fifo).contains("FIFO")) // returns at once: never opened for reading
  }

  /// The check made before reading a file's samples: an impossible size is an error naming
  /// what needed it, a small one passes.
  @Test func memoryCheckRefusesWhatCannotBeAllocated() throws {
    #expect(throws: AudioFileError.self) { try MemoryCheck.floats(Int.max / 4, for: "a test") }
    do {
      try MemoryCheck.floats(1 << 60, for: "x.wav: the samples")
      Issue.record("2^60 floats passed the check")
    } catch {
      #expect("\(error)".hasPrefix("x.wav: the samples need") && "\(error)".contains("more memory than can be allocated"))
    }
    try MemoryCheck.floats(1 << 20, for: "a megabyte")
  }

  @Test func floatFilesWithNaNAreRefused() throws {
    let path = directory + "/nan.wav"
    try SoundFile.write([0, 0.5, 0.25], sampleRate: 8000, to: path, encoding: .float, normalize: false)
    // Patch the middle sample: the last 4 bytes holding 0.5 (libsndfile's PEAK chunk holds it too, before the data).
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let half = withUnsafeBytes(of: Float(0.5).bitPattern.littleEndian) { Data($0) }
    let range = try #require(bytes.range(of: half, options: .backwards))
    bytes.replaceSubrange(range, with: withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { Data($0) })
    try bytes.write(to: URL(fileURLWithPath: path))
    #expect(readError(path).contains("nan"))
  }

  @Test func writesOverNonRegularFilesAreRefusedAndLeaveNoTemporaryFile() throws {
    let fifo = directory + "/out-fifo.wav"
    #expect(mkfifo(fifo, 0o600) == 0)
    #expect(throws: AudioFileError.self) { try SoundFile.write([0.1], sampleRate: 8000, to: fifo) }
    let folder = directory + "/out.wav"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    let error = #expect(throws: AudioFileError.self) { try SoundFile.write([0.1], sampleRate: 8000, to: folder) }
    #expect(error?.description.contains("directory") == true)
    // libsndfile refuses FLAC above 655350 Hz when it opens the temporary file (already
    // created): the failed write leaves the earlier file as it was and no temporary file.
    let flac = directory + "/kept.flac"
    try SoundFile.write([0.5, -0.5], sampleRate: 8000, to: flac, normalize: false)
    #expect(throws: AudioFileError.self) { try SoundFile.write([0.1], sampleRate: 1_000_000, to: flac) }
    #expect(try SoundFile.read(flac).samples == [0.5, -0.5])
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
    #expect(Set(names) == ["out-fifo.wav", "out.wav", "kept.flac"], "\(names)")
  }
}
