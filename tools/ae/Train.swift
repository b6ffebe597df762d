import ArgumentParser
import Datasets
import Foundation
import Layers
import Models
import Store
import Tensor
import Training

extension OptimizerKind: ExpressibleByArgument {}

/// `ae train`: fit a model and save it.
struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train an autoencoder and save it as an HDF5 model file.",
    discussion: "Example: ae train --model dense --layers 256,32 --loss bce --epochs 10 --data fashion-mnist --out model.h5")

  @Option(help: "Model kind: \(ModelKind.allCases.map(\.rawValue).joined(separator: ", ")).")
  var model: ModelKind = .dense

  @Option(help: "Encoder widths down to the code, comma-separated, e.g. 256,32.")
  var layers: String = "256,32"

  @Option(help: "Encoder as a layer string instead of --layers, for convolutional models: conv<filters>[k<kernel>][s<stride>] and dense<units>, e.g. conv16s2,conv32s2,dense32. Convolutions come first (padding kernel/2); the last item is the code (a VAE's latent width); the decoder mirrors the encoder with transposed convolutions.")
  var arch: String?

  @Option(help: "Decoder hidden widths (default: the encoder mirrored).")
  var decoderLayers: String?

  @Option(help: "Hidden activation: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")).")
  var activation: Activation = .relu

  @Option(help: "Activation of the code layer (default: --activation).")
  var codeActivation: Activation?

  @Option(help: "Output activation (default: sigmoid, or linear for mse with --scale standard/none).")
  var outputActivation: Activation?

  @Option(help: "Reconstruction loss: bce (needs data in [0, 1] and a sigmoid output), mse, or gaussian (negative log-likelihood with a learned variance per feature: a VAE's Gaussian decoder).")
  var loss: Loss = .bce

  @Option(help: "Optimizer: sgd, adam or adamw.")
  var optimizer: OptimizerKind = .adam

  @Option(help: "Learning rate.")
  var lr: Float = 1e-3

  @Option(help: "SGD momentum.")
  var momentum: Float = 0

  @Option(help: "Weight decay (L2 for sgd and adam, decoupled for adamw).")
  var weightDecay: Float = 0

  @Option(help: "Dropout rate after each hidden layer.")
  var dropout: Float = 0

  @Option(help: "L1 penalty weight on the code activations (sparse codes).")
  var l1Activity: Float = 0

  @Option(help: "Input corruption for --model denoising: gaussian:SIGMA, masking:P or salt-pepper:P (default gaussian:0.5).")
  var noise: String?

  @Option(help: "Sparsity for --model sparse: l1:WEIGHT, or kl:RHO:BETA (KL target rho with weight beta; makes the code sigmoid).")
  var sparsity: String?

  @Option(help: "Contractive models: weight of the penalty on the code's Jacobian (default 10 with --model contractive; the loss sums over features, so weights run larger than in papers that average).")
  var contractive: Float?

  @Option(help: "VAE: weight of the KL term (1 = the ELBO; other values give a beta-VAE).")
  var beta: Float = 1

  @Option(help: "VAE: epochs over which the KL weight ramps up from 0 to --beta.")
  var klWarmup: Int = 0

  @Option(help: "Pretraining before end-to-end training: greedy (layer-wise, the classic stacked autoencoder).")
  var pretrain: String?

  @Option(help: "Epochs per layer for --pretrain greedy.")
  var pretrainEpochs: Int = 3

  @Option(help: "Rows per mini-batch.")
  var batch: Int = 128

  @Option(help: "Passes over the training data.")
  var epochs: Int = 10

  @Option(help: "Seed for initial weights, shuffling, the validation split and dropout.")
  var seed: UInt64 = 1

  @Option(help: "Fraction of the data held out for validation.")
  var validation: Double = 0.1

  @Option(help: "Stop after this many epochs without validation improvement, keeping the best weights.")
  var earlyStopping: Int?

  @Option(help: "Input scaling stored in the model: unit (to [0, 1]), standard (z-scores) or none.")
  var scale: Scaling.Method = .unit

  @Option(help: "Save a checkpoint in this folder after every epoch.")
  var checkpoint: String?

  @Option(help: "Resume from the checkpoint in this folder (same options; --epochs may grow).")
  var resume: String?

  @Flag(help: "Allow a code as wide as the input or wider (not an undercomplete model).")
  var overcomplete = false

  @Flag(help: "No progress output.")
  var quiet = false

  @Option(help: "Where to write the model.")
  var out: String = "model.h5"

  @OptionGroup var dataOptions: DataOptions
  @OptionGroup var compute: ComputeOptions

  func widths(_ text: String, _ name: String) throws -> [Int] {
    let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let values = parts.compactMap { Int($0) }
    guard !parts.isEmpty, values.count == parts.count, values.allSatisfy({ $0 > 0 }) else {
      throw ValidationError("\(name) must be positive whole numbers separated by commas, got '\(text)'")
    }
    return values
  }

  /// The corruption asked for (denoising models default to gaussian:0.5).
  func corruption() throws -> Corruption? {
    guard let noise else { return model == .denoising ? Corruption(kind: .gaussian, level: 0.5) : nil }
    guard let parsed = Corruption(parsing: noise) else {
      throw ValidationError("--noise must be gaussian:SIGMA, masking:P or salt-pepper:P, got '\(noise)'")
    }
    return parsed
  }

  /// (L1 weight, KL target) from --sparsity and --l1-activity.
  func sparsitySettings() throws -> (l1: Float, kl: KLSparsity?) {
    guard let sparsity else { return (l1Activity, nil) }
    let parts = sparsity.split(separator: ":").map(String.init)
    if parts.count == 2, parts[0] == "l1", let weight = Float(parts[1]), weight >= 0 {
      return (weight, nil)
    }
    if parts.count == 3, parts[0] == "kl", let rho = Float(parts[1]), let beta = Float(parts[2]), rho > 0, rho < 1, beta >= 0 {
      return (l1Activity, KLSparsity(target: rho, weight: beta))
    }
    throw ValidationError("--sparsity must be l1:WEIGHT or kl:RHO:BETA with 0 < RHO < 1, got '\(sparsity)'")
  }

  func validate() throws {
    _ = try widths(layers, "--layers")
    if let arch {
      do { _ = try Architecture(parsing: arch) } catch { throw ValidationError("--arch: \(error)") }
      if decoderLayers != nil { throw ValidationError("--arch builds a mirrored decoder: drop --decoder-layers") }
      if model == .cvae, try Architecture(parsing: arch).hasConvolutions {
        throw ValidationError("--model cvae takes dense layers only (the label joins the input row); use --model vae for a convolutional VAE")
      }
    }
    if noise != nil && model != .denoising { throw ValidationError("--noise needs --model denoising") }
    _ = try corruption()
    let (l1, kl) = try sparsitySettings()
    if model == .sparse && l1 == 0 && kl == nil {
      throw ValidationError("--model sparse needs --sparsity l1:WEIGHT or kl:RHO:BETA")
    }
    if (model == .vae || model == .cvae) && (decoderLayers != nil || codeActivation != nil) {
      throw ValidationError("--model vae builds its own code head: drop --decoder-layers and --code-activation")
    }
    if let pretrain, pretrain != "greedy" { throw ValidationError("--pretrain takes greedy, got '\(pretrain)'") }
    if pretrain != nil && (model == .vae || model == .cvae || decoderLayers != nil) {
      throw ValidationError("--pretrain greedy needs a non-VAE model whose decoder mirrors the encoder (no --decoder-layers)")
    }
    if pretrainEpochs < 1 { throw ValidationError("--pretrain-epochs must be at least 1, got \(pretrainEpochs)") }
    if pretrain != nil && resume != nil { throw ValidationError("--pretrain and --resume do not mix: the checkpoint holds pretrained weights") }
    if contractive != nil && model != .contractive { throw ValidationError("--contractive needs --model contractive") }
    if let contractive, !(contractive > 0) { throw ValidationError("--contractive must be positive, got \(contractive)") }
    if !(beta >= 0) || klWarmup < 0 { throw ValidationError("--beta and --kl-warmup must be >= 0") }
    if kl != nil, let codeActivation, codeActivation != .sigmoid {
      throw ValidationError("--sparsity kl needs a sigmoid code, got --code-activation \(codeActivation.rawValue)")
    }
    if let decoderLayers { _ = try widths(decoderLayers, "--decoder-layers") }
    if epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
    if batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
    // A batch larger than the data is the whole data; beyond 2^31 the trainer's arithmetic would overflow.
    if batch > 1 << 31 { throw ValidationError("--batch must be at most 2147483648, got \(batch)") }
    if !(lr > 0) { throw ValidationError("--lr must be positive, got \(lr)") }
    if !(0..<1).contains(validation) { throw ValidationError("--validation must be in [0, 1), got \(validation)") }
    if !(0..<1).contains(dropout) { throw ValidationError("--dropout must be in [0, 1), got \(dropout)") }
    if !(0..<1).contains(momentum) { throw ValidationError("--momentum must be in [0, 1), got \(momentum)") }
    if momentum > 0 && optimizer != .sgd { throw ValidationError("--momentum applies to --optimizer sgd only") }
    if loss == .bce, let outputActivation, outputActivation != .sigmoid {
      throw ValidationError("--loss bce needs --output-activation sigmoid, got \(outputActivation.rawValue)")
    }
    if loss == .bce && scale != .unit {
      throw ValidationError("--loss bce needs targets in [0, 1]: use --scale unit, or --loss mse")
    }
  }

  func run() throws {
    try failing {
      compute.apply()
      try checkDestinations() // before the data is read and the model trained, not after
      let progress = quiet ? nil : ProgressPrinter()
      let dataset = try dataOptions.load()
      try dataset.checkFinite()
      let inputWidth = dataset.features.cols
      let architecture = try arch.map { try Architecture(parsing: $0) }
      let encoderWidths = try widths(layers, "--layers")
      var code = encoderWidths.last!
      if let architecture, case .dense(let units) = architecture.items.last! { code = units }
      if !overcomplete && code >= inputWidth {
        throw CommandError("\(arch == nil ? "--layers" : "--arch"): the code has \(code) units but the input has only \(inputWidth) values; an undercomplete autoencoder needs a narrower code (or pass --overcomplete)")
      }
      let output = outputActivation ?? (loss == .bce || scale == .unit ? .sigmoid : .linear)
      let (l1, kl) = try sparsitySettings()
      var classes: Int?
      if model == .cvae {
        guard let labels = dataset.labels else {
          throw CommandError("--model cvae needs class labels: Fashion-MNIST has them; for CSV pass --label-column NAME")
        }
        classes = max(2, (labels.max() ?? 0) + 1)
      }
      var spec = model == .vae || model == .cvae
        ? ModelSpec.variational(inputWidth: inputWidth, hidden: Array(encoderWidths.dropLast()), latent: code,
                                activation: activation, outputActivation: output, loss: loss, beta: beta,
                                klWarmupEpochs: klWarmup, inputShape: dataset.imageShape, classes: classes)
        : ModelSpec.dense(
        inputWidth: inputWidth, widths: encoderWidths, decoderWidths: try decoderLayers.map { try widths($0, "--decoder-layers") },
        activation: activation, codeActivation: kl != nil ? .sigmoid : codeActivation, outputActivation: output, loss: loss,
        dropout: dropout, l1Activity: l1, inputShape: dataset.imageShape, kind: model, noise: try corruption(),
        klSparsity: kl, contractive: model == .contractive ? (contractive ?? 10) : nil)
      if let architecture {
        // The same settings on an encoder from --arch (convolutions allowed).
        let dense = spec
        spec = try architecture.spec(kind: model, inputWidth: inputWidth, inputShape: dataset.imageShape, activation: activation,
                                     codeActivation: kl != nil ? .sigmoid : codeActivation, outputActivation: output, loss: loss)
        spec.l1Activity = dense.l1Activity
        spec.noise = dense.noise
        spec.klSparsity = dense.klSparsity
        spec.contractive = dense.contractive
        spec.beta = dense.beta
        spec.klWarmupEpochs = dense.klWarmupEpochs
        spec.classes = dense.classes
      }
      spec.dropout = dropout
      let autoencoder = try Autoencoder(spec: spec, seed: seed)
      // Weights, gradients, the optimizer's two moments and the best weights: refuse what cannot fit.
      try checkMemory(rows: autoencoder.parameters.count, values: 1, copies: 5, what: "training \(autoencoder.parameters.count) parameters")
      autoencoder.scaling = Scaling.fit(dataset.features, method: scale, isByteData: dataset.isByteData)
      let scaled = dataset.features.copy()
      autoencoder.scaling.apply(to: scaled)

      let settings = OptimizerSettings(kind: optimizer, learningRate: lr, momentum: momentum, weightDecay: weightDecay)
      let options = TrainingOptions(epochs: epochs, batchSize: batch, optimizer: settings, seed: seed,
                                    validationFraction: validation, earlyStoppingPatience: earlyStopping)
      let trainer = Trainer(model: autoencoder, options: options)
      trainer.checkpointDirectory = checkpoint
      trainer.progress = progress
      progress?.message("training \(describe(spec)) on \(dataset.features.rows) rows of \(dataset.name) (\(autoencoder.parameters.count) parameters, \(BLAS.threads) threads)")
      if pretrain == "greedy" {
        try GreedyPretraining.run(autoencoder, on: scaled, epochs: pretrainEpochs, options: options,
                                  progress: quiet ? nil : ProgressPrinter())
      }
      let result = try trainer.fit(scaled, labels: model == .cvae ? dataset.labels : nil, resume: resume)
      do {
        try ModelFile.save(autoencoder, history: result.history, to: out)
      } catch {
        let previous = FileManager.default.fileExists(atPath: out) ? "the file already there is unchanged" : "nothing was written"
        throw CommandError("\(out): the model was not saved (\(previous)): \(oneLine(error))")
      }
      let seconds = result.history.seconds
      print(jsonLine([
        "model": out, "epochs": result.history.epochs, "best_epoch": result.bestEpoch,
        "loss": result.history.loss.last, "val_loss": result.history.validationLoss.last,
        "seconds_per_epoch": seconds.isEmpty ? nil : seconds.reduce(0, +) / Double(seconds.count),
        "stopped_early": result.stoppedEarly,
      ]))
    }
  }
}

