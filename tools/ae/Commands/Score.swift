import ArgumentParser
import Foundation
import Models
import Training

/// `ae score`: an anomaly score per row, as `ae_score` and `Model.score` give it, with a 0/1
/// label beside it when the model has a threshold, and detection figures against known truth.
struct Score: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write an anomaly score per data row (.csv or .npy), and its 0/1 label when the model has a threshold.",
    usage: "ae score <model.h5> --data <data> --out <scores.csv|.npy> [--truth <y.csv|.npy>] [<options>]",
    discussion: """
      The score is the one the model was trained to give (ae train --score): combined (the \
      default since 0.6: excess, code and neighbours, standardised and summed), excess (the \
      reconstruction loss minus that of a perfect reconstruction, on the scaled values), code, \
      neighbours, loss, or mse (in the data's units); files from before 0.5 score by their loss. The same numbers as \
      ae_score in C and Model.score in Python. A model trained with --calibrate or --contamination \
      has a threshold: each output row is then "score,label", label 1 for a score above it. \
      --truth FILE (1 for an anomaly, 0 for a normal row, one per data row) prints AUROC, \
      average precision (AUPRC) and, with a threshold, its precision and recall as one JSON line. \
      Conditional models take the data's labels, or --labels FILE; for any other model \
      --labels FILE is the truth, as --truth FILE.
      """)
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @OptionGroup(title: "Data") var dataOptions: DataOptions
  @Option(help: ArgumentHelp("Output file (.csv or .npy).", valueName: "file")) var out: String
  @Option(help: ArgumentHelp("Known anomalies, 1 or 0 per data row (.npy or a one-column .csv), for AUROC, AUPRC, precision and recall.",
                             valueName: "file"))
  var truth: String?
  @Option(help: ArgumentHelp(
    "Score by this instead of the model's own score (excess, loss, mse, code, neighbours or combined; the last three need a model trained by ae 0.6 or later), to compare them without training again; the model's threshold, which belongs to its own score, is then not used.",
    valueName: "score"))
  var score: AnomalySettings.Score?
  @OptionGroup(title: "Shards") var shard: ShardOptions
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func run() throws {
    func readTruth(_ path: String) throws -> [Int] {
      let values = try LabelFile.read(path)
      guard values.allSatisfy({ $0 <= 1 }) else { throw CommandError("\(path): truth labels are 0 (normal) or 1 (anomaly)") }
      return values
    }
    // Read before the work, so a bad file costs nothing.
    var known = try truth.map(readTruth)
    var data = dataOptions, path = truth
    // A model without conditions takes no class labels: its --labels are the truth.
    if truth == nil, let labels = dataOptions.labels, try loadInferenceModel(modelPath, file).conditionWidth == 0 {
      (known, path, data.labels) = (try readTruth(labels), labels, nil)
    }
    if shard.isSharded, let path {
      throw ValidationError("\(path): detection figures (AUROC, AUPRC) describe all the rows at once, not one shard; score without --shards, or concatenate the shards' scores and compare them with the truth yourself")
    }
    let (model, scores) = try TableCommand.run(.score, modelPath: modelPath, file: file, data: data, out: out, compute: compute,
                                                 shard: shard, score: score)
    guard let known, let path else { return }
    guard known.count == scores.rows else {
      throw CommandError("\(path): \(known.count) truth labels for \(scores.rows) data rows")
    }
    guard let metrics = DetectionMetrics(scores: scores.values, truth: known, threshold: model.threshold) else {
      throw CommandError("\(path): the truth holds only one class; AUROC needs anomalies and normal rows")
    }
    print(jsonLine([
      "rows": metrics.rows, "anomalies": metrics.anomalies, "auroc": metrics.auroc, "auprc": metrics.averagePrecision,
      "score": model.anomaly.score.rawValue, "threshold": model.threshold, "precision": metrics.precision, "recall": metrics.recall,
    ]))
  }
}
