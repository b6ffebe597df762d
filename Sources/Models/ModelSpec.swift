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

/// Everything needed to rebuild a model's structure; stored as JSON in the model file.
///
/// The decoder's last layer produces the reconstruction; its activation is `outputActivation`,
/// applied after the loss sees the logits (so BCE is computed stably from logits).
public struct ModelSpec: Codable, Equatable, Sendable {
  public var kind: ModelKind
  /// Values per input row.
  public var inputWidth: Int
  /// Row shape: (height, width, channels) for images, (time, channels) for frames over time;
  /// informational for dense models.
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

  /// Conditional models of format 1: how many classes the one-hot label has (the same as
  /// one `oneHot` condition; `conditions` is the general form).
  public var classes: Int?
  /// Conditional models: the condition vector appended to the encoder's input and to the
  /// code, as named groups (nil: one one-hot group of `classes`, or none).
  public var conditions: [ConditionSpec]?
  /// The decoder's output split into segments, each with its own activation and loss (nil:
  /// one head over every value with the decoder's last activation and `loss`).
  public var heads: [OutputHead]?

  /// Whether the encoder ends in a (mean, log-variance) head.
  public var isVariational: Bool { kind == .vae || kind == .cvae }
  /// The condition groups, in the order their values sit in a condition row.
  public var conditionGroups: [ConditionSpec] {
    conditions ?? (kind == .cvae ? classes.map { [ConditionSpec(name: "class", kind: .oneHot, width: $0)] } ?? [] : [])
  }
  /// Values per condition row appended to the encoder's input and the code (0 if none).
  public var conditionWidth: Int {
    // Without building `conditionGroups`: hot paths ask, and must not allocate.
    if let conditions { return conditions.reduce(0) { $0 + $1.width } }
    return kind == .cvae ? classes ?? 0 : 0
  }
  /// Classes when the condition is a single one-hot label (what the label calls take), else 0.
  public var labelClasses: Int {
    guard let conditions else { return kind == .cvae ? classes ?? 0 : 0 }
    return conditions.count == 1 && conditions[0].kind == .oneHot ? conditions[0].width : 0
  }
  /// The output heads, in the order their values sit in an output row.
  public var outputHeads: [OutputHead] {
    heads ?? [OutputHead(width: inputWidth, activation: decoder.last?.activation ?? .linear, loss: loss)]
  }
  /// Whether any head has a Gaussian likelihood (and so learned log-variances).
  public var hasGaussianLikelihood: Bool { outputHeads.contains { $0.loss == .gaussian } }
  /// Values per row the encoder reads: the features, then the label.
  public var encoderInputWidth: Int { inputWidth + conditionWidth }
  /// Values per row the decoder reads: the code, then the label.
  public var decoderInputWidth: Int { codeWidth + conditionWidth }

  /// Width of the code (latent) layer; for a VAE, half the head (means, then log-variances).
  public var codeWidth: Int {
    let head = encoder.last?.units ?? inputWidth
    return isVariational ? head / 2 : head
  }
  /// The output activation of a single-head model (a model with `heads` applies each head's).
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
    var dimensions: [Int] = [inputWidth, classes ?? 0] + (inputShape ?? [])
    dimensions += conditionGroups.map(\.width)
    dimensions += (heads ?? []).map(\.width)
    for layer in layers { dimensions += [layer.units] + (layer.inputShape ?? []) + (layer.outputShape ?? []) }
    if let bad = dimensions.first(where: { abs($0) > 1 << 31 }) { return "a size of \(bad) is too large (at most 2^31)" }
    if (conditions?.count ?? 0) > 1 << 16 || (heads?.count ?? 0) > 1 << 16 { return "more than 65536 condition groups or output heads" }
    var settings: [Int] = []
    for layer in layers { settings += (layer.kernel ?? []) + (layer.stride ?? []) + (layer.padding ?? []) }
    if settings.count > 8 * layers.count { return "a kernel or stride has more than two sizes, or a padding more than four" }
    if let bad = settings.first(where: { abs($0) > 1024 }) {
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
          ? product((layer.kernel ?? []) + [layer.inputShape?.last ?? 0, layer.outputShape?.last ?? 0])
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
  public static func layerGroupName(index: Int, kind: LayerKind) -> String {
    (index < 10 ? "0" : "") + "\(index)_\(kind.rawValue)"
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
        found += layer.problems(inputWidth: width).map { "\(part) layer \(i) (\(layer.kind.rawValue)): \($0)" }
        if layer.activation == .softmax && !(part == "decoder" && i == layers.count - 1) { found.append("\(part) layer \(i): softmax belongs to output heads, not layers") }
        width = layer.units
      }
    }
    if conditionWidth > 0 && (encoder.first?.isConvolution ?? false) {
      found.append("a conditional VAE's encoder must start with a dense layer (the condition is appended to the input row)")
    }
    if conditionWidth > 0 && (decoder.first?.isConvolution ?? false) {
      found.append("a conditional VAE's decoder must start with a dense layer (the condition is appended to the code)")
    }
    found += headProblems()
    if let last = decoder.last, last.units != inputWidth {
      found.append("the decoder's last layer has \(last.units) units; it must reconstruct all \(inputWidth) inputs")
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
    if classes != nil && conditions != nil { found.append("give the condition as classes or as conditions, not both") }
    if kind == .cvae && conditionGroups.isEmpty { found.append("a conditional VAE needs a condition (classes or conditions)") }
    if kind != .cvae && (classes != nil || conditions != nil) { found.append("class labels and conditions belong to conditional VAEs") }
    for group in conditionGroups { found += group.problems() }
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
      if !(2...3).contains(shape.count) || shape.contains(where: { $0 < 1 }) {
        found.append("input shape \(shape) must be three positive sizes (height, width, channels) or two (time, channels)")
      } else if let values = Self.checkedProduct(shape), values != inputWidth {
        found.append("input shape \(shape) holds \(values) values, not \(inputWidth)")
      } else if Self.checkedProduct(shape) == nil {
        found.append("input shape \(shape) is too large")
      } else if let first = encoder.first, first.isConvolution, let read = first.inputShape, read != shape {
        found.append("input shape \(shape) is not the \(read) its first layer reads")
      }
    }
    return found
  }
}

extension ModelSpec {
  /// The product of sizes, or nil when a size is negative or a partial product overflows or
  /// passes `limit` (a crafted file's shape must not wrap around to a plausible width: release
  /// builds do not trap on overflow). Shared by the spec's checks, `ae`'s options and importers.
  public static func checkedProduct(_ sizes: [Int], limit: Int = .max) -> Int? {
    var product = 1
    for size in sizes {
      let (next, overflow) = product.multipliedReportingOverflow(by: size)
      guard !overflow, size >= 0, next <= limit else { return nil }
      product = next
    }
    return product
  }
}
