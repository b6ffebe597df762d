import ArgumentParser
import Foundation
import Music

/// `ae music eval`: how well a melody model reconstructs the phrases of a folder of MIDI files.
struct MusicEval: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Token accuracy of a melody model's reconstructions of the phrases of a folder of MIDI files.",
    discussion: """
      Each phrase is encoded to the mean of its code, decoded, and the most likely token per \
      step compared with the phrase's. Holds are most steps, so the accuracy on the other steps \
      (note starts and rests) is given too, and two baselines that use no model: every step a \
      hold, and every step the phrase's own most common token. Example: ae music eval melody.h5 --data held-out --json
      """)

  @Argument(help: "The melody model file.") var modelPath: String
  @Option(help: ArgumentHelp("A folder of .mid or .midi files (searched recursively); use files the model did not train on.", valueName: "dir")) var data: String
  @Flag(help: "One JSON line instead of text.") var json = false
  @OptionGroup(title: "Model file") var file: ModelFileOptions

  func run() throws {
    let model = try loadInferenceModel(modelPath, file)
    let settings = try MelodyModel.settings(of: model)
    let files = try MelodyCorpus.files(in: data)
    let phrases = try MelodyCorpus.phrases(of: files, settings: settings)
    guard !phrases.isEmpty else {
      throw CommandError("\(data): its \(files.count) MIDI files hold no phrase of \(settings.bars) bars that is at most half rests")
    }
    let e = try MelodyEvaluation.evaluate(model, phrases: phrases)
    if json {
      print(jsonLine([
        "files": files.count, "phrases": e.phrases, "steps": e.steps, "accuracy": e.accuracy, "non_hold_accuracy": e.nonHoldAccuracy,
        "baseline_hold_everywhere": e.holdEverywhereAccuracy, "baseline_phrase_mode": e.phraseModeAccuracy,
      ]))
    } else {
      func percent(_ value: Double) -> String { String(format: "%.1f %%", 100 * value) }
      print("\(e.phrases) phrases of \(settings.bars) bars from \(files.count) files (\(e.steps) steps)")
      print("token accuracy:                 \(percent(e.accuracy))")
      print("accuracy on note starts, rests: \(percent(e.nonHoldAccuracy))")
      print("baseline, hold everywhere:      \(percent(e.holdEverywhereAccuracy))")
      print("baseline, phrase's most common: \(percent(e.phraseModeAccuracy))")
    }
  }
}
