import Foundation
import Testing

/// `ae music`: make-examples, train, eval, generate and interpolate end to end on generated
/// melodies, with their exit codes; a bad MIDI file is one error line and exit status 1.
extension CLITests {
  @Test func musicEndToEnd() throws {
    let train = directory + "/melodies", held = directory + "/held-out", model = directory + "/melody.h5"
    #expect(try ae("music", "make-examples", "--out", train, "-n", "30", "--seed", "1").status == 0)
    #expect(try ae("music", "make-examples", "--out", held, "-n", "6", "--seed", "2").status == 0)
    let files = try FileManager.default.contentsOfDirectory(atPath: train).filter { $0.hasSuffix(".mid") }
    #expect(files.count == 30)

    let trained = try ae("music", "train", "--data", train, "--bars", "2", "--out", model, "--epochs", "3", "--latent", "8",
                         "--seed", "1", "--transpose", "1", "--quiet")
    #expect(trained.status == 0, "\(trained.stderr)")
    // 30 melodies of 8 bars give 7 two-bar phrases each; 3 transpositions each (some may leave the range).
    #expect(trained.stdout.contains("\"phrases\": 210"), "\(trained.stdout)")

    let eval = try ae("music", "eval", model, "--data", held, "--json")
    #expect(eval.status == 0, "\(eval.stderr)")
    let figures = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
    #expect(figures["phrases"] as? Int == 42)
    for name in ["accuracy", "non_hold_accuracy", "baseline_hold_everywhere", "baseline_phrase_mode"] {
      let value = try #require(figures[name] as? Double, "\(name) in \(eval.stdout)")
      #expect((0...1).contains(value))
    }

    let midi = directory + "/phrases.mid", wav = directory + "/phrases.wav"
    let generated = try ae("music", "generate", model, "-n", "3", "--seed", "1", "--out", midi, "--wav", wav,
                           "--tempo", "150", "--key", "Am", "--sample-rate", "16000", "--quiet")
    #expect(generated.status == 0, "\(generated.stderr)")
    let header = try #require(FileManager.default.contents(atPath: midi))
    #expect(header.prefix(4) == Data("MThd".utf8))
    let sound = try #require(FileManager.default.contents(atPath: wav))
    #expect(sound.prefix(4) == Data("RIFF".utf8) && sound.count > 44)

    let path = directory + "/path.mid"
    let sorted = files.sorted()
    let walked = try ae("music", "interpolate", model, train + "/" + sorted[0], train + "/" + sorted[1], "--steps", "4",
                        "--out", path, "--quiet")
    #expect(walked.status == 0, "\(walked.stderr)")
    #expect(walked.stdout.contains("\"phrases\": 4"), "\(walked.stdout)")

    // Usage mistakes: exit 64.
    #expect(try ae("music", "generate", model, "--out", midi, "--key", "H").status == 64)
    #expect(try ae("music", "generate", model, "--out", directory + "/phrases.txt").status == 64)
    #expect(try ae("music", "train", "--data", train, "--out", model, "--bars", "0").status == 64)

    // A file that is not MIDI among the data, and as an interpolation end: exit 1, one line.
    let bad = directory + "/bad"
    try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
    try Data("not a midi file at all".utf8).write(to: URL(fileURLWithPath: bad + "/broken.mid"))
    expectFailure(try ae("music", "eval", model, "--data", bad), mentioning: ["broken.mid", "not a MIDI file"])
    expectFailure(try ae("music", "interpolate", model, bad + "/broken.mid", train + "/" + sorted[0], "--out", path),
                  mentioning: ["broken.mid", "not a MIDI file"])
    // A model that is not a melody model.
    expectFailure(try ae("music", "generate", directory + "/missing.h5", "--out", midi), mentioning: ["missing.h5"])
  }
}
