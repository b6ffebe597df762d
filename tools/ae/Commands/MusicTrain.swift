import ArgumentParser
import Foundation
import Models
import Music
import Store
import Tensor
import Training

/// `ae music train`: a melody VAE from a folder of MIDI files.
struct MusicTrain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a melody VAE on the phrases of a folder of MIDI files.",
    usage: "ae music train --data <dir> --out <melody.h5> [--bars 2] [--epochs 10] [--latent 32] [--seed <seed>] [--transpose 5]",
    discussion: """
      Each file's notes are quantized to 16ths and reduced to one line (the highest sounding \
      note); phrases of --bars 4/4 bars start at every bar, leaving out those more than half \
      rests. Each phrase is also trained transposed by up to --transpose semitones each way. \
      The model is a dense VAE over the one-hot token steps (hold, rest, 88 pitches) with a \
      softmax per step. Example: ae music train --data melodies --bars 2 --out melody.h5 --seed 1
      """)

  @Option(help: ArgumentHelp("A folder of .mid or .midi files (searched recursively).", valueName: "dir")) var data: String
  @Option(help: ArgumentHelp("The model file to write (.h5).", valueName: "file")) var out: String
  @Option(parsing: .unconditional, help: "Bars of 16 steps a phrase, 1...8.") var bars: Int = 2
  @Option(parsing: .unconditional, help: "Passes over the phrases.") var epochs: Int = 10
  @Option(parsing: .unconditional, help: "The code's width.") var latent: Int = 32
  @Option(parsing: .unconditional, help: "Encoder widths, comma-separated (the decoder mirrors them).") var hidden: String = "512,256"
  @Option(parsing: .unconditional, help: "Weight of the KL term, reached after --kl-warmup epochs.") var beta: Float = 0.05
  @Option(name: .customLong("kl-warmup"), parsing: .unconditional, help: "Epochs over which the KL weight rises from 0 to --beta.") var klWarmup: Int = 3
  @Option(parsing: .unconditional, help: "Fraction of units dropped in training, 0...0.9.") var dropout: Float = 0
  @Option(parsing: .unconditional, help: "Seed for the fit (0...2^64-1).", transform: Seed.parse) var seed: UInt64 = 1
  @Option(parsing: .unconditional, help: "Also train each phrase transposed by up to this many semitones each way (0...12; each adds two copies of the data). On the Essen folk songs 2 raised held-out note starts and rests from 88.0 % to 94.6 % (0 for none).") var transpose: Int = 2
  @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Phrases per update.") var batchSize: Int = 64
  @Flag(name: .shortAndLong, help: "No progress on stderr.") var quiet = false
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func validate() throws {
    if !(1...8).contains(bars) { throw ValidationError("--bars must be 1...8, got \(bars)") }
    if epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
    if !(1...1024).contains(latent) { throw ValidationError("--latent must be 1...1024, got \(latent)") }
    if !(0...12).contains(transpose) { throw ValidationError("--transpose must be 0...12 semitones, got \(transpose)") }
    if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    _ = try hiddenWidths()
    if !(beta.isFinite && beta >= 0) { throw ValidationError("--beta must be 0 or more, got \(beta)") }
    if klWarmup < 0 { throw ValidationError("--kl-warmup must be 0 or more epochs, got \(klWarmup)") }
    if !(0...0.9).contains(dropout) { throw ValidationError("--dropout must be 0...0.9, got \(dropout)") }
  }

  func hiddenWidths() throws -> [Int] {
    let widths = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !widths.isEmpty, widths.count <= 8, widths.allSatisfy({ $0.map { (1...65536).contains($0) } ?? false }) else {
      throw ValidationError("--hidden takes 1 to 8 widths of 1...65536, comma-separated, got '\(hidden)'")
    }
    return widths.compactMap { $0 }
  }

  func run() throws {
    compute.apply()
    try checkOutput(out, formats: [.h5])
    let progress = quiet ? nil : ProgressPrinter()
    let settings = MelodySettings(bars: bars)
    let files = try MelodyCorpus.files(in: data)
    let phrases = try MelodyCorpus.phrases(of: files, settings: settings)
    guard !phrases.isEmpty else {
      throw CommandError("\(data): its \(files.count) MIDI files hold no phrase of \(bars) bars that is at most half rests")
    }
    let training = MelodyTokens.augmented(phrases, range: transpose, settings: settings)
    progress?.message("\(files.count) files, \(phrases.count) phrases of \(bars) bars, \(training.count) with transpositions")
    try checkMemory(rows: training.count, values: settings.rowWidth, what: "the one-hot phrases")
    // Updates of 64 rows: one thread for matrix products unless --threads says otherwise, as
    // ae augment fit measured for batches under 100 rows.
    if compute.threads == nil && batchSize < 100 { BLAS.threads = 1 }
    var options = MelodyModel.Options()
    options.epochs = epochs
    options.latent = latent
    options.seed = seed
    options.batchSize = batchSize
    options.hidden = try hiddenWidths()
    options.beta = beta
    options.klWarmupEpochs = klWarmup
    options.dropout = dropout
    let (model, result) = try MelodyModel.train(training, settings: settings, options: options, progress: progress)
    try saveTrainedModel(model, history: result.history, to: out)
    print(jsonLine([
      "model": out, "files": files.count, "phrases": phrases.count, "rows": training.count, "epochs": result.history.epochs,
      "loss": result.history.loss.last, "seconds": result.history.seconds.reduce(0, +),
    ]))
  }
}
