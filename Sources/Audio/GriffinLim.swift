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
  public func reconstruct(magnitudes: [Float], frames: Int, stft: STFT, length: Int, initialPhase: [Float]? = nil) -> [Float] {
    guard length > 0, frames > 0 else { return [Float](repeating: 0, count: max(length, 0)) }
    let bins = stft.bins, count = frames * bins
    precondition(magnitudes.count == count, "magnitudes must hold frames x bins values")
    precondition(initialPhase == nil || initialPhase!.count == count, "the initial phase must hold frames x bins values")
    // The spectrum S e^(i angles), the rebuilt spectrum and the previous one, split re/im.
    let spectrumRe = FFTBuffer(floats: count), spectrumIm = FFTBuffer(floats: count)
    var rebuiltRe = FFTBuffer(floats: count), rebuiltIm = FFTBuffer(floats: count)
    var previousRe = FFTBuffer(floats: count), previousIm = FFTBuffer(floats: count)
    let signal = FFTBuffer(floats: length)
    let overlapAdd = STFT.OverlapAdd(stft: stft, frames: frames, length: length)
    let workspace = stft.makeWorkspace()
    // The STFT of `length` samples may have fewer frames than given: those are not rebuilt.
    let rebuiltFrames = min(frames, stft.frameCount(samples: length))

    magnitudes.withUnsafeBufferPointer { magnitude in
      let s = magnitude.baseAddress!
      if let initialPhase {
        for i in 0..<count {
          spectrumRe.pointer[i] = s[i] * _cos(initialPhase[i])
          spectrumIm.pointer[i] = s[i] * _sin(initialPhase[i])
        }
      } else {
        var random = SeededRandom(seed: seed)
        for i in 0..<count {
          let angle = 2 * Float.pi * random.uniform()
          spectrumRe.pointer[i] = s[i] * _cos(angle)
          spectrumIm.pointer[i] = s[i] * _sin(angle)
        }
      }
      let rebuiltCount = rebuiltFrames * bins
      for iteration in 0..<iterations {
        stft.inverse(real: spectrumRe.pointer, imag: spectrumIm.pointer, into: signal.pointer, overlapAdd: overlapAdd, workspace: workspace)
        stft.forward(UnsafeBufferPointer(start: signal.pointer, count: length), real: rebuiltRe.pointer, imag: rebuiltIm.pointer,
                     workspace: workspace)
        // librosa's previous iterate starts at 0: the first update has no momentum term.
        let decay = iteration == 0 ? 0 : momentum / (1 + momentum)
        Self.update(spectrumRe.pointer, spectrumIm.pointer, magnitude: s, rebuiltRe.pointer, rebuiltIm.pointer,
                    previousRe.pointer, previousIm.pointer, decay: decay, count: rebuiltCount)
        swap(&rebuiltRe, &previousRe)
        swap(&rebuiltIm, &previousIm)
      }
    }
    var output = [Float](repeating: 0, count: length)
    output.withUnsafeMutableBufferPointer { out in
      stft.inverse(real: spectrumRe.pointer, imag: spectrumIm.pointer, into: out.baseAddress!, overlapAdd: overlapAdd, workspace: workspace)
    }
    return output
  }

  /// spectrum = S * u / (|u| + tiny) with u = rebuilt - decay * previous (vectorisable: no
  /// branches, no atan2).
  @inline(__always)
  static func update(_ re: UnsafeMutablePointer<Float>, _ im: UnsafeMutablePointer<Float>, magnitude s: UnsafePointer<Float>,
                     _ rebuiltRe: UnsafePointer<Float>, _ rebuiltIm: UnsafePointer<Float>,
                     _ previousRe: UnsafePointer<Float>, _ previousIm: UnsafePointer<Float>, decay: Float, count: Int) {
    let tiny = Float.leastNormalMagnitude
    for i in 0..<count {
      let ur = rebuiltRe[i] - decay * previousRe[i], ui = rebuiltIm[i] - decay * previousIm[i]
      let scale = s[i] / ((ur * ur + ui * ui).squareRoot() + tiny)
      re[i] = ur * scale
      im[i] = ui * scale
    }
  }
}
