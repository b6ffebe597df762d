import ArgumentParser
import Audio
import AudioTraining
import Foundation

/// `ae audio eval`: a timbre model's reconstructions of held-out sounds, beside Griffin-Lim.
struct AudioEval: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Measure a timbre model's reconstructions of held-out sounds against the Griffin-Lim ceiling.",
    usage: "ae audio eval <timbre.h5> --data <dir> [--json]",
    discussion: """
      For each sound under --data: the log-spectral distance (dB), spectral convergence and \
      multi-resolution STFT distance of the model's reconstruction, and of Griffin-Lim from \
      the sound's true magnitude (the best any magnitude model can do with this phase \
      reconstruction). Example: ae audio eval timbre.h5 --data held-out/ --json
      """)

  @Argument(help: "The timbre model (.h5).") var model: String
  @Option(help: ArgumentHelp("A folder of held-out sounds (pitches from their names, else estimated).", valueName: "dir")) var data: String
  @Option(help: "Griffin-Lim passes, for the model and the ceiling alike.") var iterations = 32
  @Flag(help: "Print the scores as JSON.") var json = false
  @OptionGroup var file: ModelFileOptions

  func validate() throws {
    if !(0...1000).contains(iterations) { throw ValidationError("--iterations must be 0 to 1000, got \(iterations)") }
  }

  func run() throws {
    let timbre = try AudioInputs.model(model, file, iterations: iterations)
    let sounds = try SoundFolder.read(data, sampleRate: timbre.sampleRate, pitch: timbre.takesPitch)
    let report = try TimbreEvaluation.evaluate(timbre, sounds: sounds)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      print(String(decoding: try encoder.encode(report), as: UTF8.self))
      return
    }
    print("\(report.files) sounds, \(report.iterations) Griffin-Lim passes")
    print("reconstruction          LSD (dB)  spectral convergence  MR-STFT")
    for (name, scores) in [("model", report.model), ("Griffin-Lim ceiling", report.griffinLim)] {
      print(name.padding(toLength: 22, withPad: " ", startingAt: 0)
        + String(format: "  %8.2f  %20.3f  %7.3f", scores.lsd, scores.spectralConvergence, scores.multiResolutionSTFT))
    }
  }
}
