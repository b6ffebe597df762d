import Layers
import Models
import Tensor

/// Greedy layer-wise pretraining of a deep (stacked) autoencoder (Bengio et al. 2007, "Greedy
/// layer-wise training of deep networks"; Hinton & Salakhutdinov 2006).
///
/// For each encoder layer l in turn, a one-hidden-layer autoencoder learns to reconstruct the
/// codes of layer l - 1 (the data for l = 0). Its encoder becomes the deep model's encoder
/// layer l and its decoder the mirrored decoder layer. The first level uses the model's loss
/// and output activation; deeper levels reconstruct hidden activations, so they use squared
/// error through the hidden activation. Fine-tune the whole model afterwards with `Trainer`.
public enum GreedyPretraining {
  /// Pretrain `model`'s layers on `data` (scaled) for `epochs` each, with `options`'
  /// optimizer, batch size and seed. Needs a decoder that mirrors the encoder.
  public static func run(_ model: Autoencoder, on data: Tensor, epochs: Int, options: TrainingOptions,
                         progress: ProgressPrinter? = nil) throws {
    let spec = model.spec
    let depth = spec.encoder.count
    let mirrored = spec.decoder.dropLast().map(\.units) == spec.encoder.dropLast().reversed().map(\.units)
      && spec.decoder.count == depth
    guard !spec.isVariational, mirrored, !(spec.encoder + spec.decoder).contains(where: \.isConvolution) else {
      throw TrainingError("greedy pretraining needs a plain dense autoencoder whose decoder mirrors its encoder")
    }
    var levelOptions = options
    levelOptions.epochs = epochs
    levelOptions.validationFraction = 0
    levelOptions.earlyStoppingPatience = nil
    var input = data
    for level in 0..<depth {
      let layer = spec.encoder[level]
      let isFirst = level == 0
      var shallowSpec = ModelSpec.dense(
        inputWidth: input.cols, widths: [layer.units], activation: layer.activation,
        outputActivation: isFirst ? spec.outputActivation : spec.encoder[level - 1].activation,
        loss: isFirst ? spec.loss : .mse, dropout: spec.dropout)
      shallowSpec.encoder[0].activation = layer.activation
      let shallow = try Autoencoder(spec: shallowSpec, seed: options.seed &+ UInt64(level))
      progress?.message("greedy pretraining: level \(level + 1)/\(depth), \(input.cols) -> \(layer.units)")
      _ = try Trainer(model: shallow, options: levelOptions).fit(input)
      try copy(shallow, "encoder/00", into: model, "encoder/" + twoDigits(level))
      try copy(shallow, "decoder/00", into: model, "decoder/" + twoDigits(depth - 1 - level))
      input = shallow.encodeScaled(input)
    }
  }

  private static func twoDigits(_ i: Int) -> String { (i < 10 ? "0" : "") + "\(i)" }

  /// Copy the kernel and bias of layer group `from` (prefix "part/NN") of `source` into `to`.
  private static func copy(_ source: Autoencoder, _ from: String, into target: Autoencoder, _ to: String) throws {
    for name in ["kernel", "bias"] {
      guard let s = source.parameterTensors.first(where: { $0.path == "\(from)_dense/\(name)" }),
            let t = target.parameterTensors.first(where: { $0.path == "\(to)_dense/\(name)" }), s.shape == t.shape else {
        throw TrainingError("greedy pretraining: \(from) and \(to) do not match")
      }
      (target.parameters.values + t.offset).update(from: source.parameters.values + s.offset, count: s.count)
    }
  }
}
