#if canImport(Glibc)
import Glibc
#endif

/// Latent paths between codes.
public enum LatentPath {
  /// `steps` codes from `a` to `b` (both included) along the great circle between them, with
  /// the norm interpolated linearly, as MusicVAE walks its latent space: a straight line
  /// passes near the origin, where codes are unlike any phrase the prior draws.
  public static func spherical(from a: [Float], to b: [Float], steps: Int) -> [[Float]] {
    let na = norm(a), nb = norm(b)
    let ua = a.map { na > 0 ? $0 / na : 0 }, ub = b.map { nb > 0 ? $0 / nb : 0 }
    let cosine = max(-1, min(1, zip(ua, ub).reduce(0) { $0 + $1.0 * $1.1 }))
    let angle = acos(cosine)
    return (0..<steps).map { i in
      let t = steps == 1 ? 0 : Float(i) / Float(steps - 1)
      // Nearly parallel or opposite (or a zero code): no great circle is defined, walk the line.
      guard angle > 1e-4, angle < .pi - 1e-4, na > 0, nb > 0 else { return zip(a, b).map { $0 + t * ($1 - $0) } }
      let wa = sin((1 - t) * angle) / sin(angle), wb = sin(t * angle) / sin(angle)
      let length = na + t * (nb - na)
      let direction = zip(ua, ub).map { wa * $0 + wb * $1 }
      let dn = norm(direction)
      return direction.map { dn > 0 ? $0 / dn * length : 0 }
    }
  }

  static func norm(_ v: [Float]) -> Float { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}
