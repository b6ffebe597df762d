import ArgumentParser
import Datasets
import Foundation
import Tensor

/// `ae plot`: pictures of a model. Charts (loss curves, the latent space, anomaly scores, the
/// ROC curve) are SVG, drawn by the Charts module; image grids (samples, reconstructions) are
/// PNG, drawn by `ae montage`'s code.
struct Plot: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Draw a model: loss curves, its latent space, samples, reconstructions, interpolations, anomaly scores or the ROC curve.",
    usage: "ae plot <model.h5> --what history|latent|samples|recon|interpolation|scores|roc [--data <data>] [--truth <file>] --out <file.svg|.png> [<options>]",
    discussion: """
      history: training and validation loss per epoch, from the history stored in the model (.svg). \
      latent: the codes of --data, a 2-d code as it is, a wider one by PCA to 2-d, coloured by \
      class (Fashion-MNIST's labels, --label-column or --labels FILE) (.svg). \
      samples: --count images a vae generates; recon: the first --count rows of --data above their \
      reconstructions; both PNG, as ae montage draws them (--data gives the image shape and the \
      pixel range). \
      interpolation: the decoded path between the codes of rows --from and --to of --data, \
      --count images, ends included, between the two rows themselves (PNG, as ae interpolate draws it). \
      scores: a histogram of the anomaly scores of --data, with the model's threshold when it has \
      one, normal and anomalous rows apart with --truth FILE (.svg). \
      roc: the ROC curve of the scores against --truth, with its AUROC and the threshold's point (.svg). \
      Charts are SVG only (rsvg-convert turns one into a PNG).
      """)

  /// What to draw.
  enum Picture: String, CaseIterable, ExpressibleByArgument {
    case history, latent, samples, recon, interpolation, scores, roc

    /// Charts are SVG; samples, reconstructions and interpolations are images, PNG.
    var isImage: Bool { self == .samples || self == .recon || self == .interpolation }
  }

  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @Option(help: "What to draw: history, latent, samples, recon, interpolation, scores or roc.") var what: Picture
  @Option(help: ArgumentHelp("Output file: .svg for history, latent, scores and roc; .png for samples, recon and interpolation.", valueName: "file"))
  var out: String

  // The data options of every command (DataOptions), here optional: history needs no data.
  @Option(help: "Input data, as for every command: fashion-mnist, fashion-mnist:test, a .npy, a .csv or an IDX file. Not needed for history.")
  var data: String?
  @Option(parsing: .unconditional, help: "Use only the first N rows.") var limit: Int?
  @Option(help: "CSV column holding class labels (latent colours, conditional models).") var labelColumn: String?
  @Option(help: ArgumentHelp("Class labels, one per data row (.npy of integers or a one-column .csv): latent colours, conditional models.",
                             valueName: "file"))
  var labels: String?
  @Option(help: "Image shape of each row as HxWxC or HxW, for data that does not carry one (samples, recon).") var imageShape: String?
  @Option(help: ArgumentHelp("Known anomalies, 1 or 0 per data row (.npy or a one-column .csv): scores apart by class; needed for roc.",
                             valueName: "file"))
  var truth: String?

  @Option(help: "The chart's title (default: what it shows, and of which model and data).") var title: String?
  @Flag(help: "history: a logarithmic loss axis.") var log = false
  @Option(parsing: .unconditional, help: "scores: histogram bins, 5...200.") var bins: Int = 40
  @Option(name: [.long, .customShort("n")], parsing: .unconditional, help: "samples, recon: how many images; interpolation: images on the path, ends included.") var count: Int = 10
  @Option(parsing: .unconditional, help: "samples, recon: images per picture row (default: 10 samples; all reconstructions in one strip).")
  var columns: Int?
  @Option(parsing: .unconditional, help: "samples: the seed (0...2^64-1; default: 1).", transform: Seed.parse) var seed: UInt64 = 1
  @Option(parsing: .unconditional, help: "interpolation: the data row the path starts at.") var from: Int = 0
  @Option(parsing: .unconditional, help: "interpolation: the data row it ends at.") var to: Int = 1
  @Option(parsing: .unconditional, help: "samples, recon: draw each pixel as a ZOOM x ZOOM square, 1...100.") var zoom: Int = 3
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func validate() throws {
    try checkOutput(out, formats: nil) // a directory, a device, a missing folder; the suffix below
    let lower = out.lowercased()
    if what.isImage && !lower.hasSuffix(".png") {
      throw ValidationError("--out \(out): --what \(what.rawValue) draws images, written as PNG: use .png")
    }
    if !what.isImage && !lower.hasSuffix(".svg") {
      throw ValidationError(lower.hasSuffix(".png")
        ? "--out \(out): charts (--what \(what.rawValue)) are written as SVG only, not PNG: use .svg (rsvg-convert makes a PNG of one)"
        : "--out \(out): --what \(what.rawValue) draws a chart, written as SVG: use .svg")
    }
    if what != .history && data == nil { throw ValidationError("--what \(what.rawValue) needs --data") }
    if what == .roc && truth == nil { throw ValidationError("--what roc needs --truth FILE (1 for an anomaly, 0 for a normal row)") }
    if truth != nil && what != .scores && what != .roc { throw ValidationError("--truth applies to --what scores and roc") }
    if !(5...200).contains(bins) { throw ValidationError("--bins must be in 5...200, got \(bins)") }
    if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
  }

  func run() throws {
    compute.apply()
    if what.isImage { return try drawImages() }
    let svg: String
    switch what {
    case .history: svg = try historyChart()
    case .latent: svg = try latentChart()
    case .scores: svg = try scoresChart()
    case .roc: svg = try rocChart()
    case .samples, .recon, .interpolation: return
    }
    try writeAtomically(to: out) { temporary in
      do {
        try Data(svg.utf8).write(to: URL(fileURLWithPath: temporary))
      } catch {
        throw CommandError("\(out): cannot write the chart: \(oneLine(error))")
      }
    }
    FileHandle.standardError.write(Data("wrote \(out)\n".utf8))
  }

  /// The data options as `ae montage` and `DataOptions` take them.
  var dataArguments: [String] {
    var arguments = ["--data", data ?? ""]
    if let limit { arguments += ["--limit", String(limit)] }
    if let labelColumn { arguments += ["--label-column", labelColumn] }
    if let labels { arguments += ["--labels", labels] }
    if let imageShape { arguments += ["--image-shape", imageShape] }
    return arguments
  }

  /// The data, read and checked as every command reads it.
  func loadData() throws -> Dataset {
    try DataOptions.parse(dataArguments).load()
  }

  /// samples and recon: `ae montage`, run with these options; interpolation: `ae interpolate`.
  func drawImages() throws {
    if what == .interpolation {
      var arguments = [modelPath] + dataArguments + ["--from", String(from), "--to", String(to), "--steps", String(count),
                                                     "--zoom", String(zoom), "--out", out]
      if file.unverified { arguments.append("--unverified") }
      arguments += ["--precision", file.precision.rawValue]
      return try Interpolate.parse(arguments).run()
    }
    if what == .samples {
      let model = try loadInferenceModel(modelPath, file)
      guard model.canSample else {
        throw CommandError("--what samples needs a vae or cvae; \(modelPath) is a \(model.spec.kind.rawValue) model (--what recon draws its reconstructions)")
      }
    }
    var arguments = [modelPath] + dataArguments + ["--count", String(count), "--zoom", String(zoom), "--out", out]
    if what == .samples { arguments += ["--sample", "--seed", String(seed)] }
    if let columns { arguments += ["--columns", String(columns)] }
    if file.unverified { arguments.append("--unverified") }
    arguments += ["--precision", file.precision.rawValue]
    try Montage.parse(arguments).run()
  }

  /// The model file's name, for titles.
  var modelName: String { URL(fileURLWithPath: modelPath).lastPathComponent }
}

