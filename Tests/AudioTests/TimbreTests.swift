import Audio
import AudioFiles
import AudioTraining
import Foundation
import Models
import Runtime
import Tensor
import TestSupport
import Testing

/// Timbre models: frames made and undone, pitch from names and from the sound, and a small
/// model trained on synthesized notes that reconstructs held-out pitches better than the
/// average frame and generates at the pitch it is asked for.
@Suite struct TimbreTests {
  static let rate = 8000
  static let settings = SpectrogramSettings(sampleRate: rate, fftSize: 256, hop: 64, condition: "pitch")

  /// A note of `seconds` at MIDI `pitch`: harmonics whose levels fall as `brightness` says
  /// (each timbre its own), with a short attack and a decay.
  static func note(pitch: Double, brightness: Double, seconds: Double = 0.4) -> [Float] {
    let f0 = 440 * pow(2, (pitch - 69) / 12), n = Int(seconds * Double(rate))
    return (0..<n).map { i in
      let t = Double(i) / Double(rate)
      var value = 0.0
      for h in 1...12 where Double(h) * f0 < Double(rate) / 2 {
        value += pow(brightness, Double(h - 1)) * sin(2 * .pi * f0 * Double(h) * t)
      }
      return Float(0.3 * value * min(1, t / 0.01) * exp(-2 * t))
    }
  }

  static func sounds(pitches: [Int]) -> [SoundFolder.Sound] {
    [0.3, 0.6, 0.85].flatMap { brightness in
      pitches.map { SoundFolder.Sound(path: "synth_\($0).wav", samples: note(pitch: Double($0), brightness: brightness), pitch: Double($0)) }
    }
  }

  @Test func framesGiveTheirMagnitudesBack() throws {
    let features = try TimbreFeatures(Self.settings)
    let samples = Self.note(pitch: 60, brightness: 0.6)
    var frames = features.frames(samples)
    let magnitudes = features.stft.magnitudes(samples)
    features.magnitudes(&frames)
    let worst = zip(frames, magnitudes).map { abs($0 - $1) / max($1, 1) }.max() ?? 1
    #expect(worst < 1e-4, "largest relative error \(worst)")
  }

  @Test func pitchComesFromTheNameOrTheSound() {
    #expect(SoundFolder.pitchFromName("/a/violin_60.wav") == 60)
    #expect(SoundFolder.pitchFromName("piano-C4-61.flac") == 61)
    #expect(SoundFolder.pitchFromName("take2_of_200.wav") == nil) // 200 is no MIDI note
    #expect(SoundFolder.pitchFromName("hello.wav") == nil)
    for pitch in [45.0, 57, 69, 76] {
      let estimate = PitchEstimator.midiNote(Self.note(pitch: pitch, brightness: 0.7, seconds: 0.5), sampleRate: Self.rate)
      #expect(estimate == pitch, "pitch \(pitch): estimated \(String(describing: estimate))")
    }
    var random = SeededRandom(seed: 3)
    let noise = (0..<8000).map { _ in random.gaussian() * 0.1 }
    #expect(PitchEstimator.midiNote(noise, sampleRate: Self.rate) == nil)
  }

  @Test func morphStartsAtTheFirstCodesAndEndsAtTheSecond() {
    let a = GradientCheck.randomTensor(rows: 5, cols: 3, seed: 1), b = GradientCheck.randomTensor(rows: 7, cols: 3, seed: 2)
    let path = TimbrePaths.morph(from: a, to: b, steps: 4)
    #expect(path.count == 4 && path.allSatisfy { $0.rows == 5 })
    #expect(path[0].values == a.values)
    #expect(path[3].row(0)[0] == b.row(0)[0] && path[3].row(4)[2] == b.row(6)[2])
  }

  /// Trained on three timbres at pitches 48...72 but every fourth, the model reconstructs the
  /// held-out pitches better than the training frames' average (rendered the same way), and a
  /// sound generated at a pitch is heard at that pitch.
  @Test func aSmallModelLearnsTimbresAcrossPitches() throws {
    let trainPitches = (48...72).filter { $0 % 4 != 1 }, heldOut = (48...72).filter { $0 % 4 == 1 }
    var options = TimbreTrainer.Options()
    options.settings = Self.settings
    options.latent = 8
    options.hidden = [128, 64]
    options.epochs = 60
    options.seed = 2
    let (trained, _, _) = try TimbreTrainer.fit(Self.sounds(pitches: trainPitches), options: options)
    let model = try TimbreModel(InferenceModel(trained))
    model.iterations = 16

    // The baseline: every frame replaced by the average training frame.
    let features = model.features
    let (frames, _) = try TimbreTrainer.frames(Self.sounds(pitches: trainPitches), features: features)
    var average = [Float](repeating: 0, count: features.bins)
    for r in 0..<frames.rows { for k in 0..<features.bins { average[k] += frames.row(r)[k] / Float(frames.rows) } }
    var ours = 0.0, baseline = 0.0
    for sound in Self.sounds(pitches: heldOut) {
      let rebuilt = try model.reconstruct(sound.samples, pitch: sound.pitch).samples
      ours += SpectralMetrics.spectralConvergence(reference: sound.samples, estimate: rebuilt)
      let count = model.frameCount(samples: sound.samples.count)
      var flat = (0..<count).flatMap { _ in average }
      features.magnitudes(&flat)
      let rendered = model.render(magnitudes: flat, frames: count, length: sound.samples.count)
      baseline += SpectralMetrics.spectralConvergence(reference: sound.samples, estimate: rendered)
    }
    #expect(ours < 0.6 * baseline, "spectral convergence: model \(ours), average frame \(baseline) (sums over held-out sounds)")

    for pitch in [53.0, 65] {
      let generated = try model.generate(seconds: 0.5, seed: 4, pitch: pitch).samples
      let heard = PitchEstimator.frequency(generated, sampleRate: Self.rate).map { 69 + 12 * log2($0 / 440) }
      #expect(heard.map { abs($0 - pitch) < 0.6 } == true, "generated at \(pitch), heard \(String(describing: heard))")
    }
  }
}
