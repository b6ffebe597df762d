import Audio
import AudioTraining
import Foundation
import Models
import Testing

/// Mel frames for timbre models: each band the weighted mean of |X| under its triangle, back
/// to bins by cubic interpolation in mel; settings that cannot work refused; and a small
/// model on mel frames that reconstructs held-out notes better than the average frame.
@Suite struct MelFramesTests {
  /// A smooth spectral envelope (a tilt and a slow ripple, far from the floor).
  static func envelope(_ hertz: Double) -> Float { Float(exp(-hertz / 2500) * (1 + 0.5 * sin(2 * Double.pi * hertz / 3000)) + 0.02) }

  /// A flat spectrum gives every band its level: the filters are normalised to unit sum.
  @Test func aFlatSpectrumGivesEveryBandItsLevel() {
    for (bands, fftSize) in [(80, 1024), (128, 1024), (512, 1024), (40, 256)] {
      let mel = MelFrames(sampleRate: 16_000, fftSize: fftSize, bands: bands)
      let flat = [Float](repeating: 0.7, count: mel.bins)
      var out = [Float](repeating: 0, count: bands)
      mel.bandMeans(magnitudes: flat, into: &out)
      #expect(out.allSatisfy { abs($0 - 0.7) < 1e-5 }, "\(bands) bands on an FFT of \(fftSize)")
    }
  }

  /// A smooth spectrum comes back from its mel frame within 3 % per bin (ln within 0.03)
  /// at 80 and 128 bands, through the model's own path (log, interpolation, exp, floor).
  @Test(arguments: [80, 128])
  func aSmoothSpectrumComesBack(bands: Int) throws {
    let settings = SpectrogramSettings(sampleRate: 16_000, fftSize: 1024, hop: 256, mels: bands)
    let features = try TimbreFeatures(settings)
    let mel = try #require(features.mel)
    let magnitudes = (0..<features.bins).map { Self.envelope(16_000 * Double($0) / 1024) }
    var frame = [Float](repeating: 0, count: bands)
    mel.bandMeans(magnitudes: magnitudes, into: &frame)
    for m in frame.indices { frame[m] = logf(frame[m] + settings.floor) }
    var back = [Float](repeating: 0, count: features.bins)
    features.magnitudes(frame: frame, pitch: .nan, into: &back)
    let worst = zip(back, magnitudes).map { abs(logf($0) - logf($1)) }.max() ?? 1
    #expect(worst < 0.03, "\(bands) bands: largest |ln error| \(worst)")
  }

  /// Sound to mel frames: a sine's energy lands in the bands around its frequency, and the
  /// frames have `mels` values each.
  @Test func aSineLightsItsBand() throws {
    let settings = SpectrogramSettings(sampleRate: 16_000, fftSize: 1024, hop: 256, mels: 64)
    let features = try TimbreFeatures(settings)
    let samples = (0..<8000).map { Float(0.5 * sin(2 * Double.pi * 2000 * Double($0) / 16_000)) }
    let rows = try features.networkFrames(samples, pitch: nil)
    #expect(features.width == 64 && rows.count == features.stft.frameCount(samples: 8000) * 64)
    let row = Array(rows[(10 * 64)..<(11 * 64)])
    let loudest = row.indices.max { row[$0] < row[$1] }!
    // The band whose centre is nearest 2 kHz on the Slaney scale (15 + ln(2) / (ln(6.4) / 27) mels).
    let step = (15 + log(8.0) / (log(6.4) / 27)) / 65, expected = Int(((15 + log(2.0) / (log(6.4) / 27)) / step - 1).rounded())
    #expect(abs(loudest - expected) <= 1, "loudest band \(loudest), expected about \(expected)")
  }

  @Test func settingsOnTheMelAxisAreCheckedAndReadOlderFiles() throws {
    let older = #"{"sampleRate":16000,"fftSize":1024,"hop":256,"floor":0.0001,"framesPerRow":1}"#
    let settings = try JSONDecoder().decode(SpectrogramSettings.self, from: Data(older.utf8))
    #expect(settings.window == "hann" && settings.mels == 0 && settings.axis == .bins && settings.formatVersion == 1)
    let mel = SpectrogramSettings(window: .hamming, condition: "pitch", mels: 128)
    #expect(mel.problems().isEmpty && mel.axis == .mel && mel.rowWidth == 128 && mel.formatVersion == 2)
    #expect(try JSONDecoder().decode(SpectrogramSettings.self, from: try JSONEncoder().encode(mel)) == mel)
    var crafted = mel
    crafted.mels = 600
    #expect(crafted.problems() == ["mel bands are 0...512, not 600"])
    crafted.mels = -1
    #expect(crafted.problems() == ["mel bands are 0...512, not -1"])
    crafted = SpectrogramSettings(fftSize: 256, hop: 64, mels: 200)
    #expect(crafted.problems() == ["200 mel bands are more than the STFT's 129 bins; use at most 129 or a larger FFT size"])
    crafted = mel
    crafted.harmonics = 16
    #expect(crafted.problems() == ["a frame is on the mel axis (mels 128) or the harmonic axis (harmonics 16), not both"])
    crafted = mel
    crafted.window = "kaiser"
    #expect(crafted.problems() == ["unknown window 'kaiser' (known: hann, hamming, blackman)"])
    #expect(throws: AudioError.self) { try TimbreFeatures(crafted) }
  }

  /// A small pitch-conditioned model on 96 mel bands (of 129 bins; Hamming window)
  /// reconstructs the held-out pitches clearly better than the average training frame does
  /// (sums of spectral convergence over the 18 sounds: 12.0 against 17.7 on x86-64).
  @Test func aSmallMelModelBeatsTheAverageFrame() throws {
    let settings = SpectrogramSettings(sampleRate: TimbreTests.rate, fftSize: 256, hop: 64, window: .hamming,
                                       condition: "pitch", mels: 96)
    let model = try TimbreTests.smallModel(settings)
    #expect(model.features.width == 96 && model.runtime.inputWidth == 96)
    let scores = try TimbreTests.heldOutConvergence(model)
    #expect(scores.model < 0.75 * scores.averageFrame,
            "spectral convergence: mel model \(scores.model), average frame \(scores.averageFrame) (sums over held-out sounds)")
  }
}
