import ArgumentParser
import Datasets
import Foundation
import Layers
import Models
import Runtime
import Store
import Tensor
import Training

/// `ae train`: fit a model and save it.
struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train an autoencoder and save it as an HDF5 model file.",
    usage: "ae train [--model <kind>] [--layers <widths> | --arch <layers>] [<options>] --data <data> [--out <model.h5>]",
    discussion: "Example: ae train --model dense --layers 256,32 --loss bce --epochs 10 --data fashion-mnist --out model.h5")

  @OptionGroup(title: "Data") var data: DataOptions
  @OptionGroup(title: "Model") var architecture: ArchitectureOptions
  @OptionGroup(title: "Kind settings and regularizers") var settings: KindOptions
  @OptionGroup(title: "Training") var fitting: OptimizerOptions
  @OptionGroup(title: "Anomaly detection") var anomaly: AnomalyOptions
  @OptionGroup(title: "Output") var output: TrainOutputOptions
  @OptionGroup(title: "Data larger than memory") var streaming: StreamOptions
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  /// Rules about how to train that the model spec does not hold; the rest is the spec's.
  func validate() throws {
    if fitting.pretrain != nil {
      let convolutional = try architecture.architecture()?.hasConvolutions ?? false
      if architecture.isVariational || architecture.decoderLayers != nil || convolutional {
        throw ValidationError("--pretrain greedy needs a dense, non-VAE model whose decoder mirrors the encoder (no --decoder-layers, no convolutions)")
      }
      if output.resume != nil { throw ValidationError("--pretrain and --resume do not mix: the checkpoint holds pretrained weights") }
    }
    if anomaly.calibration != nil && fitting.validation == 0 {
      throw ValidationError("--calibrate and --contamination read the threshold from the validation rows: keep --validation above 0")
    }
    try checkSpecBeforeData()
    if streaming.stream { try checkStreaming() }
  }

  func run() throws {
    compute.apply()
    try checkDestinations() // before the data is read and the model trained, not after
    let progress = output.quiet ? nil : ProgressPrinter()
    if streaming.stream { return try runStreaming(progress) }
    let dataset = try data.load()
    try dataset.checkFinite()
    var classes: Int?
    if architecture.model == .cvae {
      guard let labels = dataset.labels else {
        throw CommandError("\(dataset.name): --model cvae needs class labels: Fashion-MNIST has them; for other data pass --labels FILE or, for a CSV, --label-column NAME")
      }
      classes = max(2, (labels.max() ?? 0) + 1)
    }
    let spec = try modelSpec(inputWidth: dataset.features.cols, inputShape: dataset.imageShape, classes: classes)
    let autoencoder = try Autoencoder(spec: spec, seed: fitting.seed)
    // Weights, gradients, the optimizer's two moments and the best weights: refuse what cannot fit.
    try checkMemory(rows: autoencoder.parameters.count, values: 1, copies: 5, what: "training \(autoencoder.parameters.count) parameters")
    autoencoder.scaling = Scaling.fit(dataset.features, method: architecture.scale, isByteData: dataset.isByteData)
    let scaled = dataset.features.copy()
    autoencoder.scaling.apply(to: scaled)

    let options = fitting.trainingOptions
    let trainer = Trainer(model: autoencoder, options: options)
    trainer.checkpointDirectory = output.checkpoint
    trainer.progress = progress
    progress?.message("training \(describe(spec)) on \(dataset.features.rows) rows of \(dataset.name) (\(autoencoder.parameters.count) parameters, \(BLAS.threads) threads)")
    if fitting.pretrain == .greedy {
      try GreedyPretraining.run(autoencoder, on: scaled, epochs: fitting.pretrainEpochs, options: options,
                                progress: output.quiet ? nil : ProgressPrinter())
    }
    let result = try trainer.fit(scaled, labels: architecture.model == .cvae ? dataset.labels : nil, resume: output.resume)
    let out = output.out
    let training = splitRows(dataset, options: options, validation: false)
    autoencoder.anomaly = try anomalySettings(autoencoder, trainingRows: training.rows, labels: training.labels)
    if let calibration = anomaly.calibration {
      let held = splitRows(dataset, options: options, validation: true)
      autoencoder.anomaly = try calibrate(autoencoder, validationRows: held.rows, labels: held.labels, calibration)
      progress?.message("anomaly threshold \(autoencoder.anomaly.threshold!) (\(autoencoder.anomaly.score.rawValue) score at \(calibration.rule == .quantile ? "quantile" : "contamination") \(calibration.level) of \(autoencoder.anomaly.calibration!.rows) validation rows)")
    }
    try saveTrainedModel(autoencoder, history: result.history, to: out)
    print(jsonLine(Self.summary(of: result, autoencoder, savedTo: out)))
  }

  /// The figures every training run prints (a streamed run adds its own).
  static func summary(of result: TrainingResult, _ autoencoder: Autoencoder, savedTo out: String) -> [(String, Any?)] {
    let seconds = result.history.seconds
    return [
      ("model", out), ("epochs", result.history.epochs), ("best_epoch", result.bestEpoch),
      ("loss", result.history.loss.last), ("val_loss", result.history.validationLoss.last),
      ("seconds_per_epoch", seconds.isEmpty ? nil : seconds.reduce(0, +) / Double(seconds.count)),
      ("stopped_early", result.stoppedEarly), ("score", autoencoder.anomaly.score.rawValue), ("threshold", autoencoder.anomaly.threshold),
    ]
  }
}

