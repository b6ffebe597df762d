import Layers

/// The kinds of layer an encoder or decoder is made of. Each kind has one descriptor (a file
/// in this folder) that knows its spec's rules, its parameter shapes and the operation that
/// computes it; nothing else in the engine switches on the kind. Adding a kind is one
/// descriptor file, one case here, and its tests.
public enum LayerKind: String, Codable, CaseIterable, Sendable {
  case dense
  case conv2d
  case conv2dTranspose = "conv2d_transpose"
  /// A convolution over time: rows are (time, channels) frames, e.g. spectrogram frames or
  /// piano-roll steps.
  case conv1d
  case conv1dTranspose = "conv1d_transpose"

  var descriptor: any LayerKindDescriptor.Type {
    switch self {
    case .dense: DenseKind.self
    case .conv2d: Conv2DKind.self
    case .conv2dTranspose: Conv2DTransposeKind.self
    case .conv1d: Conv1DKind.self
    case .conv1dTranspose: Conv1DTransposeKind.self
    }
  }

  /// Whether layers of this kind read and write shaped rows (images, frames over time).
  public var isConvolution: Bool { self != .dense }
}

/// What the engine needs to know about one layer kind.
protocol LayerKindDescriptor {
  /// Reasons `layer` cannot read rows of `inputWidth` values, empty when it can (sizes have
  /// already been bounded by `ModelSpec.sizeProblem`).
  static func problems(_ layer: LayerSpec, inputWidth: Int) -> [String]
  /// The stored kernel's shape (Keras order) and the bias length, for a layer without problems.
  static func parameterShapes(_ layer: LayerSpec, inputWidth: Int) -> (kernel: [Int], bias: Int)
  /// How the layer computes, for a layer without problems.
  static func operation(_ layer: LayerSpec, inputWidth: Int) -> LayerOperation
}
