import ArgumentParser
import Layers
import Models
import Runtime
import Training

// The fixed sets of choices the options take, parsed by their raw values.
extension Activation: ExpressibleByArgument {}
extension InferenceModel.Precision: ExpressibleByArgument {}
extension Loss: ExpressibleByArgument {}
extension ModelKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension Scaling.Method: ExpressibleByArgument {}
extension SpectralWindow: ExpressibleByArgument {}

/// What a timbre model's frame holds (`ae audio train --frames`).
enum FrameAxisArgument: String, CaseIterable, ExpressibleByArgument {
  /// ln(|X| + floor) per STFT bin.
  case linear
  /// ln(band + floor) per mel band (`--mels`).
  case mel
  /// Log-magnitudes at multiples of the fundamental (`--harmonics`; pitch models).
  case harmonic

  var axis: SpectrogramSettings.Axis {
    switch self {
    case .linear: .bins
    case .mel: .mel
    case .harmonic: .harmonic
    }
  }
}

/// Training before the end-to-end fit.
enum Pretraining: String, CaseIterable, ExpressibleByArgument {
  /// Layer by layer, each as a shallow autoencoder (the classic stacked autoencoder).
  case greedy
}