extension Train {
  /// Refuse an --out or --checkpoint that cannot be written (a device, a directory, a missing
  /// folder, ...) before any work.
  func checkDestinations() throws {
    try checkOutputs(out)
    guard let checkpoint else { return }
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: checkpoint, isDirectory: &isFolder) {
      guard isFolder.boolValue else { throw CommandError("--checkpoint \(checkpoint) is not a folder") }
      try checkOutputs(checkpoint + "/checkpoint.h5")
    }
  }
}

/// "dense 784-256-32-256-784 (relu, sigmoid output, bce)".
func describe(_ spec: ModelSpec) -> String {
  // Feature maps of convolutional layers read as HxWxC, dense layers as their width.
  let convolutional = (spec.encoder + spec.decoder).contains(where: \.isConvolution)
  func shape(_ s: [Int]) -> String { s.map(String.init).joined(separator: "x") }
  let input = convolutional ? spec.inputShape.map(shape) ?? String(spec.inputWidth) : String(spec.inputWidth)
  var widths = [input] + (spec.encoder + spec.decoder).map { layer in layer.outputShape.map(shape) ?? String(layer.units) }
  if spec.isVariational { widths[spec.encoder.count] = "(\(spec.codeWidth),\(spec.codeWidth))" } // mean and log-variance
  let hidden = spec.encoder.first?.activation.rawValue ?? "linear"
  var extras = ""
  if let noise = spec.noise { extras += ", \(noise.kind.rawValue) noise \(noise.level)" }
  if spec.l1Activity > 0 { extras += ", l1 code \(spec.l1Activity)" }
  if let kl = spec.klSparsity { extras += ", kl sparsity \(kl.target) x \(kl.weight)" }
  if let lambda = spec.contractive { extras += ", contractive \(lambda)" }
  if spec.isVariational { extras += ", latent \(spec.codeWidth), beta \(spec.beta ?? 1)" }
  return "\(spec.kind.rawValue) \(widths.joined(separator: "-")) (\(hidden), \(spec.outputActivation.rawValue) output, \(spec.loss.rawValue)\(extras))"
}
