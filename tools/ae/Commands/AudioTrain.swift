import ArgumentParser
import Audio
import AudioTraining
import Foundation
import Models
import Store
import Training

/// `ae audio train`: a timbre model from a folder of sounds.
struct AudioTrain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a timbre model: a VAE over the spectral frames of a folder of sounds.",
    usage: "ae audio train --data <dir> --out <timbre.h5> [--latent 16] [--epochs <n>] [--sample-rate 16000] [--window hann] [--frames linear|mel|harmonic] [--mels 80] [--condition pitch [--harmonics <n>]] [--layers 512,256 | --arch conv16s2,conv32s2,dense16]",
    discussion: """
      Every sound file under --data (WAV, FLAC, OGG, AIFF...) is read as mono at the model's \
      rate (resampled with libsamplerate), cut into STFT frames (--fft, --hop, --window) and \
      trained on as log-magnitudes. A frame holds one value per STFT bin (--frames linear), one \
      per mel band (--frames mel --mels N: the log of each Slaney band's mean magnitude, a \
      smaller frame that keeps the envelope and loses detail finer than a band), or, for pitch \
      models, values on a pitch-relative axis (--frames harmonic). With --condition pitch each \
      sound's MIDI note number comes from the last number in its name (violin_60.wav) or is \
      estimated, and the code learns the timbre while the condition carries the note; its frames \
      then lie on the pitch-relative axis unless --frames says otherwise (--harmonics of the \
      fundamental, --points-per-harmonic each, read between bins by cubic interpolation), so a \
      harmonic sits in the same place at every pitch and the model renders pitches it never \
      heard. --harmonics 0 keeps the STFT's bins. Examples: ae audio train --data notes/ --out \
      timbre.h5 --condition pitch; ae audio train --data notes/ --out mel.h5 --frames mel --mels 128 --condition pitch. \
      --arch puts 1-D convolutions before the dense layers: each frame is a row of (width, 1) and \
      the convolutions run along its axis (frequency); they need a model without --condition, \
      since a conditional model's encoder starts with a dense layer that reads the condition \
      (ae audio train --data notes/ --out conv.h5 --frames mel --arch conv16s2,conv32s2,dense16).
      """)

  @Option(help: ArgumentHelp("A folder of sound files (searched recursively).", valueName: "dir")) var data: String
  @Option(help: ArgumentHelp("The model file to write (.h5).", valueName: "file")) var out: String
  @Option(help: "Values in the code of a frame (default 16).") var latent: Int?
  @Option(parsing: .unconditional, help: "Passes over the frames (default: 20 to 300, fewer for more frames).") var epochs: Int?
  @Option(name: .customLong("sample-rate"), help: "The model's sample rate in Hz.") var sampleRate = 16_000
  @Option(help: "Samples per STFT frame.") var fft = 1024
  @Option(help: "Samples between frames.") var hop = 256
  @Option(help: ArgumentHelp("The STFT's window, periodic as librosa's.", valueName: "name")) var window: SpectralWindow = .hann
  @Option(help: ArgumentHelp("What a frame holds: linear (STFT bins), mel (--mels bands) or harmonic (pitch models; default with --condition pitch).", valueName: "axis")) var frames: FrameAxisArgument?
  @Option(help: ArgumentHelp("Mel bands per frame with --frames mel (default 80; at most \(SpectrogramSettings.supportedMels.upperBound) and the bins).", valueName: "n")) var mels: Int?
  @Option(help: ArgumentHelp("A condition the model takes: pitch.", valueName: "name")) var condition: String?
  @Option(help: ArgumentHelp("Harmonics of the fundamental a frame covers (pitch models; default: up to half the sample rate at the lowest pitch, at most \(TimbreTrainer.maximumDefaultHarmonics); 0 for the STFT's bins).", valueName: "n")) var harmonics: Int?
  @Option(name: .customLong("points-per-harmonic"), help: "Values per harmonic on that axis.") var pointsPerHarmonic = 32
  @Option(help: ArgumentHelp("Hidden widths of the encoder, comma-separated (the decoder mirrors them; default \(TimbreTrainer.Options().hidden.map(String.init).joined(separator: ","))).", valueName: "widths")) var layers: String?
  @Option(help: ArgumentHelp("The encoder as layers, e.g. conv16s2,conv32s2,dense16 (conv<filters>[k<kernel>][s<stride>], dense<units>; the last dense item is the latent, which --latent then may not give); instead of --layers. Convolutions need a model without --condition.", valueName: "layers")) var arch: String?
  @Option(parsing: .unconditional, help: "Weight of the KL term (small keeps each frame's detail in its code).") var beta = TimbreTrainer.Options().beta
  @Option(name: .customLong("loudness-weight"), parsing: .unconditional, help: "How much more the loud rows count in the loss (0: all alike).") var loudnessWeight = TimbreTrainer.Options().loudnessWeight
  @Option(parsing: .unconditional, help: "Learning rate (Adam).") var lr = TimbreTrainer.Options().learningRate
  @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Frames per update.") var batchSize = 128
  @Option(parsing: .unconditional, help: "Seed for the fit (0...2^64-1).", transform: Seed.parse) var seed: UInt64 = 1
  @Flag(name: .shortAndLong, help: "No progress on stderr.") var quiet = false
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func validate() throws {
    if let latent, !(1...1024).contains(latent) { throw ValidationError("--latent must be 1 to 1024, got \(latent)") }
    if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
    if let layers, hiddenWidths == nil { throw ValidationError("--layers takes widths from 1 to 65536 separated by commas, like 512,256; got '\(layers)'") }
    if let arch {
      if layers != nil { throw ValidationError("--arch and --layers both describe the encoder: give one of them") }
      let architecture: Architecture
      do { architecture = try Architecture(parsing: arch) } catch { throw ValidationError("--arch \(arch): \(error)") }
      if latent != nil { throw ValidationError("--arch \(arch) ends in the latent's width; --latent is for --layers models") }
      if architecture.hasConvolutions && condition != nil {
        throw ValidationError("--arch \(arch): convolutions need a model without --condition (a conditional model's encoder must start with a dense layer, which reads the condition beside the frame); use --frames linear or mel without --condition, or dense items only")
      }
    }
    if !(beta.isFinite && beta >= 0) { throw ValidationError("--beta must be 0 or more, got \(beta)") }
    if !(loudnessWeight.isFinite && (0...1000).contains(loudnessWeight)) { throw ValidationError("--loudness-weight must be 0 to 1000, got \(loudnessWeight)") }
    if !(lr.isFinite && lr > 0 && lr <= 1) { throw ValidationError("--lr must be above 0 and at most 1, got \(lr)") }
    if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    if let condition, !SpectrogramSettings.conditions.contains(condition) {
      throw ValidationError("--condition takes \(SpectrogramSettings.conditions.joined(separator: ", ")), not '\(condition)'")
    }
    if let harmonics, harmonics > 0, condition != "pitch" {
      throw ValidationError("--harmonics needs --condition pitch (the axis follows each sound's pitch)")
    }
    if axis == .harmonic && condition != "pitch" {
      throw ValidationError("--frames harmonic needs --condition pitch (the axis follows each sound's pitch)")
    }
    if let harmonics, axis != .harmonic, harmonics > 0 {
      throw ValidationError("--harmonics \(harmonics) puts frames on the harmonic axis; --frames \(frames?.rawValue ?? "") is another axis: give one of them")
    }
    if frames == .harmonic, harmonics == 0 {
      throw ValidationError("--frames harmonic needs at least one harmonic; --harmonics 0 is --frames linear")
    }
    if let mels, axis != .mel { throw ValidationError("--mels \(mels) needs --frames mel") }
    if let mels, mels < 1 { throw ValidationError("--mels must be at least 1, got \(mels)") }
    let problems = settings(harmonics: axis == .harmonic ? (harmonics ?? 1) : 0).problems()
    if !problems.isEmpty { throw ValidationError(problems.joined(separator: "; ")) }
  }

  /// The frame's axis: as --frames says, else harmonic for pitch models (unless --harmonics 0),
  /// else the bins.
  var axis: SpectrogramSettings.Axis {
    if let frames { return frames.axis }
    return condition == "pitch" && harmonics != 0 ? .harmonic : .bins
  }

  var hiddenWidths: [Int]? {
    guard let layers else { return TimbreTrainer.Options().hidden }
    let widths = layers.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard (1...16).contains(widths.count), widths.allSatisfy({ $0.map { (1...65_536).contains($0) } == true }) else { return nil }
    return widths.compactMap { $0 }
  }

  func settings(harmonics: Int) -> SpectrogramSettings {
    SpectrogramSettings(sampleRate: sampleRate, fftSize: fft, hop: hop, window: window, condition: condition,
                        harmonics: harmonics, pointsPerHarmonic: pointsPerHarmonic, mels: axis == .mel ? mels ?? 80 : 0)
  }

  func run() throws {
    compute.apply()
    try checkOutput(out, formats: [.h5])
    let progress = quiet ? nil : ProgressPrinter()
    let sounds = try SoundFolder.read(data, sampleRate: sampleRate, pitch: condition == "pitch")
    var options = TimbreTrainer.Options()
    let lowest = sounds.compactMap(\.pitch).min()
    let defaultHarmonics = lowest.map { TimbreTrainer.defaultHarmonics(lowestPitch: $0, sampleRate: sampleRate) } ?? 0
    options.settings = settings(harmonics: axis == .harmonic ? harmonics ?? defaultHarmonics : 0)
    options.latent = latent ?? options.latent
    options.epochs = epochs
    options.batchSize = batchSize
    options.hidden = hiddenWidths ?? options.hidden
    options.architecture = try arch.map { try Architecture(parsing: $0) }
    options.beta = beta
    options.learningRate = lr
    options.loudnessWeight = loudnessWeight
    options.seed = seed
    let pitches = Set(sounds.compactMap(\.pitch).map { Int($0) }).sorted()
    progress?.message("\(sounds.count) sounds at \(sampleRate) Hz" + (pitches.isEmpty ? "" : ", pitches \(pitches.first!)...\(pitches.last!)"))
    let (model, result, frames) = try TimbreTrainer.fit(sounds, options: options, progress: progress)
    try saveTrainedModel(model, history: result.history, to: out)
    print(jsonLine([
      "model": out, "sounds": sounds.count, "frames": frames, "epochs": result.history.epochs,
      "loss": result.history.loss.last, "seconds": result.history.seconds.reduce(0, +),
    ]))
  }
}
