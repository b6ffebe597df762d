#if canImport(Glibc)
import Glibc
#endif

/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Every random choice in training (initial weights, shuffling, dropout masks, noise) draws
/// from one of these, derived from the user's `--seed`, so a run is reproducible bit for bit.
/// See https://prng.di.unimi.it for the algorithm.
public struct SeededRandom: RandomNumberGenerator {
  @usableFromInline var s0, s1, s2, s3: UInt64

  /// A generator whose whole stream is fixed by `seed`.
  public init(seed: UInt64) {
    var sm = seed
    func splitMix() -> UInt64 {
      sm &+= 0x9E37_79B9_7F4A_7C15
      var z = sm
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
  }

  /// A generator for a named sub-stream (an epoch, a layer), independent of the others.
  public init(seed: UInt64, stream: UInt64) {
    self.init(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03) &+ 0x632B_E59B_D9B4_E019)
  }

  @inlinable
  public mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
    s2 ^= t
    s3 = (s3 << 45) | (s3 >> 19)
    return result
  }

  /// Uniform in [0, 1), 24 random bits.
  @inlinable
  public mutating func uniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

  /// Uniform in [low, high).
  @inlinable
  public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * uniform() }

  /// Standard normal, by the Box-Muller transform.
  public mutating func gaussian() -> Float {
    let u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) + 1e-300
    let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
  }

  /// Two independent standard normals by Marsaglia's polar method: a point drawn uniformly in
  /// the unit disc, scaled by sqrt(-2 ln s / s). One logf and no trigonometry per pair, about
  /// five times faster than Box-Muller in Double, which made noise the denoising model's
  /// largest cost after the matrix products.
  public mutating func gaussianPair() -> (Float, Float) {
    while true {
      let u = Float(Int32(truncatingIfNeeded: next() >> 32)) * (1.0 / 2_147_483_648.0)
      let v = Float(Int32(truncatingIfNeeded: next() >> 32)) * (1.0 / 2_147_483_648.0)
      let s = u * u + v * v
      if s > 0 && s < 1 {
        let factor = (-2 * logf(s) / s).squareRoot()
        return (u * factor, v * factor)
      }
    }
  }

  /// 0..<n shuffled (Fisher-Yates).
  public mutating func permutation(_ n: Int) -> [Int] {
    var order = Array(0..<n)
    if n < 2 { return order }
    for i in stride(from: n - 1, to: 0, by: -1) {
      let j = Int(next() % UInt64(i + 1))
      order.swapAt(i, j)
    }
    return order
  }
}
