import Layers
import Tensor

/// Which update rule to use.
public enum OptimizerKind: String, Codable, CaseIterable, Sendable {
  /// Stochastic gradient descent with (optional) momentum, as `torch.optim.SGD`.
  case sgd
  /// Adam (Kingma & Ba, 2015, arXiv:1412.6980), weight decay as an L2 term, as `torch.optim.Adam`
  /// (up to the flush of subnormal-bound values, `Optimizer.smallestGradient`).
  case adam
  /// AdamW (Loshchilov & Hutter, 2019, arXiv:1711.05101): decoupled weight decay, as `torch.optim.AdamW`.
  case adamw
}

/// Hyperparameters of an optimizer; the defaults are PyTorch's.
public struct OptimizerSettings: Codable, Equatable, Sendable {
  public var kind: OptimizerKind
  public var learningRate: Float
  public var momentum: Float = 0
  public var beta1: Float = 0.9
  public var beta2: Float = 0.999
  public var epsilon: Float = 1e-8
  public var weightDecay: Float = 0

  public init(kind: OptimizerKind, learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
    self.kind = kind
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
  }
}

/// Updates every parameter of a `ParameterStore` in one loop from the gradients in it.
///
/// State (momentum buffer, Adam's first and second moments) sits in flat arrays laid out like
/// the parameters, so checkpointing is two writes and resuming is exact.
public final class Optimizer {
  public let settings: OptimizerSettings
  /// Updates taken so far (Adam's bias correction uses it).
  public private(set) var step = 0
  /// SGD's momentum buffer or Adam's first moment.
  public private(set) var first: [Float]
  /// Adam's second moment (empty for SGD).
  public private(set) var second: [Float]

  public init(settings: OptimizerSettings, parameterCount: Int) {
    self.settings = settings
    first = Array(repeating: 0, count: parameterCount)
    second = settings.kind == .sgd ? [] : Array(repeating: 0, count: parameterCount)
  }

  /// Restore state saved from an optimizer with the same settings and parameter count.
  public func restore(step: Int, first: [Float], second: [Float]) {
    precondition(first.count == self.first.count && second.count == self.second.count,
                 "optimizer state sizes \(first.count)/\(second.count) do not match \(self.first.count)/\(self.second.count)")
    self.step = step
    self.first = first
    self.second = second
  }

  /// One update of `store.values` from `store.gradients`.
  public func update(_ store: ParameterStore) {
    step += 1
    switch settings.kind {
    case .sgd: sgd(store)
    case .adam, .adamw: adam(store, decoupled: settings.kind == .adamw)
    }
  }

  private func sgd(_ store: ParameterStore) {
    let p = store.values, g = store.gradients, n = store.count
    let lr = settings.learningRate, mu = settings.momentum, decay = settings.weightDecay
    if mu == 0 {
      for i in 0..<n { p[i] -= lr * (g[i] + decay * p[i]) }
      return
    }
    let isFirstStep = step == 1
    first.withUnsafeMutableBufferPointer { buffer in
      let b = buffer.baseAddress!
      for i in 0..<n {
        let gi = g[i] + decay * p[i]
        b[i] = isFirstStep ? gi : mu * b[i] + gi
        if abs(b[i]) < Optimizer.smallestMoment { b[i] = 0 } // no subnormal state (see below)
        p[i] -= lr * b[i]
      }
    }
  }

  /// One Adam update's arguments, for the shares of `adam`.
  struct AdamJob {
    let p: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>
    let m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
    let count: Int
    let b1: Float, b2: Float, eps: Float, stepSize: Float, rootCorrection2: Float, shrink: Float, l2: Float
  }

  /// Below these magnitudes a gradient, and a first or second moment, count as 0. Without
  /// this, the moments of weights whose gradients are rare (inputs that are almost always 0,
  /// such as an image's border) decay into subnormal floats, which x86 computes with
  /// microcode assists at ~100x the cost: measured, Adam grew from 9 % to 44 % of a VAE's
  /// training time over 4 epochs, each epoch slower than the last. The thresholds keep every
  /// product normal (g^2 (1 - b2) for |g| >= 2^-50; a moment is flushed long before b1 or b2
  /// could take it below 2^-126). With the usual eps = 1e-8 (the denominator is at least eps)
  /// a dropped gradient would have moved a weight by less than 1e-7 of the learning rate per
  /// step, and about 3e-7 over all the steps its moment lasts; NaN is never dropped.
  static let smallestGradient: Float = 0x1p-50, smallestMoment: Float = 0x1p-100

