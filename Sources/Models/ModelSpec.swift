import Layers

/// The kinds of autoencoder the engine builds. Each is a configuration of one engine.
public enum ModelKind: String, Codable, CaseIterable, Sendable {
  /// Undercomplete dense autoencoder, any depth (deep / stacked).
  case dense
  /// Trained to undo input corruption (`noise`); the target is the clean input.
  case denoising
  /// Codes kept sparse by an L1 activity penalty or a KL sparsity target.
  case sparse
  /// Contractive autoencoder: penalizes how much the code moves with its input.
  case contractive
  /// Variational autoencoder: the encoder's last layer is a linear head giving the mean and
  /// log-variance of a Gaussian posterior over the code (beta-VAE with `beta`).
  case vae
  /// Conditional VAE: a one-hot class label is appended to the encoder's input and to the code.
  case cvae
}

/// One layer of an encoder or decoder: `dense`, `conv2d` or `conv2d_transpose`.
///
/// `units` is always the values per output row (height x width x channels for the
/// convolutions), so widths chain the same way whatever the layer type. Convolutions also
/// record their square kernel, stride, zero padding and the NHWC image shapes they read and
/// write; a transposed convolution's output shape settles what PyTorch calls output_padding.
public struct LayerSpec: Codable, Equatable, Sendable {
  public var type: String
  public var units: Int
  public var activation: Activation
  public var kernel: Int?
  public var stride: Int?
  public var padding: Int?
  public var inputShape: [Int]?
  public var outputShape: [Int]?

  public static let denseType = "dense"
  public static let convolutionType = "conv2d"
  public static let transposedConvolutionType = "conv2d_transpose"

  public init(units: Int, activation: Activation) {
    type = LayerSpec.denseType
    self.units = units
    self.activation = activation
  }

  /// A convolution over `inputShape` (height, width, channels) with `filters` output channels
  /// and "same"-style padding (kernel / 2), so stride 2 halves the image (rounding up).
  public static func convolution(inputShape: [Int], filters: Int, kernel: Int, stride: Int, activation: Activation) -> LayerSpec {
    var layer = LayerSpec(units: 0, activation: activation)
    layer.type = convolutionType
    layer.kernel = kernel
    layer.stride = stride
    layer.padding = kernel / 2
    layer.inputShape = inputShape
    if inputShape.count == 3 {
      let g = ConvGeometry(height: inputShape[0], width: inputShape[1], channels: inputShape[2],
                           kernelHeight: kernel, kernelWidth: kernel, stride: stride, padding: kernel / 2)
      layer.outputShape = [g.outputHeight, g.outputWidth, filters]
      layer.units = g.positions * filters
    }
    return layer
  }

  /// The transposed convolution that undoes `convolution`'s shape change: it reads the
  /// convolution's output shape and writes its input shape.
  public static func transposed(of convolution: LayerSpec, activation: Activation) -> LayerSpec {
    var layer = convolution
    layer.type = transposedConvolutionType
    layer.activation = activation
    layer.inputShape = convolution.outputShape
    layer.outputShape = convolution.inputShape
    layer.units = convolution.inputShape?.reduce(1, *) ?? 0
    return layer
  }

  public var isConvolution: Bool { type == LayerSpec.convolutionType || type == LayerSpec.transposedConvolutionType }

  /// The convolution's shape arithmetic: over the input image for `conv2d`, over the output
  /// image for `conv2d_transpose` (whose forward pass is that convolution's adjoint).
  public var geometry: ConvGeometry? {
    guard isConvolution, let kernel, let stride, let padding else { return nil }
    guard let image = type == LayerSpec.convolutionType ? inputShape : outputShape, image.count == 3 else { return nil }
    return ConvGeometry(height: image[0], width: image[1], channels: image[2], kernelHeight: kernel,
                        kernelWidth: kernel, stride: stride, padding: padding)
  }

