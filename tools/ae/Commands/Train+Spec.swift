import ArgumentParser
import Layers
import Models

/// The model spec the options describe, judged by the spec itself (`ModelSpec.problems`):
/// `validate()` builds it for a stand-in input before any data is read, `run()` again for the
/// data, and both report what is wrong as usage mistakes.
extension Train {
  /// The spec for rows of `inputWidth` values (images of `inputShape`) and `classes` classes
  /// (conditional models); throws `ValidationError` with its problems when it cannot be built.
  func modelSpec(inputWidth: Int, inputShape: [Int]?, classes: Int?) throws -> ModelSpec {
    let kind = architecture.model
    let encoderWidths = try architecture.encoderWidths(inputWidth: inputWidth)
    let decoderWidths = try architecture.decoderLayers.map { try ArchitectureOptions.widths($0, option: "--decoder-layers") }
    let (l1, kl) = try settings.sparsitySettings()
    // A KL sparsity target needs a sigmoid code; one asked for otherwise is for the spec to refuse.
    let codeActivation = architecture.codeActivation ?? (kl != nil ? .sigmoid : nil)
    let output = architecture.resolvedOutputActivation
    var spec: ModelSpec
    if let layout = try architecture.architecture() {
      do {
        spec = try layout.spec(kind: kind, inputWidth: inputWidth, inputShape: inputShape, activation: architecture.activation,
                               codeActivation: codeActivation, outputActivation: output, loss: architecture.loss)
      } catch {
        throw ValidationError("--arch \(architecture.arch!): \(error)")
      }
    } else if architecture.isVariational {
      spec = .variational(inputWidth: inputWidth, hidden: Array(encoderWidths.dropLast()), latent: encoderWidths.last!,
                          activation: architecture.activation, outputActivation: output, loss: architecture.loss,
                          inputShape: inputShape)
    } else {
      spec = .dense(inputWidth: inputWidth, widths: encoderWidths, decoderWidths: decoderWidths,
                    activation: architecture.activation, codeActivation: codeActivation, outputActivation: output,
                    loss: architecture.loss, inputShape: inputShape)
    }
    spec.kind = kind
    spec.dropout = settings.dropout
    if !architecture.isVariational { // as before: a VAE's code is its head, which these do not penalize
      spec.l1Activity = l1
      spec.klSparsity = kl
    }
    spec.noise = try settings.corruption(for: kind)
    spec.contractive = settings.contractive ?? (kind == .contractive ? 10 : nil)
    if architecture.isVariational {
      spec.beta = settings.beta
      spec.klWarmupEpochs = settings.klWarmup
    }
    spec.classes = kind == .cvae ? classes : nil
    let problems = spec.problems()
    guard problems.isEmpty else {
      throw ValidationError("the model these options describe cannot be built: \(problems.joined(separator: "; "))")
    }
    if !architecture.overcomplete && spec.codeWidth >= inputWidth {
      throw ValidationError("\(architecture.arch == nil ? "--layers" : "--arch"): the code has \(spec.codeWidth) units but the input has only \(inputWidth) values; an undercomplete autoencoder needs a narrower code (or pass --overcomplete)")
    }
    return spec
  }

  /// The spec for a stand-in input, to judge the options before any data is read: rows of
  /// --image-shape when given, else rows just wider than the widest layer (so the input width
  /// raises no problem of its own), and two classes. Convolutions without --image-shape wait
  /// for the data's shape.
  func checkSpecBeforeData() throws {
    let shape = try data.parsedImageShape()
    if shape == nil, try architecture.architecture()?.hasConvolutions ?? false { return }
    let widths = try architecture.encoderWidths(inputWidth: nil)
      + (architecture.decoderLayers.map { try ArchitectureOptions.widths($0, option: "--decoder-layers") } ?? [])
    let standIn = shape.map { $0.reduce(1, *) } ?? (widths.max() ?? 1) + 1
    var judged = self
    judged.architecture.overcomplete = true // the real width comes with the data
    _ = try judged.modelSpec(inputWidth: standIn, inputShape: shape, classes: 2)
  }
}
