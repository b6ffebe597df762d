import ArgumentParser
import Audio
import Foundation

/// `ae audio morph`: from one sound to another through a timbre model's codes.
struct AudioMorph: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "morph",
    abstract: "Morph between two sounds: encode both, walk the code path between them, render each step.",
    usage: "ae audio morph <timbre.h5> <a.wav> <b.wav> --steps 8 --out <out.wav> [--spectrogram <out.png>]",
    discussion: "The output holds the steps one after another, each as long as the first sound. Example: ae audio morph timbre.h5 flute_60.wav violin_60.wav --steps 8 --out morph.wav")

  @Argument(help: "The timbre model (.h5).") var model: String
  @Argument(help: "The sound to start from.") var first: String
  @Argument(help: "The sound to end at.") var second: String
  @Option(help: "Sounds from the first to the second, both included.") var steps = 8
  @Option(help: ArgumentHelp("The sound to write (.wav or .flac).", valueName: "file")) var out: String
  @Option(name: .customLong("pitch-a"), help: "The first sound's MIDI note number (default: from its name, else estimated).") var pitchA: Double?
  @Option(name: .customLong("pitch-b"), help: "The second sound's MIDI note number (default: from its name, else estimated).") var pitchB: Double?
  @Option(help: "Griffin-Lim passes after the streaming phase when rendering.") var iterations = TimbreModel.defaultIterations
  @Option(help: ArgumentHelp("Also draw the output and its code path to this PNG.", valueName: "file")) var spectrogram: String?
  @OptionGroup var sound: SoundOutputOptions
  @OptionGroup var file: ModelFileOptions

  func validate() throws {
    try AudioInputs.checkPitch(pitchA)
    try AudioInputs.checkPitch(pitchB)
    if !(2...1000).contains(steps) { throw ValidationError("--steps must be 2 to 1000, got \(steps)") }
    if !(0...1000).contains(iterations) { throw ValidationError("--iterations must be 0 to 1000, got \(iterations)") }
  }

  func run() throws {
    try checkOutput(out, formats: OutputFormat.sounds)
    if let spectrogram { try checkOutput(spectrogram, option: "--spectrogram", formats: [.png]) }
    let timbre = try AudioInputs.model(model, file, iterations: iterations)
    let a = try AudioInputs.sound(first, for: timbre), b = try AudioInputs.sound(second, for: timbre)
    try AudioInputs.checkMemory(timbre, samples: max(a.count * steps, b.count))
    var pitches: (Double, Double)?
    if timbre.takesPitch {
      pitches = (try AudioInputs.pitch(pitchA, path: first, samples: a, for: timbre)!,
                 try AudioInputs.pitch(pitchB, path: second, samples: b, for: timbre)!)
    } else {
      _ = try AudioInputs.pitch(pitchA ?? pitchB, path: nil, samples: nil, for: timbre)
    }
    let (output, codes) = try timbre.morph(a, b, pitches: pitches, steps: steps)
    try sound.write(output, sampleRate: timbre.sampleRate, to: out)
    if let spectrogram { try AudioInputs.drawSpectrogram(spectrogram, model: timbre, input: nil, output: output, codes: codes) }
    print(jsonLine(["out": out, "steps": steps, "seconds": Double(output.count) / Double(timbre.sampleRate)]))
  }
}
