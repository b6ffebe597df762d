import ArgumentParser
import Models
import Runtime
import Tensor

/// What `ae encode`, `decode`, `reconstruct` and `score` share: check the output, load the
/// model into the runtime, read and check the data, compute in passes, write the table.
enum TableCommand {
  enum Work {
    case encode, decode, reconstruct, score

    /// Values per output row.
    func width(_ model: InferenceModel) -> Int {
      switch self {
      case .encode: model.codeWidth
      case .decode, .reconstruct: model.inputWidth
      case .score: 1
      }
    }
  }

  /// Returns the model and the computed table (for `score`, the scores, before any label column).
  @discardableResult
  /// `score`: the model's own score, or `score` instead. `shard`: only that shard's rows.
  static func run(_ work: Work, modelPath: String, file: ModelFileOptions, data: DataOptions, out: String,
                  compute: ComputeOptions, shard: ShardOptions, score: AnomalySettings.Score? = nil) throws
    -> (model: InferenceModel, result: Tensor) {
    compute.apply()
    try checkOutput(out, formats: OutputFormat.tables)
    var model = try loadInferenceModel(modelPath, file)
    if let score {
      if score.usesCode && model.anomaly.codes == nil {
        throw CommandError("\(modelPath): --score \(score.rawValue) needs the training codes' statistics, which models trained by ae 0.6 and later store; this file has none (retrain it)")
      }
      do { model = try model.scoring(by: score) } catch { throw CommandError("\(modelPath): \(oneLine(error))") }
    }
    let dataset = try data.load(shard: shard)
    let rows = dataset.features.rows
    try checkWidth(dataset, work == .decode ? model.codeWidth : model.inputWidth,
                   what: work == .decode ? "the model's code" : "the model's input")
    try dataset.checkFinite()
    let labels = try conditionLabels(model, dataset)
    try checkMemory(rows: rows, values: work.width(model), what: "\(rows) rows of \(work.width(model)) values")
    let result = Tensor(rows: rows, cols: work.width(model))
    // More shards than rows leaves some empty: they write an empty table.
    let workspace = try model.makeWorkspace(maxRows: max(1, min(rows, 256))) // longer inputs run in passes
    let x = dataset.features.data
    try withLabelPointer(labels) { labels in
      switch work {
      case .encode: try model.encode(x, rows: rows, labels: labels, into: result.data, workspace: workspace)
      case .decode: try model.decode(x, rows: rows, labels: labels, into: result.data, workspace: workspace)
      case .reconstruct: try model.reconstruct(x, rows: rows, labels: labels, into: result.data, workspace: workspace)
      case .score: try model.score(x, rows: rows, labels: labels, into: result.data, workspace: workspace)
      }
    }
    if work == .score, model.threshold != nil {
      // A calibrated model's rows also get their label: 1 above the threshold (an anomaly).
      let labelled = Tensor(rows: rows, cols: 2)
      for r in 0..<rows {
        labelled[r, 0] = result.data[r]
        labelled[r, 1] = Float(model.anomaly.label(result.data[r])!)
      }
      try writeTable(labelled, to: out)
    } else {
      try writeTable(result, to: out)
    }
    return (model, result)
  }
}

/// `ae encode`: codes for data.
struct Encode: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write the codes of data rows (.npy or .csv).",
    usage: "ae encode <model.h5> --data <data> --out <codes.npy|.csv> [<options>]",
    discussion: "A vae's code is its posterior mean. Conditional models take the data's labels, or --labels FILE.")
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @OptionGroup(title: "Data") var dataOptions: DataOptions
  @Option(help: ArgumentHelp("Output file (.npy or .csv).", valueName: "file")) var out: String
  @OptionGroup(title: "Shards") var shard: ShardOptions
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func run() throws {
    try TableCommand.run(.encode, modelPath: modelPath, file: file, data: dataOptions, out: out, compute: compute, shard: shard)
  }
}

/// `ae decode`: reconstructions from codes.
struct Decode: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write the decoder's output for code rows (.npy or .csv), in the data's units.",
    usage: "ae decode <model.h5> --data <codes.npy|.csv> [--labels <file>] --out <file.npy|.csv> [<options>]",
    discussion: "Conditional models need a class per code row: --labels FILE (.npy or a one-column .csv).")
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @OptionGroup(title: "Data (code rows)") var dataOptions: DataOptions
  @Option(help: ArgumentHelp("Output file (.npy or .csv).", valueName: "file")) var out: String
  @OptionGroup(title: "Shards") var shard: ShardOptions
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func run() throws {
    try TableCommand.run(.decode, modelPath: modelPath, file: file, data: dataOptions, out: out, compute: compute, shard: shard)
  }
}

/// `ae reconstruct`: encode then decode.
struct Reconstruct: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write reconstructions of data rows (.npy or .csv), in the data's units.",
    usage: "ae reconstruct <model.h5> --data <data> --out <file.npy|.csv> [<options>]")
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @OptionGroup(title: "Data") var dataOptions: DataOptions
  @Option(help: ArgumentHelp("Output file (.npy or .csv).", valueName: "file")) var out: String
  @OptionGroup(title: "Shards") var shard: ShardOptions
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func run() throws {
    try TableCommand.run(.reconstruct, modelPath: modelPath, file: file, data: dataOptions, out: out, compute: compute, shard: shard)
  }
}
