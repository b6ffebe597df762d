import Audio
import Models
import Runtime
import Tensor
import Training

/// Trains a timbre model: a VAE over the log-magnitude frames of a folder of sounds,
/// standardized per bin, optionally conditioned on each sound's pitch so that the code
/// carries the timbre and the condition the note.
public enum TimbreTrainer {
  public struct Options: Sendable {
    public var settings = SpectrogramSettings()
    public var latent = 16
    public var hidden = [512, 256]
    public var epochs: Int?
    public var batchSize = 128
    public var learningRate: Float = 1e-3
    /// Weight of the KL term: small, so the codes keep the detail of each frame.
    public var beta: Float = 0.05
    public var seed: UInt64 = 1
    public init() {}
  }

  /// Passes when none are given: about 400,000 frames in all, 20 to 300 passes.
  public static func defaultEpochs(frames: Int) -> Int { min(300, max(20, 400_000 / max(frames, 1))) }

  /// The network's frames of `sounds` (rows of `features.width`) and their condition rows (one pitch per row) when
  /// the settings condition on pitch.
  public static func frames(_ sounds: [SoundFolder.Sound], features: TimbreFeatures) throws -> (frames: Tensor, conditions: Tensor?) {
    let width = features.width
    var values: [Float] = [], pitches: [Float] = []
    for sound in sounds where !sound.samples.isEmpty {
      let pitched = features.settings.condition == "pitch"
      if pitched && sound.pitch == nil { throw AudioTrainingError("\(sound.path): no pitch for a pitch-conditioned model") }
      let f = try features.networkFrames(sound.samples, pitch: sound.pitch)
      values += f
      if pitched, let pitch = sound.pitch {
        pitches += [Float](repeating: SpectrogramSettings.pitchCondition(midi: pitch), count: f.count / width)
      }
    }
    guard !values.isEmpty else { throw AudioTrainingError("no frames: the sounds are empty") }
    let data = Tensor(rows: values.count / width, cols: width)
    values.withUnsafeBufferPointer { data.data.update(from: $0.baseAddress!, count: values.count) }
    guard features.settings.condition == "pitch" else { return (data, nil) }
    let conditions = Tensor(rows: data.rows, cols: 1)
    pitches.withUnsafeBufferPointer { conditions.data.update(from: $0.baseAddress!, count: pitches.count) }
    return (data, conditions)
  }

  /// The untrained model for these options, its pipeline fitted to `frames`.
  public static func makeModel(frames: Tensor, options: Options) throws -> Autoencoder {
    var spec = ModelSpec.variational(inputWidth: options.settings.rowWidth, hidden: options.hidden, latent: options.latent,
                                     outputActivation: .linear, loss: .mse, beta: options.beta)
    if options.settings.condition == "pitch" {
      spec.kind = .cvae
      spec.conditions = [ConditionSpec(name: "pitch", kind: .continuous, width: 1)]
    }
    let model = try Autoencoder(spec: spec, seed: options.seed)
    model.pipeline = Pipeline([.spectrogram(options.settings), .affine(Scaling.fit(frames, method: .standard))])
    return model
  }

  /// Train a timbre model on `sounds`; `progress` prints epochs as `ae train` does.
  public static func fit(_ sounds: [SoundFolder.Sound], options: Options, progress: ProgressPrinter? = nil) throws -> (model: Autoencoder, result: TrainingResult, frames: Int) {
    let features = try TimbreFeatures(options.settings)
    let (raw, conditions) = try frames(sounds, features: features)
    let model = try makeModel(frames: raw, options: options)
    let data = try model.pipeline.forward(raw)
    let training = TrainingOptions(epochs: options.epochs ?? defaultEpochs(frames: data.rows), batchSize: min(options.batchSize, data.rows),
                                   optimizer: OptimizerSettings(kind: .adam, learningRate: options.learningRate),
                                   seed: options.seed)
    let trainer = Trainer(model: model, options: training)
    trainer.progress = progress
    let result = try trainer.fit(data, conditions: conditions)
    return (model, result, data.rows)
  }
}
