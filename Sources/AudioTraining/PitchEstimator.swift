#if canImport(Glibc)
import Glibc
#endif

/// A sound's pitch when its name does not give one: YIN's cumulative mean normalized
/// difference (de Cheveigne and Kawahara, 2002) on the loudest 2048 samples, 50 Hz to 2 kHz.
public enum PitchEstimator {
  /// The fundamental frequency in Hz, nil when no period is clear (noise, silence).
  public static func frequency(_ samples: [Float], sampleRate: Int) -> Double? {
    let window = 2048, maxLag = sampleRate / 50, minLag = max(2, sampleRate / 2000)
    guard samples.count >= window + maxLag, maxLag > minLag else { return nil }
    // The loudest stretch: where the note is steady, not its attack or its tail.
    var best = 0, bestEnergy = -1.0, energy = 0.0
    for i in 0..<window { energy += Double(samples[i] * samples[i]) }
    let hop = 256
    var start = 0
    while start + window + maxLag <= samples.count {
      if energy > bestEnergy { bestEnergy = energy; best = start }
      for i in start..<(start + hop) where i + window < samples.count {
        energy += Double(samples[i + window] * samples[i + window]) - Double(samples[i] * samples[i])
      }
      start += hop
    }
    guard bestEnergy > 1e-6 else { return nil }
    var difference = [Double](repeating: 0, count: maxLag + 1)
    for lag in 1...maxLag {
      var sum = 0.0
      for i in best..<(best + window) {
        let d = Double(samples[i] - samples[i + lag])
        sum += d * d
      }
      difference[lag] = sum
    }
    var running = 0.0
    var normalized = [Double](repeating: 1, count: maxLag + 1)
    for lag in 1...maxLag {
      running += difference[lag]
      normalized[lag] = running > 0 ? difference[lag] * Double(lag) / running : 1
    }
    // The first dip under the threshold, followed to its bottom.
    var lag = minLag
    while lag < maxLag && normalized[lag] >= 0.15 { lag += 1 }
    guard lag < maxLag else { return nil }
    while lag + 1 < maxLag && normalized[lag + 1] < normalized[lag] { lag += 1 }
    // Parabolic interpolation between neighbouring lags.
    let a = normalized[lag - 1], b = normalized[lag], c = normalized[lag + 1]
    let shift = (a - 2 * b + c) != 0 ? 0.5 * (a - c) / (a - 2 * b + c) : 0
    return Double(sampleRate) / (Double(lag) + max(-1, min(1, shift)))
  }

  /// The nearest MIDI note number, nil when no pitch is found.
  public static func midiNote(_ samples: [Float], sampleRate: Int) -> Double? {
    guard let f = frequency(samples, sampleRate: sampleRate) else { return nil }
    let note = (69 + 12 * log2(f / 440)).rounded()
    return (0...127).contains(note) ? note : nil
  }
}
