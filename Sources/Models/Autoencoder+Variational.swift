import Layers
import Tensor

/// The variational autoencoder's step (Kingma & Welling 2014, arXiv:1312.6114): the encoder's
/// head gives mu and log sigma^2 (n, 2k); z = mu + sigma * eps with eps ~ N(0, I); the decoder
/// reconstructs from z; the objective is reconstruction + klWeight * KL(q(z|x) || N(0, I)),
/// with KL = -1/2 sum_j (1 + logvar - mu^2 - exp(logvar)), summed over the batch.
extension Autoencoder {
  /// Draw eps, form z from the head (n, 2k) into `latent`, followed by the input's label for
  /// conditional models, and return the batch's KL sum.
  private func sampleLatent(head: Tensor, input: Tensor) -> Double {
    let n = head.rows, k = spec.codeWidth, c = spec.conditionWidth, d = spec.inputWidth
    epsilon.resize(rows: n)
    latent.resize(rows: n)
    var kl = 0.0
    for r in 0..<n {
      let h = head.row(r), e = epsilon.row(r), z = latent.row(r)
      var rowKL: Float = 0
      // Noise in pairs (Marsaglia's polar method): Box-Muller's log and cosine per value were
      // a third of a table model's training time.
      var j = 0
      while j + 1 < k {
        (e[j], e[j + 1]) = latentRandom.gaussianPair()
        j += 2
      }
      if j < k { e[j] = latentRandom.gaussianPair().0 }
      for j in 0..<k {
        let mu = h[j], logvar = h[k + j]
        let sigma = VectorMath.exp(0.5 * logvar)
        z[j] = mu + sigma * e[j]
        rowKL += -0.5 * (1 + logvar - mu * mu - sigma * sigma)
      }
      if c > 0 { (z + k).update(from: input.row(r) + d, count: c) }
      kl += Double(rowKL)
    }
    return kl
  }

  /// Gradients of the batch-mean objective; returns the objective summed over the batch.
  func variationalGradients(input: Tensor, target: Tensor) -> Double {
    parameters.zeroGradients()
    let head = encoder.forward(input, training: true)
    let kl = sampleLatent(head: head, input: input)
    let logits = decoder.forward(latent, training: true)
    let reconstruction = OutputHeads.evaluate(heads, logits: logits, target: target, gradient: logitGradient,
                                              logVariance: outputLogVariance)
    guard let dz = decoder.backward(logitGradient) else { return reconstruction }
    let n = head.rows, k = spec.codeWidth
    let klScale = klWeight / Float(max(n, 1))
    headGradient.resize(rows: n)
    for r in 0..<n {
      let h = head.row(r), e = epsilon.row(r), g = dz.row(r), d = headGradient.row(r)
      for j in 0..<k {
        let mu = h[j], logvar = h[k + j]
        let sigma = VectorMath.exp(0.5 * logvar)
        d[j] = g[j] + klScale * mu
        d[k + j] = g[j] * e[j] * 0.5 * sigma + klScale * 0.5 * (sigma * sigma - 1)
      }
    }
    encoder.backward(headGradient)
    return reconstruction + Double(klWeight) * kl
  }

  /// Objective and errors for evaluation, on sampled codes; adds the batch's KL to `klSum`.
  func variationalErrors(input: Tensor, target: Tensor) -> (objective: Double, bce: Double, squared: Double) {
    let head = encoder.forward(input, training: false)
    let kl = sampleLatent(head: head, input: input)
    klSum += kl
    let logits = decoder.forward(latent, training: false)
    let reconstruction = OutputHeads.evaluate(heads, logits: logits, target: target, gradient: nil,
                                              logVariance: outputLogVariance)
    return (reconstruction + Double(klWeight) * kl, reportedBCE(reconstruction, logits: logits, target: target),
            OutputHeads.squaredError(heads, logits: logits, target: target))
  }
}
