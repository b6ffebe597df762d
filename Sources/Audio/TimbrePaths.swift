#if canImport(Glibc)
import Glibc
#endif
import Runtime
import Tensor

/// Paths through a timbre model's code space, one code per frame: a seeded walk for new
/// sounds, and the blend from one sound's codes to another's for morphs.
public enum TimbrePaths {
  /// A smooth walk for `frames` frames: anchors drawn from the prior N(0, I) every
  /// `anchorFrames` frames, joined by raised-cosine easing so the timbre glides rather than
  /// jumps from frame to frame (a code per frame drawn independently sounds like noise).
  public static func walk(frames: Int, width: Int, anchorFrames: Int, seed: UInt64) -> Tensor {
    let path = Tensor(rows: frames, cols: width)
    let anchors = frames / max(anchorFrames, 1) + 2
    var random = SeededRandom(seed: seed, stream: 0xA0D10)
    var points = [Float](repeating: 0, count: anchors * width)
    for i in points.indices { points[i] = Float(random.gaussian()) }
    for t in 0..<frames {
      let position = Double(t) / Double(max(anchorFrames, 1))
      let a = Int(position), fraction = Float(position - Double(a))
      let ease = (1 - cosf(.pi * fraction)) / 2
      for j in 0..<width {
        path.data[t * width + j] = points[a * width + j] * (1 - ease) + points[(a + 1) * width + j] * ease
      }
    }
    return path
  }

  /// `steps` segments from `a`'s codes to `b`'s: segment s blends them frame by frame with
  /// weight s / (steps - 1) on `b`, over as many frames as `a` has (b's frames are stretched
  /// or squeezed to match).
  public static func morph(from a: Tensor, to b: Tensor, steps: Int) -> [Tensor] {
    (0..<steps).map { s in
      let weight = steps > 1 ? Float(s) / Float(steps - 1) : 0
      let segment = Tensor(rows: a.rows, cols: a.cols)
      for t in 0..<a.rows {
        let tb = a.rows > 1 ? min(b.rows - 1, t * (b.rows - 1) / (a.rows - 1)) : 0
        for j in 0..<a.cols {
          segment.data[t * a.cols + j] = a.data[t * a.cols + j] * (1 - weight) + b.data[tb * b.cols + j] * weight
        }
      }
      return segment
    }
  }
}

extension TimbreModel {
  /// A new sound of `seconds`: a seeded walk through the code space (anchors every half
  /// second), decoded at `pitch` (for a pitch-conditioned model), rendered.
  public func generate(seconds: Double, seed: UInt64, pitch: Double?) throws -> (samples: [Float], codes: Tensor) {
    guard seconds.isFinite, seconds > 0, seconds <= 3600 else { throw AudioError("a length is 0 to 3600 seconds, not \(seconds)") }
    let length = Int(seconds * Double(sampleRate))
    let frames = frameCount(samples: length)
    let anchor = max(1, sampleRate / (2 * settings.hop))
    let codes = TimbrePaths.walk(frames: frames, width: latentWidth, anchorFrames: anchor, seed: seed)
    let m = try magnitudes(codes, pitches: pitch.map { [$0] })
    return (render(magnitudes: m, frames: frames, length: length, seed: seed), codes)
  }

  /// `steps` sounds from `a` to `b` one after another, each as long as `a`: both encoded,
  /// their codes blended frame by frame, the pitch blended alike.
  public func morph(_ a: [Float], _ b: [Float], pitches: (Double, Double)?, steps: Int) throws -> (samples: [Float], codes: Tensor) {
    guard (2...1000).contains(steps) else { throw AudioError("a morph has 2 to 1000 steps, not \(steps)") }
    let codesA = try encode(a, pitch: pitches?.0), codesB = try encode(b, pitch: pitches?.1)
    var samples: [Float] = []
    samples.reserveCapacity(a.count * steps)
    let all = Tensor(rows: codesA.rows * steps, cols: latentWidth)
    for (s, segment) in TimbrePaths.morph(from: codesA, to: codesB, steps: steps).enumerated() {
      let weight = Double(s) / Double(steps - 1)
      let pitch = pitches.map { [$0.0 * (1 - weight) + $0.1 * weight] }
      let m = try magnitudes(segment, pitches: pitch)
      samples += render(magnitudes: m, frames: segment.rows, length: a.count, seed: UInt64(s))
      (all.data + s * segment.count).update(from: segment.data, count: segment.count)
    }
    return (samples, all)
  }
}
