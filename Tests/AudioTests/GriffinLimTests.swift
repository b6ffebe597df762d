import Audio
import Foundation
import Testing

@Suite struct GriffinLimTests {
  let stft = try! STFT()
  let tone = Signals.harmonicTone(count: 16_000)

  func reconstruct(_ griffinLim: GriffinLim, phase: [Float]? = nil) -> [Float] {
    let frames = stft.frameCount(samples: tone.count)
    return griffinLim.reconstruct(magnitudes: stft.magnitudes(tone), frames: frames, stft: stft, length: tone.count, initialPhase: phase)
  }

  @Test func fastGriffinLimConvergesOnAHarmonicTone() {
    let fast = SpectralMetrics.spectralConvergence(reference: tone, estimate: reconstruct(GriffinLim(iterations: 32, momentum: 0.99)))
    let classic = SpectralMetrics.spectralConvergence(reference: tone, estimate: reconstruct(GriffinLim(iterations: 32, momentum: 0)))
    #expect(fast < 0.15, "fast: \(fast)")
    #expect(fast < classic, "fast \(fast), classic \(classic)")
  }

  @Test func theTruePhaseIsKept() {
    let frames = stft.frameCount(samples: tone.count)
    var real = [Float](repeating: 0, count: frames * stft.bins), imag = real
    tone.withUnsafeBufferPointer { stft.forward($0, real: &real, imag: &imag) }
    let phase = zip(real, imag).map { atan2($0.1, $0.0) }
    let signal = reconstruct(GriffinLim(iterations: 4), phase: phase)
    #expect(Signals.maximumDifference(signal, tone) < 1e-3)
  }

  @Test func theSeedFixesTheResult() {
    let a = reconstruct(GriffinLim(iterations: 2, seed: 5)), b = reconstruct(GriffinLim(iterations: 2, seed: 5))
    let c = reconstruct(GriffinLim(iterations: 2, seed: 6))
    #expect(a == b)
    #expect(a != c)
  }
}
