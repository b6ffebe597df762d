import Audio
import AudioFiles
import AudioTraining
import Foundation
import Models
import Runtime
import Tensor
import TestSupport
import Testing

/// Timbre models: frames made and undone (on the bins and on the harmonic axis), settings read
/// and refused, pitch from names and from the sound, and a small model trained on synthesized
/// notes that reconstructs held-out pitches better than the average frame and than the same
/// model on bins, and generates at the pitch it is asked for.
@Suite struct TimbreTests {
  static let rate = 8000
  static let settings = SpectrogramSettings(sampleRate: rate, fftSize: 256, hop: 64, condition: "pitch")
  /// The same on the harmonic axis: 16 harmonics of 16 points.
  static let harmonicSettings = SpectrogramSettings(sampleRate: rate, fftSize: 256, hop: 64, condition: "pitch",
                                                    harmonics: 16, pointsPerHarmonic: 16)

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

  /// On the harmonic axis harmonic h of any pitch sits at row h * points, and the frames come
  /// back to nearly the STFT's magnitudes (those beyond the last harmonic are lost).
  @Test func harmonicAxisFollowsThePitchAndGivesTheSpectrumBack() throws {
    let features = try TimbreFeatures(Self.harmonicSettings)
    #expect(features.width == 256)
    for pitch in [50.0, 57.5, 66] {
      let samples = Self.note(pitch: pitch, brightness: 0.6)
      let rows = try features.networkFrames(samples, pitch: pitch)
      let magnitudes = features.stft.magnitudes(samples), bins = features.bins
      let frames = magnitudes.count / bins
      #expect(rows.count == frames * 256)
      let t = frames / 2, row = Array(rows[(t * 256)..<((t + 1) * 256)])
      let binHertz = Double(Self.rate) / 256, f0 = TimbreFeatures.fundamental(midi: pitch)
      for h in 1...3 {
        // The harmonic's row holds its peak (the loudest bin near it), and half a harmonic on
        // the level falls by far.
        let centre = Int((Double(h) * f0 / binHertz).rounded())
        let peak = logf(magnitudes[(t * bins + centre - 1)...(t * bins + centre + 1)].max()! + 1e-4)
        #expect(abs(row[h * 16] - peak) < 0.5, "pitch \(pitch), harmonic \(h): row \(row[h * 16]), peak \(peak)")
        #expect(row[h * 16 + 8] < peak - 3, "pitch \(pitch): half a harmonic above harmonic \(h) is not quieter")
      }
      let back = features.magnitudes(networkFrames: rows, pitches: [pitch])
      var error = 0.0, total = 0.0
      for i in 0..<magnitudes.count where Double(i % bins) * binHertz < 15.5 * f0 {
        error += Double((back[i] - magnitudes[i]) * (back[i] - magnitudes[i]))
        total += Double(magnitudes[i] * magnitudes[i])
      }
      #expect((error / total).squareRoot() < 0.1, "pitch \(pitch): spectral convergence \((error / total).squareRoot())")
    }
    #expect(throws: AudioError.self) { try features.networkFrames(Self.note(pitch: 60, brightness: 0.5), pitch: nil) }
    // An unusable pitch on the real-time path gives silence, never a trap.
    var frame = [Float](repeating: 1, count: 256), out = [Float](repeating: 7, count: features.bins)
    features.magnitudes(frame: &frame, pitch: .nan, into: &out)
    #expect(out.allSatisfy { $0 == 0 })
  }