extension Train {
  /// Refuse an --out or --checkpoint that cannot be written (a device, a directory, a missing
  /// folder, ...) before any work.
  func checkDestinations() throws {
    try checkOutput(output.out, formats: [.h5])
    guard let checkpoint = output.checkpoint else { return }
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: checkpoint, isDirectory: &isFolder) {
      guard isFolder.boolValue else { throw ValidationError("--checkpoint \(checkpoint) is not a folder") }
      try checkOutput(checkpoint + "/checkpoint.h5", option: "--checkpoint", formats: [.h5])
    }
  }
}

extension Train {
  /// The rows of one side of the split `Trainer` made (training or validation), in the data's
  /// units as users score, with their labels for a cvae.
  func splitRows(_ dataset: Dataset, options: TrainingOptions, validation: Bool) -> (rows: Tensor, labels: [Int]?) {
    let split = Trainer.split(rows: dataset.features.rows, validationFraction: options.validationFraction, seed: options.seed)
    let indices = validation ? split.validation : split.train
    let rows = Tensor(rows: 0, cols: dataset.features.cols)
    rows.gather(rows: indices[...], from: dataset.features)
    return (rows, architecture.model == .cvae ? dataset.labels.map { all in indices.map { all[$0] } } : nil)
  }

  /// The score asked for, with the training rows' statistics the code scores need (fitted for
  /// every model, so that `ae score --score code` works on any of them).
  func anomalySettings(_ model: Autoencoder, trainingRows rows: Tensor, labels: [Int]?) throws -> AnomalySettings {
    let least = AnomalySettings.TrainingCodes.neighbourCount + 1
    guard rows.rows >= least else {
      guard let score = anomaly.score else { return AnomalySettings(score: .excess) }
      if score.usesCode { throw CommandError("the \(score.rawValue) score needs at least \(least) training rows") }
      return AnomalySettings(score: score)
    }
    do {
      var settings = try InferenceModel(model).withTrainingStatistics(on: rows, labels: labels)
      settings.score = anomaly.score ?? AnomalyOptions.defaultScore
      return settings
    } catch where !(anomaly.score?.usesCode ?? false) {
      // The trained model is worth more than the code scores: keep it, scoring by excess.
      FileHandle.standardError.write(Data("warning: the training codes' statistics could not be fitted (\(oneLine(error))); the model scores by excess\n".utf8))
      return AnomalySettings(score: anomaly.score ?? .excess)
    }
  }

  /// The model's anomaly settings with a threshold read from the validation rows' scores.
  func calibrate(_ model: Autoencoder, validationRows rows: Tensor, labels: [Int]?,
                 _ calibration: (rule: AnomalySettings.Calibration.Rule, level: Double)) throws -> AnomalySettings {
    return try InferenceModel(model).calibrated(on: rows, labels: labels, rule: calibration.rule, level: calibration.level)
  }
}
