import Models

/// "dense 784-256-32-256-784 (relu, sigmoid output, bce)".
func describe(_ spec: ModelSpec) -> String {
  // Feature maps of convolutional layers read as HxWxC, dense layers as their width.
  let convolutional = (spec.encoder + spec.decoder).contains(where: \.isConvolution)
  func shape(_ s: [Int]) -> String { s.map(String.init).joined(separator: "x") }
  let input = convolutional ? spec.inputShape.map(shape) ?? String(spec.inputWidth) : String(spec.inputWidth)
  var widths = [input] + (spec.encoder + spec.decoder).map { layer in layer.outputShape.map(shape) ?? String(layer.units) }
  if spec.isVariational { widths[spec.encoder.count] = "(\(spec.codeWidth),\(spec.codeWidth))" } // mean and log-variance
  let hidden = spec.encoder.first?.activation.rawValue ?? "linear"
  var extras = ""
  if let noise = spec.noise { extras += ", \(noise.kind.rawValue) noise \(noise.level)" }
  if spec.l1Activity > 0 { extras += ", l1 code \(spec.l1Activity)" }
  if let kl = spec.klSparsity { extras += ", kl sparsity \(kl.target) x \(kl.weight)" }
  if let lambda = spec.contractive { extras += ", contractive \(lambda)" }
  if spec.isVariational { extras += ", latent \(spec.codeWidth), beta \(spec.beta ?? 1)" }
  return "\(spec.kind.rawValue) \(widths.joined(separator: "-")) (\(hidden), \(spec.outputActivation.rawValue) output, \(spec.loss.rawValue)\(extras))"
}
