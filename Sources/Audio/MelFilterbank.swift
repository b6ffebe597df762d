#if canImport(Glibc)
import Glibc
#endif

/// Triangular mel filters as librosa.filters.mel makes them by default: the Slaney mel scale
/// (linear below 1 kHz, logarithmic above; htk=False) and Slaney normalisation (each triangle
/// scaled by 2 / its width in Hz, so the bands have equal area).
public struct MelFilterbank: Sendable {
  public let bands: Int
  public let bins: Int
  /// Each band's weights over bins `first[m] ..< first[m] + width[m]` (the triangle's nonzero
  /// span), packed one band after another from `offset[m]`.
  let first: [Int], width: [Int], offset: [Int], weights: [Float]
  /// The minimum-norm least-squares inverse W^T (W W^T)^-1, bins x bands, row-major.
  let pseudoInverse: [Float]

  /// `maximumFrequency` nil: half the sample rate. Frequencies are clamped to [0, rate / 2].
  public init(sampleRate: Int, fftSize: Int, bands: Int, minimumFrequency: Float = 0, maximumFrequency: Float? = nil) {
    let bands = max(bands, 0), bins = fftSize / 2 + 1
    self.bands = bands
    self.bins = bins
    let edges = Self.edges(sampleRate: sampleRate, bands: bands, minimumFrequency: minimumFrequency, maximumFrequency: maximumFrequency)
    var dense = [Double](repeating: 0, count: bands * bins)
    for m in 0..<bands {
      let area = 2 / (edges[m + 2] - edges[m])
      for k in 0..<bins {
        let value = Self.triangle(Double(sampleRate) * Double(k) / Double(fftSize), edges[m], edges[m + 1], edges[m + 2]) * area
        dense[m * bins + k] = value.isFinite ? value : 0
      }
    }
    var first: [Int] = [], width: [Int] = [], offset: [Int] = [], weights: [Float] = []
    for m in 0..<bands {
      let row = dense[(m * bins)..<((m + 1) * bins)]
      let start = row.firstIndex { $0 != 0 } ?? row.startIndex, end = (row.lastIndex { $0 != 0 } ?? start - 1) + 1
      first.append(start - row.startIndex)
      width.append(end - start)
      offset.append(weights.count)
      weights += row[start..<end].map { Float($0) }
    }
    (self.first, self.width, self.offset, self.weights) = (first, width, offset, weights)
    pseudoInverse = Self.pseudoInverse(dense, bands: bands, bins: bins)
  }

  /// The bands + 2 edges in Hz, evenly spaced in mels from the lowest to the highest
  /// frequency (clamped to [0, rate / 2]; nil highest: rate / 2): band m rises from edge m to
  /// its peak at edge m + 1 and falls to edge m + 2.
  static func edges(sampleRate: Int, bands: Int, minimumFrequency: Float = 0, maximumFrequency: Float? = nil) -> [Double] {
    let nyquist = Double(sampleRate) / 2
    let low = min(max(Double(minimumFrequency), 0), nyquist)
    let high = max(min(Double(maximumFrequency ?? Float(nyquist)), nyquist), low)
    let lowMel = mel(low), highMel = mel(high)
    return (0..<(max(bands, 0) + 2)).map { hertz(lowMel + (highMel - lowMel) * Double($0) / Double(bands + 1)) }
  }

  /// The unscaled triangle (0 at `lower` and `upper`, 1 at `centre`) at `frequency`; NaN when
  /// two edges coincide (the caller drops it).
  static func triangle(_ frequency: Double, _ lower: Double, _ centre: Double, _ upper: Double) -> Double {
    max(0, min((frequency - lower) / (centre - lower), (upper - frequency) / (upper - centre)))
  }

  /// Slaney's mel scale (librosa.hz_to_mel with htk=False).
  static func mel(_ hertz: Double) -> Double {
    let step = 200.0 / 3, logStep = log(6.4) / 27
    return hertz >= 1000 ? 1000 / step + log(hertz / 1000) / logStep : hertz / step
  }

  static func hertz(_ mel: Double) -> Double {
    let step = 200.0 / 3, logStep = log(6.4) / 27
    return mel >= 1000 / step ? 1000 * exp(logStep * (mel - 1000 / step)) : mel * step
  }

