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

    // Through 32 mel bands and back (centres 91 Hz apart below 1 kHz, wider above) the tone's
    // partials, 220 Hz apart, blur into hills: SC 0.74 against 0.04 with Hamming alone.
    func convergenceOf(_ extra: [String]) throws -> Double {
      let run = try cli.ae(["audio", "griffinlim", input, "--out", output, "--seed", "3"] + extra)
      #expect(run.status == 0, "stderr: \(run.stderr)")
      let figures = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "stdout: \(run.stdout)")
      return try #require(figures["spectral_convergence"] as? Double)
    }
    let hamming = try convergenceOf(["--window", "hamming"]), mel = try convergenceOf(["--window", "hamming", "--mels", "32"])
    #expect(hamming < 0.15 && mel > 0.3, "hamming \(hamming), through 32 mel bands \(mel)")
  }

  /// From the streaming phase estimate the tone starts far closer than from random phases
  /// (no pass at all), and a bad start name is a usage mistake.
  @Test func theStreamingStartBeatsRandomPhases() throws {
    let input = directory + "/tone.wav", output = directory + "/rebuilt.wav"
    try writeWAV(tone, rate: 16_000, to: input)
    func convergence(_ start: String) throws -> Double {
      let run = try cli.ae("audio", "griffinlim", input, "--out", output, "--iterations", "0", "--initial-phase", start)
      #expect(run.status == 0, "stderr: \(run.stderr)")
      let figures = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "stdout: \(run.stdout)")
      return try #require(figures["spectral_convergence"] as? Double)
    }
    let streaming = try convergence("streaming"), random = try convergence("random")
    #expect(streaming < 0.2 && random > 0.4, "streaming \(streaming), random \(random)")
    let run = try cli.ae("audio", "griffinlim", input, "--out", output, "--initial-phase", "zero")
    #expect(run.status == 64 && run.stderr.hasPrefix("error: "), "\(run.stderr)")
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
    for arguments in [wav + ["--momentum", "2"], wav + ["--fft", "1023"], wav + ["--hop", "0"], ["--encoding", "float", "--out", directory + "/x.flac"],
                      wav + ["--window", "kaiser"], wav + ["--mels", "0"], wav + ["--mels", "1000"]] {
      let run = try cli.ae(["audio", "griffinlim", input] + arguments)
      #expect(run.status == 64, "\(arguments): \(run.stderr)")
      #expect(run.stderr.hasPrefix("error: "), "\(arguments): \(run.stderr)")
    }
    let run = try cli.ae("audio", "griffinlim", input, "--out", directory + "/x.mp3")
    #expect(run.status == 64 && run.stderr.contains(".wav or .flac"), "\(run.stderr)")
  }

  /// `ae` under `ulimit -v` (kilobytes of address space), as on a machine with little memory.
  func aeWithMemoryLimit(_ kilobytes: Int, _ arguments: [String]) throws -> CLITests.Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "ulimit -v \(kilobytes) && exec \"$0\" \"$@\"", CLITests.binary] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile(), errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationReason == .exit, "ae \(arguments.joined(separator: " ")) crashed under ulimit -v \(kilobytes)")
    return CLITests.Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                        stderr: String(decoding: errData, as: UTF8.self))
  }

  /// A sparse WAV (no disk used) that really holds 2^30 - 8 silent 16-bit samples: 4 GB as
  /// floats. Under a 3 GB limit the read is refused at once, naming the file, not aborted
  /// when the array holding the samples cannot grow.
  @Test func aSoundLargerThanMemoryIsRefusedBeforeReading() throws {
    let path = directory + "/long-silence.wav"
    let dataBytes: UInt32 = 0x7FFF_FFF0
    var header = Data()
    func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
    func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
    header.append(contentsOf: Array("RIFF".utf8)); u32(dataBytes + 36)
    header.append(contentsOf: Array("WAVEfmt ".utf8)); u32(16); u16(1); u16(1); u32(16_000); u32(32_000); u16(2); u16(16)
    header.append(contentsOf: Array("data".utf8)); u32(dataBytes)
    try header.write(to: URL(fileURLWithPath: path))
    let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try file.truncate(atOffset: UInt64(header.count) + UInt64(dataBytes))
    try file.close()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let run = try aeWithMemoryLimit(3_000_000, ["audio", "griffinlim", path, "--out", directory + "/x.wav"])
    cli.expectFailure(run, mentioning: [path, "1073741816 samples", "more memory than can be allocated"])
  }

  /// A timbre model small enough to train in a few seconds: 0.5 s of a tone, 2 epochs.
  func tinyTimbreModel() throws -> String {
    let folder = directory + "/notes", model = directory + "/timbre.h5"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try writeWAV(tone, rate: 16_000, to: folder + "/tone.wav")
    let run = try cli.ae("audio", "train", "--data", folder, "--out", model, "--epochs", "2", "--latent", "2", "--quiet")
    #expect(run.status == 0, "stderr: \(run.stderr)")
    return model
  }

  /// `--frames mel --mels N --window W`: the model holds N bands a frame and its window, and
  /// `ae inspect` shows both; axes that contradict each other are usage mistakes.
  @Test func melFramesWithAnotherWindowAreTrainedAndShown() throws {
    let folder = directory + "/mel-notes", model = directory + "/mel.h5"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try writeWAV(tone, rate: 16_000, to: folder + "/tone_57.wav")
    let train = ["audio", "train", "--data", folder, "--out", model, "--epochs", "2", "--latent", "2", "--quiet"]
    let run = try cli.ae(train + ["--frames", "mel", "--mels", "40", "--window", "hamming", "--condition", "pitch"])
    #expect(run.status == 0, "stderr: \(run.stderr)")
    let inspected = try cli.ae("inspect", model, "--json")
    let description = try #require(try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any])
    let sound = try #require(description["spectrogram"] as? [String: Any])
    #expect(sound["window"] as? String == "hamming" && sound["mels"] as? Int == 40 && sound["axis"] as? String == "mel")
    #expect(description["input_width"] as? Int == 40)
    let text = try cli.ae("inspect", model)
    #expect(text.stdout.contains("(hamming window), ln(band + 0.0001), 40 mel bands"), "\(text.stdout)")
    let rebuilt = try cli.ae("audio", "reconstruct", model, folder + "/tone_57.wav", "--out", directory + "/again.wav")
    #expect(rebuilt.status == 0, "stderr: \(rebuilt.stderr)")

    for (extra, words) in [(["--frames", "mel", "--harmonics", "4", "--condition", "pitch"], ["--harmonics 4", "--frames mel"]),
                           (["--mels", "40"], ["--mels 40 needs --frames mel"]),
                           (["--frames", "harmonic"], ["--frames harmonic needs --condition pitch"]),
                           (["--frames", "mel", "--mels", "600"], ["mel bands are 0...512, not 600"]),
                           (["--frames", "mel", "--mels", "0"], ["--mels must be at least 1"]),
                           (["--window", "kaiser"], ["kaiser"])] {
      cli.expectUsageError(try cli.ae(train + extra), mentioning: words)
    }
  }

  /// `--arch conv...`: 1-D convolutions along each frame, shown by `ae inspect`, and a model
  /// that reconstructs; --arch beside --layers or --latent, or convolutions with --condition,
  /// are usage mistakes that say why.
  @Test func convolutionalTimbreModelsAreTrainedAndShown() throws {
    let folder = directory + "/conv-notes", model = directory + "/conv.h5"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try writeWAV(tone, rate: 16_000, to: folder + "/tone_57.wav")
    let train = ["audio", "train", "--data", folder, "--out", model, "--epochs", "2", "--quiet"]
    let run = try cli.ae(train + ["--frames", "mel", "--mels", "40", "--arch", "conv4s2,dense2"])
    #expect(run.status == 0, "stderr: \(run.stderr)")
    let inspected = try cli.ae("inspect", model, "--json")
    let description = try #require(try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any])
    let kinds = (description["layers"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
    #expect(kinds.first == "conv1d" && kinds.last == "conv1d_transpose", "\(inspected.stdout)")
    let text = try cli.ae("inspect", model)
    #expect(text.stdout.contains("40 values (40x1 spectral frame)"), "\(text.stdout)")
    let rebuilt = try cli.ae("audio", "reconstruct", model, folder + "/tone_57.wav", "--out", directory + "/conv-again.wav")
    #expect(rebuilt.status == 0, "stderr: \(rebuilt.stderr)")

    for (extra, words) in [(["--arch", "conv4s2,dense2", "--layers", "64"], ["--arch and --layers"]),
                           (["--arch", "conv4s2,dense2", "--latent", "2"], ["--latent"]),
                           (["--arch", "conv4s2,dense2", "--condition", "pitch"], ["without --condition"]),
                           (["--arch", "dense2,conv4"], ["convolutions must come before dense layers"])] {
      cli.expectUsageError(try cli.ae(train + extra), mentioning: words)
    }
  }

  /// generate: a length under one sample is a usage mistake (it used to fail writing an empty
  /// file), an hour that does not fit in memory is one clear error (it used to abort), and the
  /// seed is printed as given.
  @Test func generateRefusesLengthsItCannotRender() throws {
    let model = try tinyTimbreModel(), out = directory + "/new.wav"
    cli.expectUsageError(try cli.ae("audio", "generate", model, "--seconds", "1e-9", "--out", out), mentioning: ["less than one sample"])
    let hour = try aeWithMemoryLimit(3_000_000, ["audio", "generate", model, "--seconds", "3600", "--out", out])
    cli.expectFailure(hour, mentioning: ["57600000 samples", "more memory than can be allocated"])
    #expect(!FileManager.default.fileExists(atPath: out))
    let run = try cli.ae("audio", "generate", model, "--seconds", "0.1", "--seed", "18446744073709551615", "--out", out)
    #expect(run.status == 0, "stderr: \(run.stderr)")
    #expect(run.stdout.contains("\"seed\": \"18446744073709551615\""), "stdout: \(run.stdout)")
  }

  /// `ae music generate --timbre`: the phrases played by a pitch-conditioned timbre model; a
  /// model without pitch, or --timbre without --wav, is refused.
  @Test func melodiesPlayWithALearnedTimbre() throws {
    let notes = directory + "/pitched", timbre = directory + "/pitched.h5"
    try FileManager.default.createDirectory(atPath: notes, withIntermediateDirectories: true)
    try writeWAV(tone, rate: 16_000, to: notes + "/tone_57.wav") // 220 Hz is A3, MIDI 57
    let trained = try cli.ae("audio", "train", "--data", notes, "--out", timbre, "--condition", "pitch", "--epochs", "2",
                             "--latent", "2", "--quiet")
    #expect(trained.status == 0, "stderr: \(trained.stderr)")
    let melodies = directory + "/melodies", melody = directory + "/melody.h5"
    #expect(try cli.ae("music", "make-examples", "--out", melodies, "-n", "4", "--seed", "1").status == 0)
    let fitted = try cli.ae("music", "train", "--data", melodies, "--out", melody, "--epochs", "1", "--latent", "4",
                            "--transpose", "0", "--quiet")
    #expect(fitted.status == 0, "stderr: \(fitted.stderr)")

    let midi = directory + "/played.mid", wav = directory + "/played.wav"
    let played = try cli.ae("music", "generate", melody, "-n", "1", "--out", midi, "--wav", wav, "--timbre", timbre,
                            "--sample-rate", "16000", "--quiet")
    #expect(played.status == 0, "stderr: \(played.stderr)")
    let sound = try #require(FileManager.default.contents(atPath: wav))
    #expect(sound.prefix(4) == Data("RIFF".utf8) && sound.count > 16_000)

    cli.expectFailure(try cli.ae("music", "generate", melody, "--out", midi, "--wav", wav, "--timbre", try tinyTimbreModel()),
                      mentioning: ["--timbre", "plays no pitch"])
    cli.expectUsageError(try cli.ae("music", "generate", melody, "--out", midi, "--timbre", timbre), mentioning: ["give --wav"])
  }
}
