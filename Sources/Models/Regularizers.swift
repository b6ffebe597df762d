import Layers
import Tensor

/// Input corruption for denoising autoencoders: applied to each training batch on the fly,
/// while the target stays the clean input. Inference never corrupts.
public struct Corruption: Codable, Equatable, Sendable {
  public enum Kind: String, Codable, CaseIterable, Sendable {
    /// Add N(0, level^2) noise, then clip to the data's range.
    case gaussian
    /// Set each value to the range's low end with probability `level` (dropout of inputs).
    case masking
    /// Set each value to the range's low or high end (even odds) with probability `level`.
    case saltPepper = "salt-pepper"
  }

  public var kind: Kind
  public var level: Float

  public init(kind: Kind, level: Float) {
    self.kind = kind
    self.level = level
  }

  /// Parse "gaussian:0.5", "masking:0.3" or "salt-pepper:0.2".
  public init?(parsing text: String) {
    let parts = text.split(separator: ":")
    guard parts.count == 2, let kind = Kind(rawValue: String(parts[0])), let level = Float(parts[1]),
          level.isFinite, level >= 0 else { return nil }
    self.init(kind: kind, level: level)
  }

  /// Write a corrupted copy of `clean` into `noisy` (resized to match), clipped to `range`.
  public func apply(_ clean: Tensor, into noisy: Tensor, range: ClosedRange<Float>, random: inout SeededRandom) {
    noisy.resize(rows: clean.rows)
    let x = clean.data, y = noisy.data, low = range.lowerBound, high = range.upperBound
    switch kind {
    case .gaussian:
      var i = 0
      while i < clean.count {
        let (a, b) = random.gaussianPair()
        y[i] = min(max(x[i] + level * a, low), high)
        if i + 1 < clean.count { y[i + 1] = min(max(x[i + 1] + level * b, low), high) }
        i += 2
      }
    case .masking:
      for i in 0..<clean.count { y[i] = random.uniform() < level ? low : x[i] }
    case .saltPepper:
      for i in 0..<clean.count {
        let u = random.uniform()
        y[i] = u < level ? (u < level / 2 ? low : high) : x[i]
      }
    }
  }
}

/// The sparse autoencoder's KL penalty: the code's mean activation per unit, rho_hat_j over the
/// batch, is pulled towards `target` (rho) with weight beta:
/// `beta * sum_j rho log(rho / rho_hat_j) + (1 - rho) log((1 - rho) / (1 - rho_hat_j))`.
/// Needs codes in (0, 1): a sigmoid code layer. (Ng, "Sparse autoencoder", CS294A notes.)
public struct KLSparsity: Codable, Equatable, Sendable {
  public var target: Float
  public var weight: Float

  public init(target: Float, weight: Float) {
    self.target = target
    self.weight = weight
  }
}

/// Penalties on the code layer's activations: L1 activity, KL sparsity, and the contractive
/// penalty.
///
/// The contractive penalty (Rifai et al. 2011, "Contractive auto-encoders") is, per sample,
/// `lambda * sum_j f'(z_j)^2 * sum_i W_ij^2`: the squared Frobenius norm of the Jacobian of the
/// code with respect to the code layer's input. For a one-layer encoder that is the Jacobian
/// with respect to the data, exactly as in the paper; for deeper encoders it penalizes the last
/// layer's contribution (computing the full Jacobian costs ~15x a forward pass).
enum CodePenalties {
  /// Add the penalties of `spec` for `code` (n, k): returns their value summed over the batch
  /// (batch-level terms count n times, so dividing by n gives the per-sample objective), and
  /// adds the gradient of the batch-mean objective times `gradientWeight` into `gradient`.
  /// `scratch` holds at least 2 x the code width (the contractive penalty's sums).
  static func add(
    _ spec: ModelSpec, code: Tensor, gradient: Tensor?, gradientWeight: Float, codeLayer: Dense? = nil,
    scratch: UnsafeMutablePointer<Float>
  ) -> Double {
    var total = 0.0
    let n = code.rows, k = code.cols
    guard n > 0 else { return 0 }
    if let lambda = spec.contractive, lambda > 0, let layer = codeLayer {
      total += contractive(lambda, code: code, layer: layer, gradient: gradient, gradientWeight: gradientWeight,
                           scratch: scratch)
    }
    if spec.l1Activity > 0 {
      let weight = spec.l1Activity
      let step = weight * gradientWeight / Float(n)
      var sum: Float = 0
      for i in 0..<code.count {
        let c = code.data[i]
        sum += abs(c)
        if let gradient { gradient.data[i] += c > 0 ? step : (c < 0 ? -step : 0) }
      }
      total += Double(weight) * Double(sum)
    }
    if let kl = spec.klSparsity, kl.weight > 0 {
      let rho = Double(kl.target)
      var penalty = 0.0
      for j in 0..<k {
        var mean = 0.0
        for r in 0..<n { mean += Double(code.data[r * k + j]) }
        let rhoHat = min(max(mean / Double(n), 1e-6), 1 - 1e-6)
        penalty += rho * logf64(rho / rhoHat) + (1 - rho) * logf64((1 - rho) / (1 - rhoHat))
        if let gradient {
          let slope = Float(Double(kl.weight) * (-rho / rhoHat + (1 - rho) / (1 - rhoHat)) / Double(n)) * gradientWeight
          for r in 0..<n { gradient.data[r * k + j] += slope }
        }
      }
      total += Double(kl.weight) * penalty * Double(n)
    }
    return total
  }
}

extension CodePenalties {
  /// The contractive penalty summed over the batch; adds its gradient (batch mean, times
  /// `gradientWeight`) to the code gradient (through f'') and to the layer's kernel gradient.
  static func contractive(
    _ lambda: Float, code: Tensor, layer: Dense, gradient: Tensor?, gradientWeight: Float, scratch: UnsafeMutablePointer<Float>
  ) -> Double {
    let n = code.rows, k = code.cols, inputs = layer.inputWidth
    let (kernel, kernelGradient) = layer.kernelAndGradient
    let activation = layer.activation
    let columnNorms = scratch // c_j = sum_i W_ij^2
    columnNorms.update(repeating: 0, count: k)
    for i in 0..<inputs {
      let row = kernel + i * k
      for j in 0..<k { columnNorms[j] += row[j] * row[j] }
    }
    var total = 0.0
    let slopeSquares = scratch + k // sum over rows of f'(z_j)^2
    slopeSquares.update(repeating: 0, count: k)
    let scale = gradientWeight / Float(n)
    for r in 0..<n {
      let y = code.row(r)
      var rowPenalty: Float = 0
      for j in 0..<k {
        let (first, second) = activation.derivatives(output: y[j])
        rowPenalty += first * first * columnNorms[j]
        slopeSquares[j] += first * first
        // dP/dy_j, chosen so the layer's backward (times f') gives dP/dz_j = 2 lambda c_j f' f''.
        gradient?.row(r)[j] += 2 * lambda * columnNorms[j] * second * scale
      }
      total += Double(lambda * rowPenalty)
    }
    if gradient != nil {
      for i in 0..<inputs {
        let w = kernel + i * k, dw = kernelGradient + i * k
        for j in 0..<k { dw[j] += 2 * lambda * w[j] * slopeSquares[j] * scale }
      }
    }
    return total
  }
}
