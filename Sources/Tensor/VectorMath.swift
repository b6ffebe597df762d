import CVector

/// exp and log for the hot loops (BCE loss, sigmoid), written without calls or branches so
/// the compiler vectorizes the loops that use them; libm's scalar `expf`/`log1pf` cost a
/// third of a training epoch otherwise.
///
/// The polynomials are Cephes' `expf` and `logf` (S. Moshier, http://www.netlib.org/cephes/),
/// accurate to about 2 ulp over the ranges used here. Rounding and 2^n use the float
/// "magic number" trick instead of conversions, which would not vectorize.
public enum VectorMath {
  /// 1.5 * 2^23: adding it to |x| < 2^22 rounds x to an integer held in the low mantissa bits.
  @usableFromInline static let roundingMagic: Float = 12_582_912

  /// max(z, 0) in place over `count` values: ReLU, for Activation and the OpenBLAS path of
  /// BLAS.affine alike.
  @inlinable
  public static func relu(_ z: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    let zero = Lanes(repeating: 0)
    while i + 8 <= count {
      store(maximum(load(z + i), zero), to: z + i)
      i += 8
    }
    while i < count { z[i] = max(z[i], 0); i += 1 }
  }

  /// e^x; inputs below -87 give about 2^-126, inputs above 88 are clamped.
  @inlinable @inline(__always)
  public static func exp(_ x: Float) -> Float {
    let x = min(max(x, -87.0), 88.0)
    let shifted = x * 1.442_695_040_888_963_4 + roundingMagic
    let n = shifted - roundingMagic // round(x / ln 2), exact integer
    let r = x - n * 0.693_359_375 + n * 2.121_944_400_546_905_8e-4
    var p: Float = 1.987_569_150_0e-4
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    let y = p * r * r + r + 1
    // The low bits of `shifted` hold n + 0x400000; rebuild 2^n as an exponent field.
    let twoToN = Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
    return y * twoToN
  }

  /// log(1 + e) for e in [0, 1] (the softplus tail log(1 + exp(-|z|))).
  /// Absolute error below 1e-7: ample for loss values summed over many terms.
  @inlinable @inline(__always)
  public static func log1pUnit(_ e: Float) -> Float {
    let u = 1 + e // in [1, 2]
    let isLarge = u > 1.414_213_5
    let m = isLarge ? u * 0.5 : u // in [0.707, 1.414]
    let f = m - 1
    var p: Float = 7.037_683_629_2e-2
    p = p * f - 1.151_461_031_0e-1
    p = p * f + 1.167_699_874_0e-1
    p = p * f - 1.242_014_084_6e-1
    p = p * f + 1.424_932_278_7e-1
    p = p * f - 1.666_805_766_5e-1
    p = p * f + 2.000_071_476_5e-1
    p = p * f - 2.499_999_399_3e-1
    p = p * f + 3.333_333_117_4e-1
    let f2 = f * f
    return f * f2 * p - 0.5 * f2 + f + (isLarge ? 0.693_147_180_56 : 0)
  }

  /// The logistic function 1 / (1 + e^-z), overflow-free.
  @inlinable @inline(__always)
  public static func sigmoid(_ z: Float) -> Float {
    let e = exp(-abs(z))
    let inverse = 1 / (1 + e)
    return z >= 0 ? inverse : e * inverse
  }

  /// tanh z = sign(z) (1 - e^-2|z|) / (1 + e^-2|z|); within a few ulp of libm's away from 0,
  /// and within 1e-7 absolute near 0.
  @inlinable @inline(__always)
  public static func tanh(_ z: Float) -> Float {
    let e = exp(-2 * abs(z))
    let t = (1 - e) / (1 + e)
    return z < 0 ? -t : t
  }
}

/// The same functions on eight lanes at once. Every step is a plain lane-wise operation, so
/// a lane computes exactly what the scalar version computes for the same input.
extension VectorMath {
  public typealias Lanes = SIMD8<Float>
  public typealias Bits = SIMD8<UInt32>