  /// The Adam update over every parameter, eight at a time:
  /// `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`,
  /// `p = p shrink - stepSize m / (sqrt(v) / rootCorrection2 + eps)`,
  /// with tiny g, m and v taken as 0 (`smallestGradient`, `smallestMoment`).
  @inline(__always)
  fileprivate static func adamKernel(
    p: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
    v: UnsafeMutablePointer<Float>, count n: Int, b1: Float, b2: Float, eps: Float, stepSize: Float,
    rootCorrection2: Float, shrink: Float, l2: Float
  ) {
    typealias V = VectorMath.Lanes
    var i = 0
    let zero = V(repeating: 0)
    while i + 8 <= n {
      let pv = VectorMath.load(p + i)
      var gv: V = VectorMath.load(g + i) + l2 * pv
      gv.replace(with: zero, where: gv .< smallestGradient .& gv .> -smallestGradient)
      var mv: V = b1 * VectorMath.load(m + i) + (1 - b1) * gv
      var vv: V = b2 * VectorMath.load(v + i) + (1 - b2) * gv * gv
      mv.replace(with: zero, where: mv .< smallestMoment .& mv .> -smallestMoment)
      vv.replace(with: zero, where: vv .< smallestMoment)
      let denominator: V = VectorMath.squareRoot(vv) / rootCorrection2 + eps
      VectorMath.store(mv, to: m + i)
      VectorMath.store(vv, to: v + i)
      VectorMath.store(pv * shrink - stepSize * mv / denominator, to: p + i)
      i += 8
    }
    while i < n {
      var gi = g[i] + l2 * p[i]
      if abs(gi) < smallestGradient { gi = 0 }
      m[i] = b1 * m[i] + (1 - b1) * gi
      v[i] = b2 * v[i] + (1 - b2) * gi * gi
      if abs(m[i]) < smallestMoment { m[i] = 0 }
      if v[i] < smallestMoment { v[i] = 0 }
      p[i] = p[i] * shrink - stepSize * m[i] / (v[i].squareRoot() / rootCorrection2 + eps)
      i += 1
    }
  }

  private func adam(_ store: ParameterStore, decoupled: Bool) {
    let p = store.values, g = store.gradients, n = store.count
    let lr = settings.learningRate, b1 = settings.beta1, b2 = settings.beta2, eps = settings.epsilon
    let decay = settings.weightDecay
    let t = Float(step)
    let correction1 = 1 - powf32(b1, t), correction2 = 1 - powf32(b2, t)
    let stepSize = lr / correction1
    let rootCorrection2 = correction2.squareRoot()
    let shrink = decoupled ? 1 - lr * decay : 1
    let l2 = decoupled ? 0 : decay
    first.withUnsafeMutableBufferPointer { mBuffer in
      second.withUnsafeMutableBufferPointer { vBuffer in
        // Element by element, so any split gives the same bits: over training's threads when
        // the update is big enough to pay for the meeting (shares start on whole vectors).
        let team = n >= 1 << 16 ? BLAS.trainingTeam : nil
        var job = AdamJob(p: p, g: g, m: mBuffer.baseAddress!, v: vBuffer.baseAddress!, count: n, b1: b1, b2: b2,
                          eps: eps, stepSize: stepSize, rootCorrection2: rootCorrection2, shrink: shrink, l2: l2)
        let update: @convention(c) (UnsafeMutableRawPointer?, Int32, Int32) -> Void = { context, share, shares in
          let job = context!.assumingMemoryBound(to: AdamJob.self).pointee
          let chunk = (job.count / Int(shares) + 7) / 8 * 8
          let start = min(Int(share) * chunk, job.count)
          let end = Int(share) == Int(shares) - 1 ? job.count : min(start + chunk, job.count)
          Optimizer.adamKernel(p: job.p + start, g: job.g + start, m: job.m + start, v: job.v + start, count: end - start,
                               b1: job.b1, b2: job.b2, eps: job.eps, stepSize: job.stepSize,
                               rootCorrection2: job.rootCorrection2, shrink: job.shrink, l2: job.l2)
        }
        withUnsafeMutablePointer(to: &job) { context in
          if let team { team.each(shares: team.threads, context: context, update) } else { update(context, 0, 1) }
        }
      }
    }
  }
}
