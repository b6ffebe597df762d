import Layers
import Models
import Runtime
import Tensor
import Training

/// A melody VAE: a dense VAE over a phrase's one-hot token steps with one softmax head per
/// step (as MusicVAE's output, without its recurrent decoder), the settings stored in the
/// model's pipeline (`.melody`).
public enum MelodyModel {
  /// The defaults were measured on music21's Essen folk songs (altdeu10 and altdeu20: 567
  /// training songs, 17,888 two-bar phrases; 62 held-out songs, 2,021 phrases), 10 epochs:
  /// hidden [512, 256] with beta 0.05 reconstructed 98.3 % of held-out tokens (88.0 % of
  /// note starts and rests); [256, 128] with beta 0.2 gave 95.7 % (69.3 %). Transposing each
  /// phrase by up to 2 semitones each way (`ae music train --transpose 2`, its default) raised
  /// the 98.3 % to 99.2 % (94.6 % of note starts and rests).
  public struct Options: Sendable {
    public var epochs = 10
    public var batchSize = 64
    public var seed: UInt64 = 1
    /// Encoder widths (the decoder mirrors them) and the code's width.
    public var hidden = [512, 256]
    public var latent = 32
    public var learningRate: Float = 1e-3
    /// The KL term's weight, reached after `klWarmupEpochs`. Small, as MusicVAE keeps it small
    /// (with free bits), so that codes carry the phrase rather than collapse to the prior.
    public var beta: Float = 0.05
    public var klWarmupEpochs = 3
    /// Fraction of hidden units dropped in training.
    public var dropout: Float = 0
    public init() {}
  }

  /// The untrained network for `settings`.
  public static func spec(_ settings: MelodySettings, options: Options) -> ModelSpec {
    var spec = ModelSpec.variational(inputWidth: settings.rowWidth, hidden: options.hidden, latent: options.latent,
                                     outputActivation: .linear, loss: .categorical, beta: options.beta,
                                     klWarmupEpochs: options.klWarmupEpochs)
    spec.dropout = options.dropout
    spec.heads = (0..<settings.steps).map {
      OutputHead(name: "step \($0 + 1)", width: settings.vocabulary, activation: .softmax, loss: .categorical)
    }
    return spec
  }

  /// Train a melody model on `phrases` (each `settings.steps` tokens).
  public static func train(_ phrases: [[Int]], settings: MelodySettings, options: Options,
                           progress: ProgressPrinter? = nil) throws -> (model: Autoencoder, result: TrainingResult) {
    guard !phrases.isEmpty else { throw MusicError("there are no phrases to train on") }
    let data = try rows(phrases, settings: settings)
    let model = try Autoencoder(spec: spec(settings, options: options), seed: options.seed)
    model.pipeline = Pipeline([.melody(settings)])
    let training = TrainingOptions(epochs: options.epochs, batchSize: min(options.batchSize, phrases.count),
                                   optimizer: OptimizerSettings(kind: .adam, learningRate: options.learningRate),
                                   seed: options.seed)
    let trainer = Trainer(model: model, options: training)
    trainer.progress = progress
    return (model, try trainer.fit(data))
  }

  /// One row per phrase: each step's token one-hot over the vocabulary.
  public static func rows(_ phrases: [[Int]], settings: MelodySettings) throws -> Tensor {
    let data = Tensor(rows: phrases.count, cols: settings.rowWidth)
    data.fill(0)
    for (r, phrase) in phrases.enumerated() {
      guard phrase.count == settings.steps else {
        throw MusicError("a phrase has \(phrase.count) steps; the model's phrases have \(settings.steps)")
      }
      for (step, token) in phrase.enumerated() {
        guard (0..<settings.vocabulary).contains(token) else { throw MusicError("token \(token) is outside the vocabulary of \(settings.vocabulary)") }
        data[r, step * settings.vocabulary + token] = 1
      }
    }
    return data
  }

  /// Each row's most likely token per step.
  public static func tokens(_ rows: Tensor, settings: MelodySettings) -> [[Int]] {
    (0..<rows.rows).map { r in
      let row = rows.row(r)
      return (0..<settings.steps).map { step in
        let base = row + step * settings.vocabulary
        var best = 0
        for token in 1..<settings.vocabulary where base[token] > base[best] { best = token }
        return best
      }
    }
  }

  /// The melody settings of a loaded model, or an error saying it is not a melody model.
  public static func settings(of model: InferenceModel) throws -> MelodySettings {
    guard let settings = model.pipeline.melody else {
      throw MusicError("the model is not a melody model (its pipeline has no melody transform); train one with ae music train")
    }
    return settings
  }

  /// Each phrase's code: the mean of its posterior.
  public static func encode(_ phrases: [[Int]], model: InferenceModel) throws -> Tensor {
    try model.encodeDistribution(rows(phrases, settings: settings(of: model))).mean
  }

  /// The phrase each code decodes to (the most likely token per step).
  public static func decode(_ codes: Tensor, model: InferenceModel) throws -> [[Int]] {
    try tokens(model.decode(codes), settings: settings(of: model))
  }

  /// `count` phrases from codes drawn from the prior (scaled by `temperature`).
  public static func sample(count: Int, seed: UInt64, temperature: Float, model: InferenceModel) throws -> [[Int]] {
    guard model.canSample else { throw MusicError("the model cannot draw phrases (it is not a variational model)") }
    return try tokens(model.sample(rows: count, seed: seed, temperature: temperature).samples, settings: settings(of: model))
  }
}
