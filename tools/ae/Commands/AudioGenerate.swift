import ArgumentParser
import Audio
import Foundation

/// `ae audio generate`: a new sound from a timbre model.
struct AudioGenerate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Generate a sound: a seeded walk through a timbre model's codes, rendered.",
    usage: "ae audio generate <timbre.h5> --seconds <s> --seed <n> [--pitch <midi>] --out <out.wav> [--spectrogram <out.png>]",
    discussion: "The code glides between points drawn from the model's prior every half second. Example: ae audio generate timbre.h5 --seconds 4 --seed 7 --pitch 60 --out new.wav")

  @Argument(help: "The timbre model (.h5).") var model: String
  @Option(help: "Length in seconds.") var seconds: Double = 2
  @Option(parsing: .unconditional, help: "Seed of the walk (0...2^64-1).", transform: Seed.parse) var seed: UInt64 = 1
  @Option(help: "MIDI note number (pitch-conditioned models; default 60).") var pitch: Double?
  @Option(help: ArgumentHelp("The sound to write (.wav or .flac).", valueName: "file")) var out: String
  @Option(help: "Griffin-Lim passes after the streaming phase when rendering.") var iterations = TimbreModel.defaultIterations
  @Option(help: ArgumentHelp("Also draw the output and its code trajectory to this PNG.", valueName: "file")) var spectrogram: String?
  @OptionGroup var sound: SoundOutputOptions
  @OptionGroup var file: ModelFileOptions

  func validate() throws {
    try AudioInputs.checkPitch(pitch)
    if !(seconds.isFinite && seconds > 0 && seconds <= 3600) { throw ValidationError("--seconds must be above 0 and at most 3600, got \(seconds)") }
    if !(0...1000).contains(iterations) { throw ValidationError("--iterations must be 0 to 1000, got \(iterations)") }
  }

  func run() throws {
    try checkOutput(out, formats: OutputFormat.sounds)
    if let spectrogram { try checkOutput(spectrogram, option: "--spectrogram", formats: [.png]) }
    let timbre = try AudioInputs.model(model, file, iterations: iterations)
    let pitch = timbre.takesPitch ? (pitch ?? 60) : try AudioInputs.pitch(pitch, path: nil, samples: nil, for: timbre)
    let samples = Int(seconds * Double(timbre.sampleRate))
    guard samples >= 1 else { throw ValidationError("--seconds \(seconds) is less than one sample at \(timbre.sampleRate) Hz") }
    try AudioInputs.checkMemory(timbre, samples: samples)
    let started = Date(), cpuStarted = processCPUSeconds()
    let (output, codes) = try timbre.generate(seconds: seconds, seed: seed, pitch: pitch)
    let elapsed = Date().timeIntervalSince(started), cpuSeconds = processCPUSeconds() - cpuStarted
    try sound.write(output, sampleRate: timbre.sampleRate, to: out)
    if let spectrogram { try AudioInputs.drawSpectrogram(spectrogram, model: timbre, input: nil, output: output, codes: codes) }
    print(jsonLine([
      "out": out, "seconds": seconds, "seed": String(seed), "pitch": pitch, "frames": codes.rows,
      "render_seconds": elapsed, "real_time_factor": seconds / max(elapsed, 1e-9),
      "render_cpu_seconds": cpuSeconds, "cpu_real_time_factor": seconds / max(cpuSeconds, 1e-9),
    ]))
  }
}