  /// Reasons this layer cannot read rows of `inputWidth` values, empty when it can.
  func problems(inputWidth: Int) -> [String] {
    switch type {
    case LayerSpec.denseType:
      return kernel == nil && inputShape == nil && outputShape == nil ? [] : ["a dense layer takes no kernel or image shapes"]
    case LayerSpec.convolutionType, LayerSpec.transposedConvolutionType:
      guard let geometry, let input = inputShape, let output = outputShape, input.count == 3, output.count == 3 else {
        return ["a \(type) layer needs kernel, stride, padding, and input and output shapes (height, width, channels)"]
      }
      if (input + output).contains(where: { $0 < 1 }) { return ["its image shapes \(input) and \(output) must be positive"] }
      var found = geometry.problems()
      if !found.isEmpty { return found }
      let (columns, overflow) = geometry.positions.multipliedReportingOverflow(by: geometry.patchSize)
      if overflow || columns > 1 << 40 { return ["its im2col patches (\(geometry.positions) x \(geometry.patchSize) values per row) are too large"] }
      if input.reduce(1, *) != inputWidth {
        found.append("it reads a \(input.map(String.init).joined(separator: "x")) image (\(input.reduce(1, *)) values) but gets rows of \(inputWidth)")
      }
      // Both directions relate the small image (positions) to the large one (the geometry's image).
      let small = type == LayerSpec.convolutionType ? output : input
      if small[0] != geometry.outputHeight || small[1] != geometry.outputWidth {
        found.append("a \(kernel!)x\(kernel!) kernel with stride \(stride!) and padding \(padding!) maps \(geometry.height)x\(geometry.width) to \(geometry.outputHeight)x\(geometry.outputWidth), not \(small[0])x\(small[1])")
      }
      if output.reduce(1, *) != units { found.append("its output shape holds \(output.reduce(1, *)) values, not its \(units) units") }
      return found
    default:
      return ["unknown layer type '\(type)'"]
    }
  }
}

/// Everything needed to rebuild a model's structure; stored as JSON in the model file.
///
/// The decoder's last layer produces the reconstruction; its activation is `outputActivation`,
/// applied after the loss sees the logits (so BCE is computed stably from logits).
public struct ModelSpec: Codable, Equatable, Sendable {
  public var kind: ModelKind
  /// Values per input row.
  public var inputWidth: Int
  /// Image shape (height, width, channels) when the rows are images; informational for dense models.
  public var inputShape: [Int]?
  /// Encoder layers; the last one is the code.
  public var encoder: [LayerSpec]
  /// Decoder layers; the last one has `inputWidth` units and `outputActivation`.
  public var decoder: [LayerSpec]
  public var loss: Loss
  /// Dropout rate after each hidden layer (not after the code or the output).
  public var dropout: Float
  /// L1 penalty weight on the code activations (sum over the code, mean over the batch).
  public var l1Activity: Float
  /// Input corruption while training (denoising models).
  public var noise: Corruption?
  /// KL sparsity target on the code (sparse models with a sigmoid code).
  public var klSparsity: KLSparsity?
  /// Contractive models: weight of the Jacobian penalty (see `CodePenalties`).
  public var contractive: Float?
  /// VAE: weight of the KL term (1 is the ELBO; other values make a beta-VAE).
  public var beta: Float?
  /// VAE: epochs over which the KL weight ramps linearly from 0 up to beta (0 or nil: none).
  public var klWarmupEpochs: Int?

  /// Conditional models: how many classes the one-hot label has.
  public var classes: Int?

  /// Whether the encoder ends in a (mean, log-variance) head.
  public var isVariational: Bool { kind == .vae || kind == .cvae }
  /// Width of the one-hot label appended to the encoder's input and the code (0 if none).
  public var conditionWidth: Int { kind == .cvae ? classes ?? 0 : 0 }
  /// Values per row the encoder reads: the features, then the label.
  public var encoderInputWidth: Int { inputWidth + conditionWidth }
  /// Values per row the decoder reads: the code, then the label.
  public var decoderInputWidth: Int { codeWidth + conditionWidth }

  /// Width of the code (latent) layer; for a VAE, half the head (means, then log-variances).
  public var codeWidth: Int {
    let head = encoder.last?.units ?? inputWidth
    return isVariational ? head / 2 : head
  }
  /// The output activation.
  public var outputActivation: Activation { decoder.last?.activation ?? .linear }

  public init(
    kind: ModelKind, inputWidth: Int, inputShape: [Int]? = nil, encoder: [LayerSpec],
    decoder: [LayerSpec], loss: Loss, dropout: Float = 0, l1Activity: Float = 0
  ) {
    self.kind = kind
    self.inputWidth = inputWidth
    self.inputShape = inputShape
    self.encoder = encoder
    self.decoder = decoder
    self.loss = loss
    self.dropout = dropout
    self.l1Activity = l1Activity
  }

