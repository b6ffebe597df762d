import Audio
import AudioFiles
import Music
import Tensor

/// Notes played with a learned timbre (`ae music ... --timbre timbre.h5`): each note is the
/// timbre model's sound at the note's pitch for one code held for the note's length (the
/// timbre), shaped by an ADSR envelope, and resampled to the output's rate. The code is one
/// seeded draw from the model's prior, so every note of a file has the same instrument.
struct TimbreNoteRenderer: NoteRenderer {
  let model: TimbreModel
  let code: [Float]
  var envelope = Envelope(attack: 0.01, decay: 0.1, sustain: 0.8, release: 0.15)
  /// The first failure (a note the model cannot play); the rest of the notes are skipped.
  private(set) var failure: Error?

  init(model: TimbreModel, seed: UInt64) throws {
    guard model.takesPitch else {
      throw CommandError("--timbre: the model plays no pitch (train it with --condition pitch)")
    }
    self.model = model
    var random = SeededRandom(seed: seed, stream: 0x7114B)
    code = (0..<model.latentWidth).map { _ in random.gaussian() }
  }

  mutating func render(pitch: Int, velocity: Float, seconds: Double, sampleRate: Int) -> [Float] {
    guard failure == nil else { return [] }
    do {
      let total = seconds + envelope.release
      let length = Int((total * Double(model.sampleRate)).rounded(.up))
      let frames = model.frameCount(samples: length)
      let codes = Tensor(rows: frames, cols: model.latentWidth)
      for t in 0..<frames { (codes.data + t * model.latentWidth).update(from: code, count: code.count) }
      let magnitudes = try model.magnitudes(codes, pitches: [Double(pitch)])
      var sound = model.render(magnitudes: magnitudes, frames: frames, length: length)
      let peak = sound.reduce(Float(0)) { max($0, abs($1)) }
      let level = 0.5 * max(0, min(velocity, 1)) / max(peak, 1e-9)
      for i in sound.indices {
        sound[i] *= level * envelope.level(at: Double(i) / Double(model.sampleRate), held: seconds)
      }
      return sampleRate == model.sampleRate
        ? sound : try Resampler.resample(sound, channels: 1, from: model.sampleRate, to: sampleRate)
    } catch {
      failure = error
      return []
    }
  }
}
