import Layers
import Tensor

/// How one planned layer computes: the forward code shared by training (through the layer
/// objects it makes) and the runtime (through `apply`, which touches only its arguments).
public enum LayerOperation: Sendable {
  case dense(inputWidth: Int, outputWidth: Int)
  case convolution(ConvGeometry, filters: Int)
  case transposedConvolution(ConvGeometry, inputChannels: Int)

  /// The trainable layer (forward, backward, parameters) for this operation.
  public func makeLayer(activation: Activation) -> Layer {
    switch self {
    case .dense(let input, let output): Dense(inputWidth: input, outputWidth: output, activation: activation)
    case .convolution(let geometry, let filters): Conv2D(geometry: geometry, filters: filters, activation: activation)
    case .transposedConvolution(let geometry, let channels):
      ConvTranspose2D(geometry: geometry, inputChannels: channels, activation: activation)
    }
  }

  /// Scratch values per row for the im2col patches of a convolution (0 for dense layers).
  public var columnsPerRow: Int {
    switch self {
    case .dense: 0
    case .convolution(let g, _), .transposedConvolution(let g, _): g.positions * g.patchSize
    }
  }

  /// `y = f(layer(x))` for `rows` rows with the given weights; `team` splits the products of
  /// dense and convolution layers over its threads, which read `packed` (the kernel packed for
  /// the own kernels, float32 or bfloat16, or quantized to int8) instead of `kernel` where they can.
  @inline(__always)
  public func apply(
    _ x: UnsafePointer<Float>, rows n: Int, kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    activation: Activation, columns: UnsafeMutablePointer<Float>, packed: BLAS.PackedKernel? = nil,
    team: BLAS.Team? = nil, into y: UnsafeMutablePointer<Float>
  ) {
    switch self {
    case .dense(let input, let output):
      Dense.apply(x, rows: n, kernel: kernel, bias: bias, inputWidth: input, outputWidth: output, activation: activation,
                  packed: packed, team: team, into: y)
    case .convolution(let geometry, let filters):
      Conv2D.apply(x, rows: n, geometry: geometry, kernel: kernel, bias: bias, filters: filters,
                   activation: activation, columns: columns, packed: packed, team: team, into: y)
    case .transposedConvolution(let geometry, let channels):
      ConvTranspose2D.apply(x, rows: n, geometry: geometry, kernel: kernel, bias: bias, inputChannels: channels,
                            activation: activation, columns: columns, team: team, into: y)
    }
  }
}