  @Test func settingsReadOlderFilesAndRefuseCraftedOnes() throws {
    let older = #"{"sampleRate":16000,"fftSize":1024,"hop":256,"floor":0.0001,"framesPerRow":1,"condition":"pitch"}"#
    let settings = try JSONDecoder().decode(SpectrogramSettings.self, from: Data(older.utf8))
    #expect(settings.harmonics == 0 && settings.rowWidth == 513 && settings.problems().isEmpty)
    let stored = try JSONDecoder().decode(SpectrogramSettings.self, from: try JSONEncoder().encode(Self.harmonicSettings))
    #expect(stored == Self.harmonicSettings && stored.rowWidth == 256)
    var crafted = Self.harmonicSettings
    crafted.condition = nil
    #expect(crafted.problems() == ["the harmonic axis follows the pitch, so it needs the pitch condition"])
    crafted = Self.harmonicSettings
    crafted.pointsPerHarmonic = 0
    #expect(crafted.problems().count == 1)
    crafted.pointsPerHarmonic = 1024
    crafted.harmonics = 1024
    #expect(crafted.problems().count == 1)
    crafted.harmonics = -1
    #expect(crafted.problems().count == 1)
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

  static let trainPitches = (48...72).filter { $0 % 4 != 1 }
  static let heldOutPitches = (48...72).filter { $0 % 4 == 1 }

  /// A small model on three timbres at pitches 48...72 but every fourth.
  static func smallModel(_ settings: SpectrogramSettings) throws -> TimbreModel {
    var options = TimbreTrainer.Options()
    options.settings = settings
    options.latent = 8
    options.hidden = [128, 64]
    options.epochs = 60
    options.seed = 2
    let (trained, _, _) = try TimbreTrainer.fit(sounds(pitches: trainPitches), options: options)
    let model = try TimbreModel(InferenceModel(trained))
    model.iterations = 16
    return model
  }

  /// Spectral convergence summed over the held-out sounds: of the model's reconstructions,
  /// and of every frame replaced by the average training frame (rendered the same way).
  static func heldOutConvergence(_ model: TimbreModel) throws -> (model: Double, averageFrame: Double) {
    let features = try TimbreFeatures(settings)
    let (frames, _) = try TimbreTrainer.frames(sounds(pitches: trainPitches), features: features)
    var average = [Float](repeating: 0, count: features.bins)
    for r in 0..<frames.rows { for k in 0..<features.bins { average[k] += frames.row(r)[k] / Float(frames.rows) } }
    var ours = 0.0, baseline = 0.0
    for sound in sounds(pitches: heldOutPitches) {
      let rebuilt = try model.reconstruct(sound.samples, pitch: sound.pitch).samples
      ours += SpectralMetrics.spectralConvergence(reference: sound.samples, estimate: rebuilt)
      let count = model.frameCount(samples: sound.samples.count)
      var flat = (0..<count).flatMap { _ in average }
      features.magnitudes(&flat)
      let rendered = model.render(magnitudes: flat, frames: count, length: sound.samples.count)
      baseline += SpectralMetrics.spectralConvergence(reference: sound.samples, estimate: rendered)
    }
    return (ours, baseline)
  }

  /// On the harmonic axis the model reconstructs the held-out pitches far better than the
  /// average frame and than the same model on the STFT's bins (which places harmonics only
  /// where training pitches put them), and a sound generated at a pitch is heard at it.
  @Test func aSmallModelLearnsTimbresAcrossPitches() throws {
    let model = try Self.smallModel(Self.harmonicSettings)
    let harmonic = try Self.heldOutConvergence(model)
    let bins = try Self.heldOutConvergence(Self.smallModel(Self.settings))
    #expect(harmonic.model < 0.5 * harmonic.averageFrame && harmonic.model < 0.65 * bins.model,
            "spectral convergence: harmonic axis \(harmonic.model), bins \(bins.model), average frame \(harmonic.averageFrame) (sums over held-out sounds)")

    for pitch in [53.0, 65] {
      let generated = try model.generate(seconds: 0.5, seed: 4, pitch: pitch).samples
      let heard = PitchEstimator.frequency(generated, sampleRate: Self.rate).map { 69 + 12 * log2($0 / 440) }
      #expect(heard.map { abs($0 - pitch) < 0.6 } == true, "generated at \(pitch), heard \(String(describing: heard))")
    }
  }
}
