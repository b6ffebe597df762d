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
    let written = try output.write(phrases, settings: settings, file: file, progress: quiet ? nil : ProgressPrinter())
    print(jsonLine(["midi": written.midi, "wav": written.wav, "phrases": phrases.count, "seconds": written.seconds]))
  }
}