  /// `magnitudes` (frames x bins) through the filters: frames x bands.
  public func apply(_ magnitudes: [Float], frames: Int) -> [Float] {
    precondition(magnitudes.count == frames * bins, "magnitudes must hold frames x bins values")
    var mel = [Float](repeating: 0, count: frames * bands)
    magnitudes.withUnsafeBufferPointer { input in
      weights.withUnsafeBufferPointer { weights in
        mel.withUnsafeMutableBufferPointer { out in
          for t in 0..<frames {
            for m in 0..<bands {
              let row = input.baseAddress! + t * bins + first[m], w = weights.baseAddress! + offset[m]
              var sum: Float = 0
              for k in 0..<width[m] { sum += w[k] * row[k] }
              out[t * bands + m] = sum
            }
          }
        }
      }
    }
    return mel
  }

  /// Magnitudes (frames x bins) whose mel bands are `mel` (frames x bands): the minimum-norm
  /// least-squares solution W^T (W W^T)^-1 mel, clipped at 0. librosa's mel_to_stft solves a
  /// non-negative least squares problem iteratively instead; this one is direct and exact on
  /// the filters' span, and differs only where the clipping bites.
  public func invert(_ mel: [Float], frames: Int) -> [Float] {
    precondition(mel.count == frames * bands, "mel must hold frames x bands values")
    var out = [Float](repeating: 0, count: frames * bins)
    mel.withUnsafeBufferPointer { mel in
      pseudoInverse.withUnsafeBufferPointer { inverse in
        out.withUnsafeMutableBufferPointer { out in
          for t in 0..<frames {
            let source = mel.baseAddress! + t * bands
            for k in 0..<bins {
              let row = inverse.baseAddress! + k * bands
              var sum: Float = 0
              for m in 0..<bands { sum += row[m] * source[m] }
              out[t * bins + k] = max(sum, 0)
            }
          }
        }
      }
    }
    return out
  }

  /// W^T (W W^T + lambda I)^-1 by Cholesky in Double. The tiny ridge lambda (1e-10 of the
  /// largest diagonal entry) keeps bands with no bins (narrow low bands with a short FFT)
  /// from making the system singular; their columns come out zero.
  static func pseudoInverse(_ w: [Double], bands: Int, bins: Int) -> [Float] {
    guard bands > 0 else { return [] }
    var gram = [Double](repeating: 0, count: bands * bands)
    for a in 0..<bands {
      for b in a..<bands {
        var sum = 0.0
        for k in 0..<bins { sum += w[a * bins + k] * w[b * bins + k] }
        gram[a * bands + b] = sum
        gram[b * bands + a] = sum
      }
    }
    let ridge = 1e-10 * max((0..<bands).map { gram[$0 * bands + $0] }.max() ?? 0, 1e-30)
    for a in 0..<bands { gram[a * bands + a] += ridge }
    // Cholesky: gram = L L^T, L in the lower triangle.
    for j in 0..<bands {
      var diagonal = gram[j * bands + j]
      for p in 0..<j { diagonal -= gram[j * bands + p] * gram[j * bands + p] }
      let root = max(diagonal, ridge).squareRoot()
      gram[j * bands + j] = root
      for i in (j + 1)..<max(bands, j + 1) {
        var value = gram[i * bands + j]
        for p in 0..<j { value -= gram[i * bands + p] * gram[j * bands + p] }
        gram[i * bands + j] = value / root
      }
    }
    // Each bin's row of the result is (gram^-1 w_k)^T, w_k the bin's column of W.
    var result = [Float](repeating: 0, count: bins * bands)
    var column = [Double](repeating: 0, count: bands)
    for k in 0..<bins {
      for m in 0..<bands { column[m] = w[m * bins + k] }
      for i in 0..<bands { // forward: L y = w_k
        var value = column[i]
        for p in 0..<i { value -= gram[i * bands + p] * column[p] }
        column[i] = value / gram[i * bands + i]
      }
      for i in stride(from: bands - 1, through: 0, by: -1) { // back: L^T x = y
        var value = column[i]
        for p in (i + 1)..<max(bands, i + 1) { value -= gram[p * bands + i] * column[p] }
        column[i] = value / gram[i * bands + i]
      }
      for m in 0..<bands { result[k * bands + m] = Float(column[m]) }
    }
    return result
  }
}
