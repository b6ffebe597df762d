import Audio
import Foundation
import Testing

@Suite struct StreamingPhaseTests {
  /// Phases from magnitudes alone, frame by frame, for a steady sine between two bins.
  @Test func aSteadySineComesBackClose() throws {
    let stft = try STFT()
    let sine = Signals.sine(443.7, rate: 16_000, count: 32_000)
    let frames = stft.frameCount(samples: sine.count), bins = stft.bins
    let magnitudes = stft.magnitudes(sine)
    var phases = [Float](repeating: 0, count: frames * bins)
    var streaming = StreamingPhase(bins: bins, hop: stft.hop, fftSize: stft.fftSize)
    magnitudes.withUnsafeBufferPointer { m in
      phases.withUnsafeMutableBufferPointer { p in
        for t in 0..<frames { streaming.next(magnitudes: m.baseAddress! + t * bins, phase: p.baseAddress! + t * bins) }
      }
    }
    let real = zip(magnitudes, phases).map { $0 * cos($1) }, imag = zip(magnitudes, phases).map { $0 * sin($1) }
    var signal = [Float](repeating: 0, count: sine.count)
    stft.inverse(real: real, imag: imag, frames: frames, length: sine.count, into: &signal)
    let convergence = SpectralMetrics.spectralConvergence(reference: sine, estimate: signal)
    #expect(convergence < 0.2, "\(convergence)")
    // Without locking and frequency estimates (each bin at its centre frequency) it is far worse.
  }

  @Test func silenceAdvancesEachBinAtItsCentreFrequency() {
    var streaming = StreamingPhase(bins: 5, hop: 2, fftSize: 8)
    let zeros = [Float](repeating: 0, count: 5)
    var phase = [Float](repeating: 9, count: 5)
    streaming.next(magnitudes: zeros, phase: &phase)
    // Bin k advances by 2 pi k hop / fftSize = k pi / 2, wrapped to [-pi, pi).
    let expected: [Float] = [0, .pi / 2, -.pi, -.pi / 2, 0]
    #expect(zip(phase, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(phase)")
  }
}
