import ArgumentParser
import Foundation
import Models
import Music
import Tensor
import Training

/// `ae music generate`: phrases drawn from a melody model, to MIDI (and WAV).
struct MusicGenerate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Draw phrases from a melody model and write them one after another to a MIDI file (and a WAV file).",
    discussion: "Example: ae music generate melody.h5 -n 8 --seed 1 --out phrases.mid --wav phrases.wav --tempo 100 --key Am")

  @Argument(help: "The melody model file.") var modelPath: String
  @Option(name: .customShort("n"), parsing: .unconditional, help: "Phrases to draw, 1...1000.") var count: Int = 8
  @Option(parsing: .unconditional, help: "Seed for the codes (0...2^64-1).", transform: Seed.parse) var seed: UInt64 = 1
  @Option(parsing: .unconditional, help: "Scale of the codes drawn from the prior (0 gives the prior's mean phrase).") var temperature: Float = 1
  @OptionGroup(title: "Output") var output: MusicOutputOptions
  @Flag(name: .shortAndLong, help: "No progress on stderr.") var quiet = false
  @OptionGroup(title: "Model file") var file: ModelFileOptions

  func validate() throws {
    if !(1...1000).contains(count) { throw ValidationError("-n must be 1...1000 phrases, got \(count)") }
    if !(temperature.isFinite && temperature >= 0 && temperature <= 10) { throw ValidationError("--temperature must be 0...10, got \(temperature)") }
  }

  func run() throws {
    let model = try loadInferenceModel(modelPath, file)
    let settings = try MelodyModel.settings(of: model)
    let phrases = try MelodyModel.sample(count: count, seed: seed, temperature: temperature, model: model)
    let written = try output.write(phrases, settings: settings, progress: quiet ? nil : ProgressPrinter())
    print(jsonLine(["midi": written.midi, "wav": written.wav, "phrases": phrases.count, "seconds": written.seconds]))
  }
}

/// `ae music interpolate`: the latent path between the first phrases of two MIDI files.
struct MusicInterpolate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "interpolate",
    abstract: "Decode the path between the codes of two MIDI files' first phrases, to a MIDI file (and a WAV file).",
    discussion: """
      The codes are the means of the two phrases' posteriors; the path follows the great \
      circle between them with the norm interpolated (spherical interpolation, as MusicVAE). \
      Example: ae music interpolate melody.h5 a.mid b.mid --steps 6 --out path.mid --wav path.wav
      """)

  @Argument(help: "The melody model file.") var modelPath: String
  @Argument(help: "The MIDI file the path starts from.") var from: String
  @Argument(help: "The MIDI file it ends at.") var to: String
  @Option(parsing: .unconditional, help: "Phrases on the path, ends included, 2...100.") var steps: Int = 6
  @OptionGroup(title: "Output") var output: MusicOutputOptions
  @Flag(name: .shortAndLong, help: "No progress on stderr.") var quiet = false
  @OptionGroup(title: "Model file") var file: ModelFileOptions

  func validate() throws {
    if !(2...100).contains(steps) { throw ValidationError("--steps must be 2...100, got \(steps)") }
  }

  func run() throws {
    let model = try loadInferenceModel(modelPath, file)
    let settings = try MelodyModel.settings(of: model)
    let ends = [try MelodyCorpus.firstPhrase(of: from, settings: settings), try MelodyCorpus.firstPhrase(of: to, settings: settings)]
    let codes = try MelodyModel.encode(ends, model: model)
    let path = LatentPath.spherical(from: Array(UnsafeBufferPointer(start: codes.row(0), count: codes.cols)),
                                    to: Array(UnsafeBufferPointer(start: codes.row(1), count: codes.cols)), steps: steps)
    let phrases = try MelodyModel.decode(Tensor(rows: steps, cols: codes.cols, values: path.flatMap { $0 }), model: model)
    let written = try output.write(phrases, settings: settings, progress: quiet ? nil : ProgressPrinter())
    print(jsonLine(["midi": written.midi, "wav": written.wav, "phrases": phrases.count, "seconds": written.seconds]))
  }
}

/// `ae music make-examples`: generated melodies as MIDI files, data without downloads.
struct MusicMakeExamples: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "make-examples",
    abstract: "Write generated melodies (seeded: one key each, motifs that repeat and move by scale steps) as MIDI files.",
    discussion: "Example: ae music make-examples --out melodies -n 200 --seed 1")

  @Option(help: ArgumentHelp("The folder to write to (made if missing).", valueName: "dir")) var out: String
  @Option(name: .customShort("n"), parsing: .unconditional, help: "Melodies (files), 1...100000.") var count: Int = 200
  @Option(parsing: .unconditional, help: "Bars a melody, 2...64.") var bars: Int = 8
  @Option(parsing: .unconditional, help: "Seed (0...2^64-1).", transform: Seed.parse) var seed: UInt64 = 1
  @Option(parsing: .unconditional, help: "Tempo written to the files, 20...400.") var tempo: Double = 120

  func validate() throws {
    if !(1...100_000).contains(count) { throw ValidationError("-n must be 1...100000 melodies, got \(count)") }
    if !(2...64).contains(bars) { throw ValidationError("--bars must be 2...64, got \(bars)") }
    guard tempo.isFinite, (20...400).contains(tempo) else { throw ValidationError("--tempo must be 20...400 beats a minute, got \(tempo)") }
  }

  func run() throws {
    do {
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    } catch {
      throw CommandError("\(out): cannot make the folder: \(error.localizedDescription)")
    }
    var generator = MelodyGenerator(seed: seed)
    let settings = MelodySettings(bars: bars)
    let digits = String(count).count
    for index in 1...count {
      let notes = MelodyTokens.midiNotes(generator.melody(bars: bars), ticksPerQuarter: 480, settings: settings)
      let file = MIDIFile(format: 1, ticksPerQuarter: 480, tracks: [notes],
                          tempos: [MIDIFile.Tempo(tick: 0, microsecondsPerQuarter: Int((60_000_000 / tempo).rounded()))],
                          timeSignatures: [MIDIFile.TimeSignature(tick: 0, numerator: 4, denominator: 4)])
      let number = String(index)
      try file.write(to: "\(out)/melody-\(String(repeating: "0", count: digits - number.count))\(number).mid")
    }
    print(jsonLine(["folder": out, "files": count, "bars": bars, "seed": String(seed)]))
  }
}
