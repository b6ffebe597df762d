#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The standard normal distribution's CDF and its inverse, for the quantile transform.
public enum NormalDistribution {
  /// Probabilities passed to `quantile` are clamped to [smallestProbability, 1 - smallestProbability],
  /// so 0 and 1 give finite scores (about ±7.03) instead of infinities.
  public static let smallestProbability = 1e-12

  /// Φ(x), through erfc so the tails keep their relative accuracy. NaN stays NaN.
  public static func cdf(_ x: Double) -> Double {
    0.5 * erfc(-x / 2.0.squareRoot())
  }

  /// Φ⁻¹(p) by Wichura's algorithm AS 241 (PPND16, Applied Statistics 37:477-484, 1988),
  /// accurate to about 1e-16 relative; p is clamped to [1e-12, 1 - 1e-12]. NaN stays NaN.
  public static func quantile(_ p: Double) -> Double {
    guard !p.isNaN else { return .nan }
    let p = min(max(p, smallestProbability), 1 - smallestProbability)
    let q = p - 0.5
    if abs(q) <= 0.425 {
      let r = 0.180625 - q * q
      return q * polynomial(central.numerator, r) / polynomial(central.denominator, r)
    }
    var r = (-log(q < 0 ? p : 1 - p)).squareRoot()
    let value: Double
    if r <= 5 {
      r -= 1.6
      value = polynomial(intermediate.numerator, r) / polynomial(intermediate.denominator, r)
    } else {
      r -= 5
      value = polynomial(tail.numerator, r) / polynomial(tail.denominator, r)
    }
    return q < 0 ? -value : value
  }

  /// c[0] + c[1] x + c[2] x² + ..., by Horner's rule.
  private static func polynomial(_ coefficients: [Double], _ x: Double) -> Double {
    coefficients.reversed().reduce(0) { $0 * x + $1 }
  }

  /// AS 241's rational approximations: |p - 0.5| <= 0.425, then r = sqrt(-log(min(p, 1-p))) <= 5, then beyond.
  private static let central = (
    numerator: [3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3, 1.3731693765509461125e4,
                4.5921953931549871457e4, 6.7265770927008700853e4, 3.3430575583588128105e4, 2.5090809287301226727e3],
    denominator: [1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
                  2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4, 5.2264952788528545610e3])
  private static let intermediate = (
    numerator: [1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0, 3.64784832476320460504e0,
                1.27045825245236838258e0, 2.41780725177450611770e-1, 2.27238449892691845833e-2, 7.74545014278341407640e-4],
    denominator: [1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
                  1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4, 1.05075007164441684324e-9])
  private static let tail = (
    numerator: [6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0, 2.96560571828504891230e-1,
                2.65321895265761230930e-2, 1.24266094738807843860e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7],
    denominator: [1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
                  7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7, 2.04426310338993978564e-15])
}
