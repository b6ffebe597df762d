import Audio
import Foundation
import Testing
import Tensor
import TestSupport

@Suite struct SpectralMetricsTests {
  let noise: [Float] = {
    var random = SeededRandom(seed: 11)
    return (0..<16_000).map { _ in random.uniform(-0.3, 0.3) }
  }()

  @Test func identicalSignalsAreAtZero() {
    #expect(SpectralMetrics.logSpectralDistance(reference: noise, estimate: noise) == 0)
    #expect(SpectralMetrics.spectralConvergence(reference: noise, estimate: noise) == 0)
    #expect(SpectralMetrics.multiResolutionSTFT(reference: noise, estimate: noise) == 0)
  }

  @Test func doublingTheSignal() {
    let doubled = noise.map { 2 * $0 }
    // |2X| - |X| = |X|: spectral convergence 1 (up to float rounding).
    #expect(abs(SpectralMetrics.spectralConvergence(reference: noise, estimate: doubled) - 1) < 1e-6)
    // Every bin of broadband noise is far above the -80 dB floor: 20 log10(2) dB everywhere.
    #expect(abs(SpectralMetrics.logSpectralDistance(reference: noise, estimate: doubled) - 20 * log10(2)) < 1e-3)
    // Each resolution: SC 1 plus |ln 2| per bin.
    #expect(abs(SpectralMetrics.multiResolutionSTFT(reference: noise, estimate: doubled) - (1 + log(2))) < 1e-3)
  }

  @Test func multiResolutionIsSymmetricIshAndOrdered() {
    var random = SeededRandom(seed: 12)
    let slightly = noise.map { $0 + random.uniform(-0.01, 0.01) }, heavily = noise.map { $0 + random.uniform(-0.2, 0.2) }
    let forward = SpectralMetrics.multiResolutionSTFT(reference: noise, estimate: heavily)
    let backward = SpectralMetrics.multiResolutionSTFT(reference: heavily, estimate: noise)
    #expect(abs(forward - backward) < 0.5 * max(forward, backward), "\(forward) vs \(backward)")
    #expect(SpectralMetrics.multiResolutionSTFT(reference: noise, estimate: slightly) < forward)
  }

  @Test func theLongerSignalIsCut() {
    let longer = noise + [Float](repeating: 0.9, count: 5000)
    #expect(SpectralMetrics.spectralConvergence(reference: noise, estimate: longer) == 0)
    #expect(SpectralMetrics.logSpectralDistance(reference: longer, estimate: noise) == 0)
  }

  /// LSD's -80 dB floor: a tone against a copy whose quiet bins are 6 dB up differs only where
  /// the copy is above the floor.
  @Test func logSpectralDistanceAgreesWithAPlainComputation() throws {
    let tone = Signals.harmonicTone(count: 8000), other = Signals.harmonicTone(330, harmonics: 3, count: 8000)
    let stft = try STFT()
    let s = stft.magnitudes(tone), e = stft.magnitudes(other)
    let decibels = { (m: Float) -> Double in 20 * log10(max(Double(m), 1e-5)) }
    let floor = s.map(decibels).max()! - 80
    var total = 0.0
    let frames = stft.frameCount(samples: 8000)
    for t in 0..<frames {
      let squares = (0..<513).reduce(0.0) {
        let d = max(decibels(s[t * 513 + $1]), floor) - max(decibels(e[t * 513 + $1]), floor)
        return $0 + d * d
      }
      total += (squares / 513).squareRoot()
    }
    #expect(abs(SpectralMetrics.logSpectralDistance(reference: tone, estimate: other) - total / Double(frames)) < 1e-9 * total)
  }
}
