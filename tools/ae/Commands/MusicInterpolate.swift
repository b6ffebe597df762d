import ArgumentParser
import Music
import Tensor
import Training

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
    let written = try output.write(phrases, settings: settings, file: file, progress: quiet ? nil : ProgressPrinter())
    print(jsonLine(["midi": written.midi, "wav": written.wav, "phrases": phrases.count, "seconds": written.seconds]))
  }
}
