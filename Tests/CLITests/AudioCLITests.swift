import Foundation
import Testing

/// `ae audio griffinlim`: a tone rebuilt from its magnitudes comes close to it and is written
/// as asked; a file that is not a sound, or bad options, get one clear error.
@Suite(.serialized) struct AudioCLITests {
  let cli = CLITests()
  var directory: String { cli.directory }

  /// A canonical 16-bit mono WAV of `samples` at `rate`, written byte by byte here (independent
  /// of the library under test).
  func writeWAV(_ samples: [Float], rate: Int, to path: String) throws {
    var bytes = Data()
    func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { bytes.append(contentsOf: $0) } }
    func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { bytes.append(contentsOf: $0) } }
    bytes.append(contentsOf: Array("RIFF".utf8)); u32(36 + 2 * samples.count)
    bytes.append(contentsOf: Array("WAVEfmt ".utf8)); u32(16); u16(1); u16(1); u32(rate); u32(2 * rate); u16(2); u16(16)
    bytes.append(contentsOf: Array("data".utf8)); u32(2 * samples.count)
    for x in samples { withUnsafeBytes(of: Int16(max(-32768, min(32767, (x * 32768).rounded()))).littleEndian) { bytes.append(contentsOf: $0) } }
    try bytes.write(to: URL(fileURLWithPath: path))
  }

  /// 0.5 s of 220 Hz with 8 harmonics, the k-th at 0.3 / k.
  var tone: [Float] {
    (0..<8000).map { n in
      var value = 0.0
      for k in 1...8 { value += 0.3 / Double(k) * sin(2 * Double.pi * 220 * Double(k) * Double(n) / 16_000 + Double(k)) }
      return Float(value)
    }
  }

  @Test func rebuildsATone() throws {
    let input = directory + "/tone.wav", output = directory + "/rebuilt.wav"
    try writeWAV(tone, rate: 16_000, to: input)
    let run = try cli.ae("audio", "griffinlim", input, "--out", output, "--iterations", "32", "--seed", "3")
    #expect(run.status == 0, "stderr: \(run.stderr)")
    let figures = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "stdout: \(run.stdout)")
    let convergence = try #require(figures["spectral_convergence"] as? Double)
    #expect(convergence > 0 && convergence < 0.15, "\(figures)")
    #expect((figures["lsd_db"] as? Double).map { $0 > 0 && $0 < 5 } == true, "\(figures)")
    #expect((figures["mr_stft"] as? Double).map { $0 > 0 && $0 < 1 } == true, "\(figures)")
    #expect(figures["samples"] as? Int == 8000)
    #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains("griffinlim: 0.50 s of sound"), "stderr: \(run.stderr)")
    // 16-bit mono PCM at 16 kHz, 8000 samples: the canonical 44-byte header and 16000 bytes.
    let written = try Data(contentsOf: URL(fileURLWithPath: output))
    #expect(written.count == 44 + 16_000)
    #expect(written.prefix(4) == Data("RIFF".utf8) && written[34] == 16 && written[24] == 0x80 && written[25] == 0x3E)
  }

  @Test func unreadableInputFailsWithOneLine() throws {
    let text = directory + "/notes.wav"
    try Data("not a sound at all\n".utf8).write(to: URL(fileURLWithPath: text))
    cli.expectFailure(try cli.ae("audio", "griffinlim", text, "--out", directory + "/x.wav"), mentioning: [text, "not a sound file"])
    cli.expectFailure(try cli.ae("audio", "griffinlim", directory + "/missing.flac", "--out", directory + "/x.wav"),
                      mentioning: ["missing.flac", "no such file"])
    #expect(!FileManager.default.fileExists(atPath: directory + "/x.wav"))
  }

  @Test func badOptionsAreUsageMistakes() throws {
    let input = directory + "/tone.wav"
    try writeWAV(tone, rate: 16_000, to: input)
    let wav = ["--out", directory + "/x.wav"]
    for arguments in [wav + ["--momentum", "2"], wav + ["--fft", "1023"], wav + ["--hop", "0"], ["--encoding", "float", "--out", directory + "/x.flac"]] {
      let run = try cli.ae(["audio", "griffinlim", input] + arguments)
      #expect(run.status == 64, "\(arguments): \(run.stderr)")
      #expect(run.stderr.hasPrefix("error: "), "\(arguments): \(run.stderr)")
    }
    let run = try cli.ae("audio", "griffinlim", input, "--out", directory + "/x.mp3")
    #expect(run.status == 64 && run.stderr.contains(".wav or .flac"), "\(run.stderr)")
  }
}
