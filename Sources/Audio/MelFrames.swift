#if canImport(Glibc)
import Glibc
#endif

/// A timbre model's mel axis: `bands` values per frame on the Slaney mel scale from 0 Hz to
/// half the sample rate (librosa.filters.mel's defaults), to and from the STFT's bins.
///
/// Forward (sound to frame): band m is the weighted mean of |X| under the m-th triangle, the
/// filter normalised to unit sum, so `ln(band + floor)` sits on the same scale as a bin's
/// log-magnitude (a flat spectrum gives every band its value). A band too narrow to hold a
/// bin (many bands on a short FFT) reads |X| at its centre, linearly between the two bins
/// around it.
///
/// Back (frame to bins): the log values, taken at the bands' centres (evenly spaced in mels),
/// are read at each bin's mel position by cubic (Catmull-Rom) interpolation, and extended
/// along the line through the two outermost bands below the first centre and above the last
/// (less than one band's step: 0 Hz and half the rate are the outer triangles' far edges).
/// Smooth envelopes come back closely; detail finer than a band (a harmonic's peak above a
/// few hundred Hz) is lost, which is what the axis trades for its width. O(bins) per frame and allocation-free: the real-time stream uses it.
public struct MelFrames: Sendable {
  public let bands: Int
  public let bins: Int
  /// Band m's weights over bins `first[m] ..< first[m] + width[m]`, summing to 1, packed one
  /// band after another from `offset[m]`.
  let first: [Int], width: [Int], offset: [Int], weights: [Float]
  /// Each bin's position on the bands' axis (band m's centre at m), within [-1, bands].
  let positions: [Float]

  /// The axis of `bands` mel bands over the bins of an FFT of `fftSize` at `sampleRate`
  /// (bands at least 1, fftSize at least 2: `SpectrogramSettings.problems()` checks a file's).
  public init(sampleRate: Int, fftSize: Int, bands: Int) {
    precondition(bands >= 1 && fftSize >= 2, "a mel axis needs at least one band and an FFT of 2 or more")
    self.bands = bands
    let bins = fftSize / 2 + 1
    self.bins = bins
    let binHertz = Double(sampleRate) / Double(fftSize)
    let edges = MelFilterbank.edges(sampleRate: sampleRate, bands: bands)
    var first: [Int] = [], width: [Int] = [], offset: [Int] = [], weights: [Float] = []
    for m in 0..<bands {
      // The bins strictly inside the triangle: (edges[m], edges[m + 2]).
      let low = max(Int((edges[m] / binHertz).rounded(.down)), 0), high = min(Int((edges[m + 2] / binHertz).rounded(.up)), bins - 1)
      var span: [(Int, Double)] = []
      if low <= high {
        for k in low...high {
          let value = MelFilterbank.triangle(Double(k) * binHertz, edges[m], edges[m + 1], edges[m + 2])
          if value.isFinite && value > 0 { span.append((k, value)) }
        }
      }
      if span.isEmpty { // no bin under the triangle: |X| at its centre, between two bins
        let position = min(edges[m + 1] / binHertz, Double(bins - 1))
        let k = min(Int(position), max(bins - 2, 0)), t = position - Double(k)
        span = bins > 1 ? [(k, 1 - t), (k + 1, t)] : [(0, 1)]
      }
      let sum = span.reduce(0) { $0 + $1.1 }
      first.append(span[0].0)
      width.append(span.count)
      offset.append(weights.count)
      weights += span.map { Float($0.1 / sum) }
    }
    (self.first, self.width, self.offset, self.weights) = (first, width, offset, weights)
    let lowMel = MelFilterbank.mel(edges[0]), step = (MelFilterbank.mel(edges[bands + 1]) - lowMel) / Double(bands + 1)
    positions = (0..<bins).map { k in
      let position = (MelFilterbank.mel(Double(k) * binHertz) - lowMel) / step - 1
      return Float(min(max(position, -1), Double(bands)))
    }
  }

  /// The bands' weighted means of one frame's `bins` magnitudes, into `bands` values.
  public func bandMeans(magnitudes: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
    weights.withUnsafeBufferPointer { weights in
      for m in 0..<bands {
        let row = magnitudes + first[m], w = weights.baseAddress! + offset[m]
        var sum: Float = 0
        for k in 0..<width[m] { sum += w[k] * row[k] }
        out[m] = sum
      }
    }
  }

  /// One frame's `bands` log values read at every bin, into `bins` values (still logs).
  public func readAtBins(logBands: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
    let last = bands - 1
    // The slopes beyond the ends (0 for a single band).
    let lowSlope = last > 0 ? logBands[1] - logBands[0] : 0, highSlope = last > 0 ? logBands[last] - logBands[last - 1] : 0
    positions.withUnsafeBufferPointer { positions in
      for k in 0..<bins {
        let position = positions[k]
        out[k] = position < 0 ? logBands[0] + position * lowSlope
          : position > Float(last) ? logBands[last] + (position - Float(last)) * highSlope
          : TimbreFeatures.cubic(logBands, last: last, at: position)
      }
    }
  }
}
