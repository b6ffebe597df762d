import ArgumentParser
import Audio
import Foundation

/// `ae audio reconstruct`: a sound through a timbre model and back.
struct AudioReconstruct: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reconstruct",
    abstract: "Encode a sound with a timbre model, decode it and render it.",
    usage: "ae audio reconstruct <timbre.h5> <in.wav> --out <out.wav> [--pitch <midi>] [--spectrogram <out.png>]",
    discussion: "Example: ae audio reconstruct timbre.h5 violin_60.wav --out again.wav --spectrogram again.png")

  @Argument(help: "The timbre model (.h5).") var model: String
  @Argument(help: "The sound to reconstruct (any format libsndfile reads).") var input: String
  @Option(help: ArgumentHelp("The sound to write (.wav or .flac).", valueName: "file")) var out: String
  @Option(help: "The sound's MIDI note number (pitch-conditioned models; default: from the file name, else estimated).") var pitch: Double?
  @Option(help: "Griffin-Lim passes after the streaming phase when rendering.") var iterations = TimbreModel.defaultIterations
  @Option(help: ArgumentHelp("Also draw input, output and code trajectory to this PNG.", valueName: "file")) var spectrogram: String?
  @OptionGroup var sound: SoundOutputOptions
  @OptionGroup var file: ModelFileOptions

  func validate() throws {
    try AudioInputs.checkPitch(pitch)
    if !(0...1000).contains(iterations) { throw ValidationError("--iterations must be 0 to 1000, got \(iterations)") }
  }

  func run() throws {
    try checkOutput(out, formats: OutputFormat.sounds)
    if let spectrogram { try checkOutput(spectrogram, option: "--spectrogram", formats: [.png]) }
    let timbre = try AudioInputs.model(model, file, iterations: iterations)
    let samples = try AudioInputs.sound(input, for: timbre)
    try AudioInputs.checkMemory(timbre, samples: samples.count)
    let pitch = try AudioInputs.pitch(pitch, path: input, samples: samples, for: timbre)
    let (output, codes) = try timbre.reconstruct(samples, pitch: pitch)
    try sound.write(output, sampleRate: timbre.sampleRate, to: out)
    if let spectrogram { try AudioInputs.drawSpectrogram(spectrogram, model: timbre, input: samples, output: output, codes: codes) }
    print(jsonLine([
      "out": out, "seconds": Double(output.count) / Double(timbre.sampleRate), "frames": codes.rows, "pitch": pitch,
      "lsd_db": SpectralMetrics.logSpectralDistance(reference: samples, estimate: output),
      "spectral_convergence": SpectralMetrics.spectralConvergence(reference: samples, estimate: output),
    ]))
  }
}
