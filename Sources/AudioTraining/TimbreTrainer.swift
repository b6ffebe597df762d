#if canImport(Glibc)
import Glibc
#endif
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
    /// An encoder such as `conv16s2,conv32s2,dense16` (`Architecture`) in place of `hidden` and
    /// `latent`: each frame is shaped (width, 1), so its convolutions run along the frame's axis,
    /// and the last dense item is the latent.
    public var architecture: Architecture?
    public var epochs: Int?
    public var batchSize = 128
    public var learningRate: Float = 1e-3
    /// Weight of the KL term: small, so the codes keep the detail of each frame.
    public var beta: Float = 0.05
    public var seed: UInt64 = 1
    /// How much louder rows count in the loss (0: every standardized row alike); see
    /// `loudnessScaling`.
    public var loudnessWeight: Float = 3
    public init() {}
  }

  public static let maximumDefaultHarmonics = 128

  /// Harmonics for the harmonic axis when none are given: enough to reach half the sample
  /// rate at the lowest pitch (above it the frames would drop the top of the spectrum), at
  /// most `maximumDefaultHarmonics` (a frame of those times the points per harmonic).
  public static func defaultHarmonics(lowestPitch: Double, sampleRate: Int) -> Int {
    let reach = (Double(sampleRate) / 2 / TimbreFeatures.fundamental(midi: lowestPitch)).rounded(.up)
    return Int(min(max(reach, 1), Double(maximumDefaultHarmonics)))
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
    let width = options.settings.rowWidth
    var spec: ModelSpec
    if let architecture = options.architecture {
      spec = try architecture.spec(kind: .vae, inputWidth: width, inputShape: [width, 1], outputActivation: .linear, loss: .mse)
      spec.beta = options.beta
    } else {
      spec = ModelSpec.variational(inputWidth: width, hidden: options.hidden, latent: options.latent,
                                   outputActivation: .linear, loss: .mse, beta: options.beta)
    }
    if options.settings.condition == "pitch" {
      spec.kind = .cvae
      spec.conditions = [ConditionSpec(name: "pitch", kind: .continuous, width: 1)]
    }
    let problems = spec.problems()
    guard problems.isEmpty else { throw AudioTrainingError("the timbre model cannot be built: \(problems.joined(separator: "; "))") }
    let model = try Autoencoder(spec: spec, seed: options.seed)
    let scaling = loudnessScaling(frames, floor: options.settings.floor, weight: options.loudnessWeight)
    model.pipeline = Pipeline([.spectrogram(options.settings), .affine(scaling)])
    return model
  }

  /// Per-row standardization whose scale also weighs each row by its share of the energy:
  /// row j's squared error counts `(1 + weight * e_j / mean(e)) / (1 + weight)` times, with
  /// e_j the row's mean squared magnitude. Spectral convergence is an energy-weighted error,
  /// so the loud rows (on the harmonic axis: the harmonics themselves) deserve the network's
  /// attention more than the many quiet rows between them; the quiet rows keep a weight.
  /// The model decodes through the same affine, so the weights change only the training.
  static func loudnessScaling(_ frames: Tensor, floor: Float, weight: Float) -> Scaling {
    var scaling = Scaling.fit(frames, method: .standard)
    guard weight > 0, frames.rows > 0 else { return scaling }
    let width = frames.cols
    var energy = [Double](repeating: 0, count: width)
    for r in 0..<frames.rows {
      let row = frames.row(r)
      for j in 0..<width {
        let m = Double(max(expf(min(row[j], 30)) - floor, 0))
        energy[j] += m * m
      }
    }
    let average = energy.reduce(0, +) / Double(width)
    guard average > 0, average.isFinite else { return scaling }
    for j in 0..<width {
      let share = (1 + Double(weight) * energy[j] / average) / (1 + Double(weight))
      scaling.scale[j] *= Float(share.squareRoot())
    }
    return scaling
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
