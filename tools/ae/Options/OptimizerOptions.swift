import ArgumentParser
import Training

/// How `ae train` fits: optimizer, schedule, batches, validation split, seed, pretraining.
struct OptimizerOptions: ParsableArguments {
  @Option(help: "Optimizer.")
  var optimizer: OptimizerKind = .adam

  @Option(parsing: .unconditional, help: "Learning rate.")
  var lr: Float = 1e-3

  @Option(parsing: .unconditional, help: "SGD momentum, in [0, 1).")
  var momentum: Float = 0

  @Option(parsing: .unconditional, help: "Weight decay (L2 for sgd and adam, decoupled for adamw).")
  var weightDecay: Float = 0

  @Option(parsing: .unconditional, help: "Rows per mini-batch.")
  var batch: Int = 128

  @Option(parsing: .unconditional, help: "Passes over the training data.")
  var epochs: Int = 10

  @Option(parsing: .unconditional, help: "Seed for initial weights, shuffling, the validation split and dropout (0...2^64-1; default: 1).", transform: Seed.parse)
  var seed: UInt64 = 1

  @Option(parsing: .unconditional, help: "Fraction of the data held out for validation, in [0, 1).")
  var validation: Double = 0.1

  @Option(parsing: .unconditional, help: "Stop after this many epochs without validation improvement, keeping the best weights.")
  var earlyStopping: Int?

  @Option(help: "Pretraining before end-to-end training: greedy (layer-wise, the classic stacked autoencoder).")
  var pretrain: Pretraining?

  @Option(parsing: .unconditional, help: "Epochs per layer for --pretrain greedy.")
  var pretrainEpochs: Int = 3

  /// The trainer's settings.
  var trainingOptions: TrainingOptions {
    TrainingOptions(epochs: epochs, batchSize: batch, optimizer: optimizerSettings, seed: seed,
                    validationFraction: validation, earlyStoppingPatience: earlyStopping)
  }

  var optimizerSettings: OptimizerSettings {
    OptimizerSettings(kind: optimizer, learningRate: lr, momentum: momentum, weightDecay: weightDecay)
  }

  // The trainer checks these again (`TrainingOptions.problems`, internal to Training); here
  // they are named by their options, before any data is read.
  func validate() throws {
    if epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
    if batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
    // A batch larger than the data is the whole data; beyond 2^31 the trainer's arithmetic would overflow.
    if batch > 1 << 31 { throw ValidationError("--batch must be at most 2147483648, got \(batch)") }
    if !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be positive, got \(lr)") }
    if !(0..<1).contains(validation) { throw ValidationError("--validation must be in [0, 1), got \(validation)") }
    if !(0..<1).contains(momentum) { throw ValidationError("--momentum must be in [0, 1), got \(momentum)") }
    if momentum > 0 && optimizer != .sgd { throw ValidationError("--momentum applies to --optimizer sgd only") }
    if !(weightDecay >= 0) { throw ValidationError("--weight-decay must be >= 0, got \(weightDecay)") }
    if let earlyStopping, earlyStopping < 1 { throw ValidationError("--early-stopping must be at least 1, got \(earlyStopping)") }
    if pretrainEpochs < 1 { throw ValidationError("--pretrain-epochs must be at least 1, got \(pretrainEpochs)") }
  }
}
