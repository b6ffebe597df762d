import Layers

/// One layer of an encoder or decoder; its `kind` says how it computes (see `LayerKind`).
///
/// `units` is always the values per output row (height x width x channels for a 2-D
/// convolution, time x channels for a 1-D one), so widths chain the same way whatever the
/// kind. Convolutions also record kernel, stride and zero padding as (height, width) pairs
/// and the shapes they read and write; a transposed convolution's output shape settles what
/// PyTorch calls output_padding. A 1-D convolution's pairs have height 1 (padding 0) and
/// its shapes are (time, channels).
///
/// In the file's JSON a square pair is one number and a 1-D layer's pair is its time value,
/// so format-1 specs read unchanged; a rectangular pair is [height, width].
public struct LayerSpec: Equatable, Sendable {
  public var kind: LayerKind
  public var units: Int
  public var activation: Activation
  public var kernel: [Int]?
  public var stride: [Int]?
  public var padding: [Int]?
  public var inputShape: [Int]?
  public var outputShape: [Int]?

  public init(units: Int, activation: Activation) {
    kind = .dense
    self.units = units
    self.activation = activation
  }

  /// A 2-D convolution over `inputShape` (height, width, channels) with `filters` output
  /// channels and "same"-style padding (kernel / 2), so stride 2 halves the image (rounding up).
  public static func convolution(
    inputShape: [Int], filters: Int, kernel: Int, stride: Int, activation: Activation
  ) -> LayerSpec {
    convolution(inputShape: inputShape, filters: filters, kernel: [kernel, kernel], stride: [stride, stride], activation: activation)
  }

  /// A 2-D convolution with a (height, width) kernel and stride and "same"-style padding.
  public static func convolution(
    inputShape: [Int], filters: Int, kernel: [Int], stride: [Int], activation: Activation
  ) -> LayerSpec {
    var layer = LayerSpec(units: 0, activation: activation)
    layer.kind = .conv2d
    layer.kernel = kernel
    layer.stride = stride
    layer.padding = kernel.map { $0 / 2 }
    layer.inputShape = inputShape
    if inputShape.count == 3, let g = Conv2DKind.geometry(layer), g.problems().isEmpty {
      layer.outputShape = [g.outputHeight, g.outputWidth, filters]
      layer.units = g.positions * filters
    }
    return layer
  }

  /// A convolution over time on `inputShape` (time, channels) frames with `filters` output
  /// channels and "same"-style padding (kernel / 2).
  public static func temporalConvolution(
    inputShape: [Int], filters: Int, kernel: Int, stride: Int, activation: Activation
  ) -> LayerSpec {
    var layer = LayerSpec(units: 0, activation: activation)
    layer.kind = .conv1d
    layer.kernel = [1, kernel]
    layer.stride = [1, stride]
    layer.padding = [0, kernel / 2]
    layer.inputShape = inputShape
    if inputShape.count == 2, let g = Conv1DKind.geometry(layer), g.problems().isEmpty {
      layer.outputShape = [g.outputWidth, filters]
      layer.units = g.outputWidth * filters
    }
    return layer
  }

  /// The transposed convolution that undoes `convolution`'s shape change: it reads the
  /// convolution's output shape and writes its input shape.
  public static func transposed(of convolution: LayerSpec, activation: Activation) -> LayerSpec {
    var layer = convolution
    layer.kind = convolution.kind == .conv1d ? .conv1dTranspose : .conv2dTranspose
    layer.activation = activation
    layer.inputShape = convolution.outputShape
    layer.outputShape = convolution.inputShape
    layer.units = convolution.inputShape?.reduce(1, *) ?? 0
    return layer
  }

  public var isConvolution: Bool { kind.isConvolution }

  /// Reasons this layer cannot read rows of `inputWidth` values, empty when it can.
  func problems(inputWidth: Int) -> [String] {
    kind.descriptor.problems(self, inputWidth: inputWidth)
  }
}

extension LayerSpec: Codable {
  enum CodingKeys: String, CodingKey {
    case kind = "type", units, activation, kernel, stride, padding, inputShape, outputShape
  }

  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let name = try container.decode(String.self, forKey: .kind)
    guard let kind = LayerKind(rawValue: name) else {
      let known = LayerKind.allCases.map(\.rawValue).joined(separator: ", ")
      throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown layer type '\(name)' (known: \(known))")
    }
    self.kind = kind
    units = try container.decode(Int.self, forKey: .units)
    activation = try container.decode(Activation.self, forKey: .activation)
    inputShape = try container.decodeIfPresent([Int].self, forKey: .inputShape)
    outputShape = try container.decodeIfPresent([Int].self, forKey: .outputShape)
    let temporal = kind == .conv1d || kind == .conv1dTranspose
    func pair(_ key: CodingKeys, height: Int) throws -> [Int]? {
      if let value = try? container.decodeIfPresent(Int.self, forKey: key) {
        return temporal ? [height, value] : [value, value]
      }
      return try container.decodeIfPresent([Int].self, forKey: key)
    }
    kernel = try pair(.kernel, height: 1)
    stride = try pair(.stride, height: 1)
    padding = try pair(.padding, height: 0)
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(kind.rawValue, forKey: .kind)
    try container.encode(units, forKey: .units)
    try container.encode(activation, forKey: .activation)
    try container.encodeIfPresent(inputShape, forKey: .inputShape)
    try container.encodeIfPresent(outputShape, forKey: .outputShape)
    let temporal = kind == .conv1d || kind == .conv1dTranspose
    func pair(_ value: [Int]?, _ key: CodingKeys, height: Int) throws {
      guard let value else { return }
      if value.count == 2 && temporal && value[0] == height { try container.encode(value[1], forKey: key) }
      else if value.count == 2 && !temporal && value[0] == value[1] { try container.encode(value[0], forKey: key) }
      else { try container.encode(value, forKey: key) }
    }
    try pair(kernel, .kernel, height: 1)
    try pair(stride, .stride, height: 1)
    try pair(padding, .padding, height: 0)
  }
}