  /// A dense autoencoder whose decoder mirrors the encoder unless `decoderWidths` is given.
  ///
  /// `widths` lists the encoder layers down to the code, e.g. [256, 32] for 784-256-32-256-784.
  public static func dense(
    inputWidth: Int, widths: [Int], decoderWidths: [Int]? = nil, activation: Activation = .relu,
    codeActivation: Activation? = nil, outputActivation: Activation = .sigmoid, loss: Loss = .bce,
    dropout: Float = 0, l1Activity: Float = 0, inputShape: [Int]? = nil, kind: ModelKind = .dense,
    noise: Corruption? = nil, klSparsity: KLSparsity? = nil, contractive: Float? = nil
  ) -> ModelSpec {
    var encoder = widths.map { LayerSpec(units: $0, activation: activation) }
    if let codeActivation, !encoder.isEmpty { encoder[encoder.count - 1].activation = codeActivation }
    let hidden = decoderWidths ?? Array(widths.dropLast().reversed())
    let decoder = hidden.map { LayerSpec(units: $0, activation: activation) }
      + [LayerSpec(units: inputWidth, activation: outputActivation)]
    var spec = ModelSpec(kind: kind, inputWidth: inputWidth, inputShape: inputShape, encoder: encoder,
                         decoder: decoder, loss: loss, dropout: dropout, l1Activity: l1Activity)
    spec.noise = noise
    spec.klSparsity = klSparsity
    spec.contractive = contractive
    return spec
  }

  /// A variational autoencoder: `hidden` encoder widths, then a linear head of 2 x `latent`
  /// units (means and log-variances); the decoder mirrors `hidden` from `latent`.
  public static func variational(
    inputWidth: Int, hidden: [Int], latent: Int, activation: Activation = .relu,
    outputActivation: Activation = .sigmoid, loss: Loss = .bce, beta: Float = 1, klWarmupEpochs: Int = 0,
    inputShape: [Int]? = nil, classes: Int? = nil
  ) -> ModelSpec {
    let encoder = hidden.map { LayerSpec(units: $0, activation: activation) } + [LayerSpec(units: 2 * latent, activation: .linear)]
    let decoder = hidden.reversed().map { LayerSpec(units: $0, activation: activation) }
      + [LayerSpec(units: inputWidth, activation: outputActivation)]
    var spec = ModelSpec(kind: classes == nil ? .vae : .cvae, inputWidth: inputWidth, inputShape: inputShape,
                         encoder: encoder, decoder: decoder, loss: loss)
    spec.classes = classes
    spec.beta = beta
    spec.klWarmupEpochs = klWarmupEpochs
    return spec
  }

  /// Most parameters a model may have (8 GiB of float32).
  public static let maximumParameters = 1 << 31

  /// Why this spec's sizes are beyond reach (any single size above 2^31, a kernel, stride or
  /// padding above 1024, or more than `maximumParameters` weights), or nil.
  func sizeProblem() -> String? {
    let layers = encoder + decoder
    let dimensions = [inputWidth, classes ?? 0] + (inputShape ?? [])
      + layers.flatMap { [$0.units] + ($0.inputShape ?? []) + ($0.outputShape ?? []) }
    if let bad = dimensions.first(where: { abs($0) > 1 << 31 }) { return "a size of \(bad) is too large (at most 2^31)" }
    if let bad = layers.flatMap({ [$0.kernel ?? 0, $0.stride ?? 0, $0.padding ?? 0] }).first(where: { abs($0) > 1024 }) {
      return "a kernel, stride or padding of \(bad) is too large (at most 1024)"
    }
    func product(_ values: [Int]) -> Int? {
      var result = 1
      for v in values {
        let (next, overflow) = result.multipliedReportingOverflow(by: v)
        if overflow || next > 1 << 40 { return nil }
        result = next
      }
      return result
    }
    var total = 0, width = encoderInputWidth
    for (part, specs, start) in [("encoder", encoder, encoderInputWidth), ("decoder", decoder, decoderInputWidth)] {
      width = start
      for (i, layer) in specs.enumerated() {
        let weights = layer.isConvolution
          ? product([layer.kernel ?? 0, layer.kernel ?? 0, layer.inputShape?.last ?? 0, layer.outputShape?.last ?? 0])
          : product([width, layer.units])
        let biases = layer.isConvolution ? layer.outputShape?.last ?? 0 : layer.units
        guard let weights, weights + biases <= ModelSpec.maximumParameters - total else {
          return "\(part) layer \(i) is too large: more than \(ModelSpec.maximumParameters) weights"
        }
        if let shape = layer.inputShape, product(shape) == nil { return "\(part) layer \(i)'s input shape \(shape) is too large" }
        if let shape = layer.outputShape, product(shape) == nil { return "\(part) layer \(i)'s output shape \(shape) is too large" }
        total += weights + biases
        width = layer.units
      }
    }
    return nil
  }