  @inlinable @inline(__always)
  public static func exp(_ x: Lanes) -> Lanes {
    let x = minimum(maximum(x, Lanes(repeating: -87.0)), Lanes(repeating: 88.0))
    let shifted = x * 1.442_695_040_888_963_4 + roundingMagic
    let n = shifted - roundingMagic
    let r = x - n * 0.693_359_375 + n * 2.121_944_400_546_905_8e-4
    var p = Lanes(repeating: 1.987_569_150_0e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    let y = p * r * r + r + 1
    let bits = (unsafeBitCast(shifted, to: Bits.self) &- 0x4B40_0000 &+ 127) &<< 23
    return y * unsafeBitCast(bits, to: Lanes.self)
  }

  @inlinable @inline(__always)
  public static func log1pUnit(_ e: Lanes) -> Lanes {
    let u = 1 + e
    let isLarge = u .> 1.414_213_5
    let m = u.replacing(with: u * 0.5, where: isLarge)
    let f = m - 1
    var p = Lanes(repeating: 7.037_683_629_2e-2)
    p = p * f - 1.151_461_031_0e-1
    p = p * f + 1.167_699_874_0e-1
    p = p * f - 1.242_014_084_6e-1
    p = p * f + 1.424_932_278_7e-1
    p = p * f - 1.666_805_766_5e-1
    p = p * f + 2.000_071_476_5e-1
    p = p * f - 2.499_999_399_3e-1
    p = p * f + 3.333_333_117_4e-1
    let f2 = f * f
    let tail = Lanes(repeating: 0).replacing(with: 0.693_147_180_56, where: isLarge)
    return f * f2 * p - 0.5 * f2 + f + tail
  }

  @inlinable @inline(__always)
  public static func sigmoid(_ z: Lanes) -> Lanes {
    let e = exp(-magnitude(z))
    let inverse: Lanes = 1 / (1 + e)
    return inverse.replacing(with: e * inverse, where: z .< 0)
  }

  @inlinable @inline(__always)
  public static func tanh(_ z: Lanes) -> Lanes {
    let e = exp(-2 * magnitude(z))
    let t: Lanes = (1 - e) / (1 + e)
    return t.replacing(with: -t, where: z .< 0)
  }

  /// Whether any of `count` values is NaN or infinite: x - x is 0 for finite x and NaN
  /// otherwise, so a running sum of x - x stays 0 exactly when every value is finite.
  @inlinable
  public static func containsNonFinite(_ values: UnsafePointer<Float>, count: Int) -> Bool {
    var i = 0
    var sum = Lanes(repeating: 0)
    while i + 8 <= count {
      let v = load(values + i)
      sum += v - v
      i += 8
    }
    var tail: Float = 0
    while i < count {
      tail += values[i] - values[i]
      i += 1
    }
    return !(sum.sum() + tail == 0)
  }

  /// Square root lane-wise, as one vector instruction.
  @inlinable @inline(__always)
  public static func squareRoot(_ x: Lanes) -> Lanes { ae_sqrt8(x) }

  /// |x| lane-wise, by clearing the sign bit.
  @inlinable @inline(__always)
  public static func magnitude(_ x: Lanes) -> Lanes {
    unsafeBitCast(unsafeBitCast(x, to: Bits.self) & 0x7FFF_FFFF, to: Lanes.self)
  }

  @inlinable @inline(__always)
  public static func load(_ p: UnsafePointer<Float>) -> Lanes {
    UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
  }

  @inlinable @inline(__always)
  public static func store(_ v: Lanes, to p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
  }
}

extension VectorMath {
  /// Lane-wise maximum (the standard library's `pointwiseMax` is not always inlined).
  @inlinable @inline(__always)
  public static func maximum(_ a: Lanes, _ b: Lanes) -> Lanes { a.replacing(with: b, where: a .< b) }

  /// Lane-wise minimum.
  @inlinable @inline(__always)
  public static func minimum(_ a: Lanes, _ b: Lanes) -> Lanes { a.replacing(with: b, where: b .< a) }
}
