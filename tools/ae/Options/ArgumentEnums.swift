import ArgumentParser
import Layers
import Models
import Training

// The fixed sets of choices the options take, parsed by their raw values.
extension Activation: ExpressibleByArgument {}
extension Loss: ExpressibleByArgument {}
extension ModelKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension Scaling.Method: ExpressibleByArgument {}

/// Training before the end-to-end fit.
enum Pretraining: String, CaseIterable, ExpressibleByArgument {
  /// Layer by layer, each as a shallow autoencoder (the classic stacked autoencoder).
  case greedy
}
