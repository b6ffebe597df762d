import Audio
import Foundation
import Testing

@Suite struct MelFilterbankTests {
  let bank = MelFilterbank(sampleRate: 16_000, fftSize: 1024, bands: 40)

  /// One-hot magnitude rows: column k of the filters, as apply sees them.
  func weights(bin k: Int) -> [Float] {
    var row = [Float](repeating: 0, count: 513)
    row[k] = 1
    return bank.apply(row, frames: 1)
  }

  @Test func slaneyNormalisationGivesEachBandUnitArea() {
    // Slaney norm: height 2 / (f(m+2) - f(m)) over a base of that width: area 1 in Hz. Summed
    // over bins of 16000 / 1024 Hz, bands several bins wide come within a few percent of it.
    var area = [Double](repeating: 0, count: 40)
    for k in 0..<513 { for (m, w) in weights(bin: k).enumerated() { area[m] += Double(w) * 16_000 / 1024 } }
    for m in 10..<40 { #expect(abs(area[m] - 1) < 0.05, "band \(m): \(area[m])") }
  }

  @Test func bandsRiseInFrequencyOnTheSlaneyScale() {
    // The band whose weight is largest at 1 kHz: on the Slaney scale 1 kHz is mel 15 of
    // 45.245 at 8 kHz, so edges every 45.245 / 41 mel put it at band 15 / (45.245 / 41) - 1.
    let at1k = weights(bin: 64)
    let band = at1k.indices.max { at1k[$0] < at1k[$1] }!
    let expected = 15 / (45.245 / 41) - 1
    #expect(abs(Double(band) - expected) <= 1, "band \(band), expected about \(expected)")
    // Bin 0 (0 Hz) is the lower edge of band 0: no weight anywhere.
    #expect(weights(bin: 0).allSatisfy { $0 == 0 })
  }

  /// Weights from librosa 0.11.0: librosa.filters.mel(sr=16000, n_fft=1024, n_mels=40) and
  /// (sr=22050, n_fft=2048, n_mels=128, fmin=50, fmax=8000), at the middle of some bands.
  @Test func weightsMatchLibrosa() {
    let small: [(Int, Int, Float)] = [(0, 5, 0.012750936672091484), (7, 38, 0.01263380702584982), (15, 77, 0.010654374025762081),
                                      (28, 207, 0.003838692093268037), (39, 476, 0.001708810217678547)]
    for (m, k, value) in small { #expect(abs(weights(bin: k)[m] - value) < 1e-5 * value, "band \(m), bin \(k)") }
    let wide = MelFilterbank(sampleRate: 22_050, fftSize: 2048, bands: 128, minimumFrequency: 50, maximumFrequency: 8000)
    for (m, k, value) in [(0, 7, 0.039003387093544006), (64, 163, 0.02331944927573204), (127, 726, 0.005280870944261551)] as [(Int, Int, Float)] {
      var row = [Float](repeating: 0, count: 1025)
      row[k] = 1
      #expect(abs(wide.apply(row, frames: 1)[m] - value) < 1e-5 * value, "band \(m), bin \(k)")
    }
  }

  /// A spectrum made of the filters themselves (W^T c, c > 0) is in the span the least-squares
  /// inverse reproduces exactly, and non-negative, so the clipping does not touch it.
  @Test func invertingIsExactOnTheFiltersSpan() {
    let c = (0..<40).map { Float(1 + $0 % 3) }
    let spectrum = (0..<513).map { k in zip(weights(bin: k), c).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
    let back = bank.invert(bank.apply(spectrum + spectrum, frames: 2), frames: 2)
    let largest = spectrum.max()!
    #expect(Signals.maximumDifference(back, spectrum + spectrum) < 1e-3 * largest)
  }

  /// On a real spectrum the clipping at 0 moves the bands away from an exact fit: measured
  /// 16% (relative RMS) on this tone.
  @Test func invertingARealSpectrumKeepsItsBandsRoughly() throws {
    let stft = try STFT()
    let tone = Signals.harmonicTone(count: 8000)
    let frames = stft.frameCount(samples: tone.count)
    let mel = bank.apply(stft.magnitudes(tone), frames: frames)
    let back = bank.invert(mel, frames: frames)
    #expect(back.count == frames * 513 && back.allSatisfy { $0 >= 0 })
    let again = bank.apply(back, frames: frames)
    let error = zip(mel, again).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
    let total = mel.reduce(0.0) { $0 + Double($1 * $1) }
    #expect((error / total).squareRoot() < 0.2, "\((error / total).squareRoot())")
  }
}
