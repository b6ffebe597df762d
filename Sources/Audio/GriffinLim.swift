import Tensor

/// Phase reconstruction from a magnitude spectrogram by librosa.griffinlim's algorithm: the
/// "fast" Griffin-Lim of Perraudin, Balazs and Sondergaard (2013) with `momentum` (0.99 as
/// librosa; 0 gives the classic algorithm of Griffin and Lim 1984).
///
/// Each iteration: inverse STFT of S e^(i angles), STFT of that signal (`rebuilt`), then
/// angles = phase of (rebuilt - momentum / (1 + momentum) * previous rebuilt); the result is
/// the inverse STFT of the last S e^(i angles).
public struct GriffinLim: Sendable {
  public var iterations = 32
  public var momentum: Float = 0.99
  /// Seeds the random initial phases when none are given.
  public var seed: UInt64 = 0

  public init(iterations: Int = 32, momentum: Float = 0.99, seed: UInt64 = 0) {
    self.iterations = iterations
    self.momentum = momentum
    self.seed = seed
  }

  /// `length` samples whose STFT magnitudes approach `magnitudes` (frames x bins of `stft`).
  /// `initialPhase`: frames x bins radians; nil: uniform in [0, 2 pi), from `seed`.
  ///
  /// The spectra are kept interleaved (re, im) as FFTW gives them, and each frame's STFT is
  /// used as soon as it is made (the phase update needs only that frame and its previous
  /// value), so an iteration is one pass over the spectrogram for each direction.
  public func reconstruct(magnitudes: [Float], frames: Int, stft: STFT, length: Int, initialPhase: [Float]? = nil) -> [Float] {
    guard length > 0, frames > 0 else { return [Float](repeating: 0, count: max(length, 0)) }
    let bins = stft.bins, count = frames * bins
    precondition(magnitudes.count == count, "magnitudes must hold frames x bins values")
    precondition(initialPhase == nil || initialPhase!.count == count, "the initial phase must hold frames x bins values")
    // S e^(i angles) and the previous iteration's rebuilt spectrum, interleaved.
    let spectrum = FFTBuffer(floats: 2 * count), previous = FFTBuffer(floats: 2 * count)
    let signal = FFTBuffer(floats: length)
    let overlapAdd = STFT.OverlapAdd(stft: stft, frames: frames, length: length)
    let workspace = stft.makeWorkspace()
    // The STFT of `length` samples may have fewer frames than given: those are not rebuilt.
    let rebuiltFrames = min(frames, stft.frameCount(samples: length))
    let row = 2 * bins, z = spectrum.pointer

    magnitudes.withUnsafeBufferPointer { magnitude in
      let s = magnitude.baseAddress!
      if let initialPhase {
        for i in 0..<count {
          z[2 * i] = s[i] * _cos(initialPhase[i])
          z[2 * i + 1] = s[i] * _sin(initialPhase[i])
        }
      } else {
        var random = SeededRandom(seed: seed)
        for i in 0..<count {
          let angle = 2 * Float.pi * random.uniform()
          z[2 * i] = s[i] * _cos(angle)
          z[2 * i + 1] = s[i] * _sin(angle)
        }
      }
      for iteration in 0..<iterations {
        stft.inverse(into: signal.pointer, overlapAdd: overlapAdd, workspace: workspace) { t, buffer in
          buffer.update(from: z + t * row, count: row)
        }
        // librosa's previous iterate starts at 0: the first update has no momentum term.
        let decay = iteration == 0 ? 0 : momentum / (1 + momentum)
        let samples = UnsafeBufferPointer(start: signal.pointer, count: length)
        for t in 0..<rebuiltFrames {
          stft.transformFrame(t, of: samples, workspace)
          Self.update(z + t * row, previous: previous.pointer + t * row, rebuilt: workspace.spectrum.pointer,
                      magnitude: s + t * bins, decay: decay, bins: bins)
        }
      }
    }
    var output = [Float](repeating: 0, count: length)
    output.withUnsafeMutableBufferPointer { out in
      stft.inverse(into: out.baseAddress!, overlapAdd: overlapAdd, workspace: workspace) { t, buffer in
        buffer.update(from: z + t * row, count: row)
      }
    }
    return output
  }

  /// One frame: u = rebuilt - decay * previous; spectrum = S u / (|u| + tiny); previous =
  /// rebuilt. Interleaved complex values; no branches, so it vectorises.
  @inline(__always)
  static func update(_ spectrum: UnsafeMutablePointer<Float>, previous: UnsafeMutablePointer<Float>, rebuilt: UnsafePointer<Float>,
                     magnitude s: UnsafePointer<Float>, decay: Float, bins: Int) {
    let tiny = Float.leastNormalMagnitude
    for k in 0..<bins {
      let rr = rebuilt[2 * k], ri = rebuilt[2 * k + 1]
      let ur = rr - decay * previous[2 * k], ui = ri - decay * previous[2 * k + 1]
      previous[2 * k] = rr
      previous[2 * k + 1] = ri
      let scale = s[k] / ((ur * ur + ui * ui).squareRoot() + tiny)
      spectrum[2 * k] = ur * scale
      spectrum[2 * k + 1] = ui * scale
    }
  }
}
