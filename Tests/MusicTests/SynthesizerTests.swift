import Foundation
import Music
import Testing

/// The synthesizer's pitch, its band limiting, its envelope and the note layout.
@Suite struct SynthesizerTests {
  /// The power at each whole-hertz bin 0..<`bins` of `signal` lasting one second per
  /// `sampleRate` samples (a plain DFT with a twiddle table; exact for periodic signals
  /// whose period divides the length).
  static func powerSpectrum(_ signal: [Float], bins: Int) -> [Double] {
    let n = signal.count
    let cosines = (0..<n).map { cos(2 * Double.pi * Double($0) / Double(n)) }
    let sines = (0..<n).map { sin(2 * Double.pi * Double($0) / Double(n)) }
    return (0..<bins).map { k in
      var re = 0.0, im = 0.0
      for (i, x) in signal.enumerated() {
        let index = (k * i) % n
        re += Double(x) * cosines[index]
        im -= Double(x) * sines[index]
      }
      return re * re + im * im
    }
  }

  /// A sine at A4 (MIDI 69) over one second at 16 kHz peaks in the 440 Hz bin.
  @Test func sineAtA4PeaksAt440Hz() {
    var synth = Synthesizer(waveform: .sine, envelope: Envelope(attack: 0.005, decay: 0, sustain: 1, release: 0))
    let samples = Array(synth.render(pitch: 69, velocity: 1, seconds: 1, sampleRate: 16_000).prefix(16_000))
    let spectrum = Self.powerSpectrum(samples, bins: 2_000)
    #expect(spectrum.indices.max { spectrum[$0] < spectrum[$1] } == 440)
  }

  /// A saw at 1230 Hz over half a second at 16 kHz: every harmonic falls on a multiple of
  /// 1230 Hz, anything else is aliasing folded back below Nyquist. PolyBLEP leaves well under
  /// a fifth of the naive saw's aliased energy (measured: about a tenth).
  @Test func polyBLEPSawAliasesFarLessThanNaive() {
    let rate = 16_000, n = 8_000, frequency = 1_230.0
    let blep = Synthesizer.oscillator(.saw, frequency: frequency, sampleRate: rate, count: n)
    let naive = (0..<n).map { i -> Float in
      let phase = (Double(i) * frequency / Double(rate)).truncatingRemainder(dividingBy: 1)
      return Float(2 * phase - 1)
    }
    // Bins are 2 Hz apart: harmonics sit at multiples of 615.
    func aliasedFraction(_ signal: [Float]) -> Double {
      let spectrum = Self.powerSpectrum(signal, bins: n / 2)
      let aliased = spectrum.indices.filter { $0 % 615 != 0 }.reduce(0) { $0 + spectrum[$1] }
      return aliased / spectrum.reduce(0, +)
    }
    let blepAliasing = aliasedFraction(blep), naiveAliasing = aliasedFraction(naive)
    #expect(naiveAliasing > 0.01)
    #expect(blepAliasing < naiveAliasing / 5, "PolyBLEP \(blepAliasing), naive \(naiveAliasing)")
  }

  /// The envelope rises, sustains and releases to silence after the note is let go.
  @Test func envelopeShape() {
    let envelope = Envelope(attack: 0.1, decay: 0.1, sustain: 0.5, release: 0.2)
    #expect(abs(envelope.level(at: 0.05, held: 1) - 0.5) < 1e-6)
    #expect(abs(envelope.level(at: 0.1, held: 1) - 1) < 1e-6)
    #expect(abs(envelope.level(at: 0.5, held: 1) - 0.5) < 1e-6)
    #expect(abs(envelope.level(at: 1.1, held: 1) - 0.25) < 1e-6)
    #expect(abs(envelope.level(at: 1.2, held: 1)) < 1e-6)
  }

  /// Two notes at 120 BPM in 16ths: the second starts 4 steps (half a second) in, the buffer
  /// ends with the last release, and every waveform at gain 0.5 stays within -1...1 where the
  /// first note's release overlaps the second's attack.
  @Test func layoutAtTempo() {
    let notes = NoteLayout.timed([StepNote(pitch: 60, start: 0, steps: 4), StepNote(pitch: 67, start: 4, steps: 4)], tempo: 120)
    #expect(notes.map(\.start) == [0, 0.5] && notes.map(\.seconds) == [0.5, 0.5])
    for waveform in Synthesizer.Waveform.allCases {
      var synth = Synthesizer(waveform: waveform, envelope: Envelope(release: 0.1), gain: 0.5)
      let buffer = NoteLayout.render(notes, with: &synth, sampleRate: 16_000)
      #expect(buffer.count == 16_000 + 1_600)
      #expect(buffer.allSatisfy { abs($0) <= 1 }, "\(waveform)")
      #expect(buffer[8_000..<9_000].contains { abs($0) > 0.1 }, "\(waveform)")
    }
  }
}
