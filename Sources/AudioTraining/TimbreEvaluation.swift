import Audio

/// How well a timbre model reconstructs held-out sounds, beside the ceiling of any magnitude
/// model: Griffin-Lim from the sounds' true magnitudes, with the same iterations.
public enum TimbreEvaluation {
  public struct Scores: Codable, Sendable {
    /// Log-spectral distance in dB, spectral convergence, multi-resolution STFT distance
    /// (definitions in `SpectralMetrics`), means over the files.
    public var lsd = 0.0, spectralConvergence = 0.0, multiResolutionSTFT = 0.0

    enum CodingKeys: String, CodingKey {
      case lsd = "lsd_db", spectralConvergence = "spectral_convergence", multiResolutionSTFT = "mr_stft"
    }

    mutating func add(reference: [Float], estimate: [Float], weight: Double) {
      lsd += SpectralMetrics.logSpectralDistance(reference: reference, estimate: estimate) * weight
      spectralConvergence += SpectralMetrics.spectralConvergence(reference: reference, estimate: estimate) * weight
      multiResolutionSTFT += SpectralMetrics.multiResolutionSTFT(reference: reference, estimate: estimate) * weight
    }
  }

  public struct Report: Codable, Sendable {
    public var files: Int
    public var model: Scores
    public var griffinLim: Scores
    public var iterations: Int

    enum CodingKeys: String, CodingKey {
      case files, model, griffinLim = "griffin_lim", iterations
    }
  }

  /// The model's scores and Griffin-Lim's on `sounds` (at the model's rate).
  public static func evaluate(_ model: TimbreModel, sounds: [SoundFolder.Sound], progress: ((Int, Int) -> Void)? = nil) throws -> Report {
    var report = Report(files: sounds.count, model: Scores(), griffinLim: Scores(), iterations: model.iterations)
    let weight = 1 / Double(max(sounds.count, 1))
    let stft = model.features.stft
    for (index, sound) in sounds.enumerated() {
      guard sound.samples.count >= model.settings.fftSize else {
        throw AudioTrainingError("\(sound.path): shorter than one frame (\(model.settings.fftSize) samples)")
      }
      let rebuilt = try model.reconstruct(sound.samples, pitch: model.takesPitch ? sound.pitch : nil).samples
      report.model.add(reference: sound.samples, estimate: rebuilt, weight: weight)
      let magnitudes = stft.magnitudes(sound.samples)
      let ceiling = GriffinLim(iterations: model.iterations, momentum: 0.99, seed: UInt64(index))
        .reconstruct(magnitudes: magnitudes, frames: magnitudes.count / stft.bins, stft: stft, length: sound.samples.count)
      report.griffinLim.add(reference: sound.samples, estimate: ceiling, weight: weight)
      progress?(index + 1, sounds.count)
    }
    return report
  }
}
