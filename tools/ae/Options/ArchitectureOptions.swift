import ArgumentParser
import Layers
import Models

/// What `ae train` builds: the model kind, its layers, activations, loss and input scaling.
struct ArchitectureOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Model kind.", valueName: "kind"))
  var model: ModelKind = .dense

  @Option(help: "Encoder widths down to the code, comma-separated (default: 256,32; for an input of 64 values or fewer, such as a small table, 2d,d/4: 16,2 for 8 columns).")
  var layers: String?

  @Option(help: "Encoder as a layer string instead of --layers, for convolutional models: conv<filters>[k<kernel>][s<stride>] and dense<units>, e.g. conv16s2,conv32s2,dense32. Convolutions come first (padding kernel/2); the last item is the code (a VAE's latent width); the decoder mirrors the encoder with transposed convolutions.")
  var arch: String?

  @Option(help: "Decoder hidden widths (default: the encoder mirrored).")
  var decoderLayers: String?

  @Option(help: "Hidden activation.")
  var activation: Activation = .relu

  @Option(help: "Activation of the code layer (default: --activation; sigmoid with --sparsity kl).")
  var codeActivation: Activation?

  @Option(help: "Output activation (default: sigmoid, or linear for mse with --scale standard/none).")
  var outputActivation: Activation?

  @Option(help: "Reconstruction loss: bce (needs data in [0, 1] and a sigmoid output), mse, or gaussian (negative log-likelihood with a learned variance per feature: a VAE's Gaussian decoder).")
  var loss: Loss = .bce

  @Option(help: "Input scaling stored in the model: unit (to [0, 1]), standard (z-scores) or none.")
  var scale: Scaling.Method = .unit

  @Flag(help: "Allow a code as wide as the input or wider (not an undercomplete model).")
  var overcomplete = false

  var isVariational: Bool { model == .vae || model == .cvae }

  /// The encoder widths of --layers (or --decoder-layers, named `option`).
  static func widths(_ text: String, option: String) throws -> [Int] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    let values = parts.compactMap { Int($0) }
    guard values.count == parts.count, values.allSatisfy({ $0 > 0 }) else {
      throw ValidationError("\(option) must be positive whole numbers separated by commas, got '\(text)'")
    }
    return values
  }

  /// The encoder widths for an input of `inputWidth` values: --layers, or the default. A
  /// narrow input (a table of a few columns) gets a narrow model, since the usual code of 32
  /// would be as wide as the input: hidden 2d (at least 8), code d/4 (at least 1).
  func encoderWidths(inputWidth: Int?) throws -> [Int] {
    if let layers { return try Self.widths(layers, option: "--layers") }
    guard let inputWidth, inputWidth <= 64 else { return [256, 32] }
    return [max(8, 2 * inputWidth), max(1, inputWidth / 4)]
  }

  /// --arch, parsed.
  func architecture() throws -> Architecture? {
    guard let arch else { return nil }
    do { return try Architecture(parsing: arch) } catch { throw ValidationError("--arch: \(error)") }
  }

  /// The output activation asked for, or the one the loss and scaling call for.
  var resolvedOutputActivation: Activation {
    outputActivation ?? (loss == .bce || scale == .unit ? .sigmoid : .linear)
  }

  /// What the spec cannot say: options that the chosen builder ignores, and the scaling the
  /// loss needs (the scaling is not part of the spec).
  func validate() throws {
    _ = try encoderWidths(inputWidth: nil)
    if let decoderLayers { _ = try Self.widths(decoderLayers, option: "--decoder-layers") }
    if try architecture() != nil && decoderLayers != nil {
      throw ValidationError("--arch builds a mirrored decoder: drop --decoder-layers")
    }
    if isVariational && (decoderLayers != nil || codeActivation != nil) {
      throw ValidationError("--model \(model.rawValue) builds its own code head and mirrored decoder: drop --decoder-layers and --code-activation")
    }
    if loss == .bce && scale != .unit {
      throw ValidationError("--loss bce needs targets in [0, 1]: use --scale unit, or --loss mse")
    }
  }
}
