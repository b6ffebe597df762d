#if canImport(Glibc)
import Glibc
#endif

/// Something that turns one note into samples: the synthesizer here, a learned timbre later.
/// `seconds` is how long the note is held; the returned samples may run past it (a release).
public protocol NoteRenderer {
  mutating func render(pitch: Int, velocity: Float, seconds: Double, sampleRate: Int) -> [Float]
}

/// An attack-decay-sustain-release envelope, times in seconds, sustain a level in 0...1.
public struct Envelope: Equatable, Sendable {
  public var attack: Double
  public var decay: Double
  public var sustain: Float
  public var release: Double

  public init(attack: Double = 0.01, decay: Double = 0.08, sustain: Float = 0.7, release: Double = 0.12) {
    self.attack = attack
    self.decay = decay
    self.sustain = sustain
    self.release = release
  }

  /// The level `time` seconds into a note held for `held` seconds.
  public func level(at time: Double, held: Double) -> Float {
    func holding(_ t: Double) -> Float {
      if t < attack { return Float(t / attack) }
      if t < attack + decay { return 1 - (1 - sustain) * Float((t - attack) / decay) }
      return sustain
    }
    if time < held { return holding(time) }
    let fade = (time - held) / max(release, 1e-9)
    return fade >= 1 ? 0 : holding(held) * Float(1 - fade)
  }
}

/// A small subtractive-style synthesizer: one band-limited oscillator per note with an ADSR
/// envelope. Saw and square use PolyBLEP (a polynomial correction of the step at each
/// wrap), which removes most of the aliasing a naive saw folds back below Nyquist.
public struct Synthesizer: NoteRenderer, Sendable {
  public enum Waveform: String, CaseIterable, Sendable {
    case sine, triangle, saw, square
  }

  public var waveform: Waveform
  public var envelope: Envelope
  /// Peak level of a note at full velocity.
  public var gain: Float

  public init(waveform: Waveform = .triangle, envelope: Envelope = Envelope(), gain: Float = 0.5) {
    self.waveform = waveform
    self.envelope = envelope
    self.gain = gain
  }

  /// The equal-tempered frequency of a MIDI pitch (A4 = 69 = 440 Hz).
  public static func frequency(pitch: Int) -> Double { 440 * pow(2, Double(pitch - 69) / 12) }

  public mutating func render(pitch: Int, velocity: Float, seconds: Double, sampleRate: Int) -> [Float] {
    let count = Int(((seconds + envelope.release) * Double(sampleRate)).rounded(.up))
    let wave = Self.oscillator(waveform, frequency: Self.frequency(pitch: pitch), sampleRate: sampleRate, count: count)
    let level = gain * max(0, min(velocity, 1))
    return wave.enumerated().map { i, value in
      value * level * envelope.level(at: Double(i) / Double(sampleRate), held: seconds)
    }
  }

  /// `count` samples of a waveform in -1...1 at `frequency`.
  public static func oscillator(_ waveform: Waveform, frequency: Double, sampleRate: Int, count: Int) -> [Float] {
    let increment = frequency / Double(sampleRate)
    var phase = 0.0
    var out = [Float](repeating: 0, count: count)
    var integrator = -1.0  // the triangle starts at its trough, so it has no DC offset to leak away
    for i in 0..<count {
      let value: Double
      switch waveform {
      case .sine: value = sin(2 * .pi * phase)
      case .saw: value = 2 * phase - 1 - polyBLEP(phase, increment)
      case .square, .triangle:
        var square = phase < 0.5 ? 1.0 : -1.0
        square += polyBLEP(phase, increment)
        square -= polyBLEP((phase + 0.5).truncatingRemainder(dividingBy: 1), increment)
        if waveform == .square {
          value = square
        } else {
          // A leaky integral of the band-limited square is a band-limited triangle.
          integrator = increment * 4 * square + (1 - increment) * integrator
          value = integrator
        }
      }
      out[i] = Float(value)
      phase += increment
      if phase >= 1 { phase -= 1 }
    }
    return out
  }

  /// The PolyBLEP residual at `phase` (0..<1) for a step of one per period, `increment`
  /// periods a sample: nonzero only within a sample of the discontinuity.
  static func polyBLEP(_ phase: Double, _ increment: Double) -> Double {
    if phase < increment {
      let t = phase / increment
      return t + t - t * t - 1
    }
    if phase > 1 - increment {
      let t = (phase - 1) / increment
      return t * t + t + t + 1
    }
    return 0
  }
}

/// A melody's notes at a tempo, in seconds, and their rendering into one buffer.
public enum NoteLayout {
  public struct TimedNote: Equatable, Sendable {
    public var pitch: Int
    public var velocity: Float
    public var start: Double
    public var seconds: Double
  }

  /// Step notes to seconds: a step lasts a quarter note over `stepsPerQuarter` at `tempo` BPM.
  public static func timed(_ notes: [StepNote], tempo: Double, stepsPerQuarter: Int = 4, velocity: Float = 0.8) -> [TimedNote] {
    let step = 60 / tempo / Double(stepsPerQuarter)
    return notes.map { TimedNote(pitch: $0.pitch, velocity: velocity, start: Double($0.start) * step, seconds: Double($0.steps) * step) }
  }

  /// Every note rendered by `renderer` and added into one buffer at its start; the buffer
  /// lasts until the last note's sound ends.
  public static func render<R: NoteRenderer>(_ notes: [TimedNote], with renderer: inout R, sampleRate: Int) -> [Float] {
    var buffer: [Float] = []
    for note in notes {
      let samples = renderer.render(pitch: note.pitch, velocity: note.velocity, seconds: note.seconds, sampleRate: sampleRate)
      let offset = Int((note.start * Double(sampleRate)).rounded())
      if buffer.count < offset + samples.count { buffer += [Float](repeating: 0, count: offset + samples.count - buffer.count) }
      for (i, value) in samples.enumerated() { buffer[offset + i] += value }
    }
    return buffer
  }
}
