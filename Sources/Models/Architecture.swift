import Layers

/// A compact description of an encoder, such as `conv16s2,conv32s2,dense32`, and the
/// autoencoder it stands for: the encoder as written (its last layer is the code) and a
/// decoder that mirrors it, with a transposed convolution for every convolution.
///
/// Items, comma-separated: `conv<filters>[k<kernel>][s<stride>]` (kernel 3 and stride 1 by
/// default, padding kernel / 2; a rectangular kernel or stride is `k3x5`, `s2x1`, height
/// first) and `dense<units>` (or just `<units>`). Convolutions come first and need shaped
/// rows: images (height, width, channels) give 2-D convolutions, frames over time (time,
/// channels) 1-D ones over time. The last item is dense: the code, or for a VAE the latent
/// width (the encoder then ends in a linear head of 2 x latent units).
public struct Architecture: Equatable, Sendable {
  public enum Item: Equatable, Sendable {
    /// Kernel and stride as (height, width); a 1-D convolution uses the width.
    case convolution(filters: Int, kernel: [Int], stride: [Int])
    case dense(units: Int)
  }

  public let items: [Item]

  public init(_ items: [Item]) { self.items = items }

  public init(parsing text: String) throws {
    var items: [Item] = []
    for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
      let word = String(piece.filter { $0 != " " })
      guard let item = Architecture.item(word) else {
        throw ModelError("architecture item '\(word)' is not conv<filters>[k<kernel>[x<width>]][s<stride>[x<width>]] or dense<units> (e.g. conv16s2,conv32s2,dense32)")
      }
      items.append(item)
    }
    if let firstDense = items.firstIndex(where: { if case .dense = $0 { true } else { false } }),
       items[firstDense...].contains(where: { if case .convolution = $0 { true } else { false } }) {
      throw ModelError("architecture '\(text)': convolutions must come before dense layers")
    }
    guard case .dense = items.last else {
      throw ModelError("architecture '\(text)' must end in a dense layer: the code (e.g. ...,dense32)")
    }
    self.items = items
  }

  private static func item(_ word: String) -> Item? {
    if let units = Int(word), units > 0 { return .dense(units: units) }
    if word.hasPrefix("dense"), let units = Int(word.dropFirst(5)), units > 0 { return .dense(units: units) }
    guard word.hasPrefix("conv") else { return nil }
    // conv<filters>, then optional k<kernel> and s<stride> in that order.
    var rest = Substring(word.dropFirst(4))
    func number() -> Int? {
      let digits = rest.prefix { $0.isNumber }
      rest = rest.dropFirst(digits.count)
      return Int(digits)
    }
    /// A positive size, or a pair `<height>x<width>`; one number stands for a square pair.
    func pair() -> [Int]? {
      guard let first = number(), first > 0 else { return nil }
      guard rest.first == "x" else { return [first, first] }
      rest = rest.dropFirst()
      guard let second = number(), second > 0 else { return nil }
      return [first, second]
    }
    guard let filters = number(), filters > 0 else { return nil }
    var kernel = [3, 3], stride = [1, 1]
    if rest.first == "k" { rest = rest.dropFirst(); guard let k = pair() else { return nil }; kernel = k }
    if rest.first == "s" { rest = rest.dropFirst(); guard let s = pair() else { return nil }; stride = s }
    return rest.isEmpty ? .convolution(filters: filters, kernel: kernel, stride: stride) : nil
  }

  public var hasConvolutions: Bool {
    items.contains { if case .convolution = $0 { true } else { false } }
  }

  /// The model spec: `kind` vae or cvae gives a variational head; the other kinds a plain code
  /// (with `codeActivation`, default `activation`). Penalties, noise and the like are the
  /// caller's to set on the result.
  public func spec(
    kind: ModelKind, inputWidth: Int, inputShape: [Int]?, activation: Activation = .relu,
    codeActivation: Activation? = nil, outputActivation: Activation = .sigmoid, loss: Loss = .bce
  ) throws -> ModelSpec {
    let variational = kind == .vae || kind == .cvae
    var encoder: [LayerSpec] = []
    var convolutions: [LayerSpec] = []
    var shape = inputShape
    for item in items {
      switch item {
      case .convolution(let filters, let kernel, let stride):
        guard let image = shape, image.count == 3 || image.count == 2 else {
          throw ModelError("convolutions need shaped rows: images (height x width x channels) or frames over time (time x channels); this data has none (give --image-shape)")
        }
        if image.count == 2 && (kernel[0] != kernel[1] || stride[0] != stride[1]) {
          throw ModelError("a convolution over time takes one kernel size and one stride, not \(kernel[0])x\(kernel[1]) or \(stride[0])x\(stride[1])")
        }
        let layer = image.count == 2
          ? LayerSpec.temporalConvolution(inputShape: image, filters: filters, kernel: kernel[1], stride: stride[1], activation: activation)
          : LayerSpec.convolution(inputShape: image, filters: filters, kernel: kernel, stride: stride, activation: activation)
        encoder.append(layer)
        convolutions.append(layer)
        shape = layer.outputShape
      case .dense(let units):
        encoder.append(LayerSpec(units: units, activation: activation))
        shape = nil
      }
    }
    // The code: the last dense item, or a VAE's (mean, log-variance) head on its latent width.
    let code = encoder.removeLast()
    encoder.append(variational
      ? LayerSpec(units: 2 * code.units, activation: .linear)
      : LayerSpec(units: code.units, activation: codeActivation ?? activation))
    // The decoder mirrors the hidden dense layers, widens to the last feature map, then
    // undoes each convolution; its last layer writes the reconstruction.
    let hiddenDense = encoder.dropLast().filter { !$0.isConvolution }
    var decoder = hiddenDense.reversed().map { LayerSpec(units: $0.units, activation: activation) }
    if let last = convolutions.last {
      decoder.append(LayerSpec(units: last.units, activation: activation))
      decoder += convolutions.reversed().map { LayerSpec.transposed(of: $0, activation: activation) }
      decoder[decoder.count - 1].activation = outputActivation
    } else {
      decoder.append(LayerSpec(units: inputWidth, activation: outputActivation))
    }
    var spec = ModelSpec(kind: kind, inputWidth: inputWidth, inputShape: inputShape, encoder: encoder,
                         decoder: decoder, loss: loss)
    if variational { spec.beta = 1 }
    return spec
  }
}