  /// The group that holds a layer's weights in the model file, e.g. "01_dense".
  public static func layerGroupName(index: Int, type: String) -> String {
    (index < 10 ? "0" : "") + "\(index)_\(type)"
  }

  /// Reasons this spec cannot be built, empty when it is sound.
  public func problems() -> [String] {
    // Sizes first: a damaged or hostile file must get a message, not overflow the arithmetic
    // below or an allocation.
    if let tooLarge = sizeProblem() { return [tooLarge] }
    var found: [String] = []
    if inputWidth <= 0 { found.append("input width must be positive, got \(inputWidth)") }
    if encoder.isEmpty { found.append("the encoder needs at least one layer") }
    if decoder.isEmpty { found.append("the decoder needs at least one layer") }
    for (i, layer) in (encoder + decoder).enumerated() where layer.units <= 0 {
      found.append("layer \(i) has \(layer.units) units; every layer needs at least 1")
    }
    for (part, layers, width) in [("encoder", encoder, encoderInputWidth), ("decoder", decoder, decoderInputWidth)] {
      var width = width
      for (i, layer) in layers.enumerated() {
        found += layer.problems(inputWidth: width).map { "\(part) layer \(i) (\(layer.type)): \($0)" }
        width = layer.units
      }
    }
    if conditionWidth > 0 && (encoder.first?.isConvolution ?? false) {
      found.append("a conditional VAE's encoder must start with a dense layer (the label is appended to the input row)")
    }
    if conditionWidth > 0 && (decoder.first?.isConvolution ?? false) {
      found.append("a conditional VAE's decoder must start with a dense layer (the label is appended to the code)")
    }
    if let last = decoder.last, last.units != inputWidth {
      found.append("the decoder's last layer has \(last.units) units; it must reconstruct all \(inputWidth) inputs")
    }
    if loss == .bce && outputActivation != .sigmoid {
      found.append("the bce loss needs a sigmoid output, got \(outputActivation.rawValue)")
    }
    if !(dropout >= 0 && dropout < 1) { found.append("dropout must be in [0, 1), got \(dropout)") }
    if !(l1Activity >= 0) { found.append("l1 activity weight must be >= 0, got \(l1Activity)") }
    if kind == .denoising && noise == nil { found.append("a denoising model needs a noise setting") }
    if kind != .denoising && noise != nil { found.append("input noise belongs to denoising models") }
    if let noise, noise.kind != .gaussian && noise.level > 1 {
      found.append("\(noise.kind.rawValue) noise is a probability; got \(noise.level)")
    }
    if kind == .sparse && l1Activity == 0 && klSparsity == nil {
      found.append("a sparse model needs an L1 activity weight or a KL sparsity target")
    }
    if kind == .cvae && !((classes ?? 0) >= 2) { found.append("a conditional VAE needs at least 2 classes") }
    if kind != .cvae && classes != nil { found.append("class labels belong to conditional VAEs") }
    if kind == .contractive && !((contractive ?? 0) > 0) {
      found.append("a contractive model needs a positive contractive weight")
    }
    if kind != .contractive && contractive != nil { found.append("the contractive weight belongs to contractive models") }
    if isVariational {
      if let head = encoder.last, head.units % 2 != 0 || head.activation != .linear {
        found.append("a VAE's last encoder layer must be a linear head of 2 x latent units, got \(head.units) \(head.activation.rawValue)")
      }
      if let beta, !(beta >= 0) { found.append("beta must be >= 0, got \(beta)") }
      if let warmup = klWarmupEpochs, warmup < 0 { found.append("KL warm-up epochs must be >= 0, got \(warmup)") }
    }
    if let kl = klSparsity {
      if !(kl.target > 0 && kl.target < 1) { found.append("the KL sparsity target must be in (0, 1), got \(kl.target)") }
      if !(kl.weight >= 0) { found.append("the KL sparsity weight must be >= 0, got \(kl.weight)") }
      if encoder.last?.activation != .sigmoid { found.append("KL sparsity needs a sigmoid code (codes in (0, 1))") }
    }
    if let shape = inputShape {
      if shape.count != 3 || shape.contains(where: { $0 < 1 }) {
        found.append("input shape \(shape) must be three positive sizes (height, width, channels)")
      } else if shape.reduce(1, *) != inputWidth {
        found.append("input shape \(shape) holds \(shape.reduce(1, *)) values, not \(inputWidth)")
      }
    }
    return found
  }
}
