import Audio
import Foundation
import Models
import Testing
import Tensor
import TestSupport

@Suite struct STFTTests {
  func noise(_ count: Int, seed: UInt64 = 1) -> [Float] {
    var random = SeededRandom(seed: seed)
    return (0..<count).map { _ in random.uniform(-0.5, 0.5) }
  }

  func spectrum(_ stft: STFT, _ signal: [Float]) -> (real: [Float], imag: [Float], frames: Int) {
    let frames = stft.frameCount(samples: signal.count)
    var real = [Float](repeating: 0, count: frames * stft.bins), imag = real
    signal.withUnsafeBufferPointer { stft.forward($0, real: &real, imag: &imag) }
    return (real, imag, frames)
  }

  func inverse(_ stft: STFT, _ real: [Float], _ imag: [Float], frames: Int, length: Int) -> [Float] {
    var out = [Float](repeating: .nan, count: length)
    stft.inverse(real: real, imag: imag, frames: frames, length: length, into: &out)
    return out
  }

  /// The inverse undoes the forward transform with every window (its window-sum-square
  /// normalisation follows the window).
  @Test(arguments: SpectralWindow.allCases, [(1024, 256), (512, 128), (2048, 512), (256, 64)])
  func inverseGivesTheSignalBack(window: SpectralWindow, sizes: (Int, Int)) throws {
    let (fftSize, hop) = sizes
    let stft = try STFT(fftSize: fftSize, hop: hop, window: window)
    let signal = noise(16_037)
    let (real, imag, frames) = spectrum(stft, signal)
    #expect(frames == 1 + 16_037 / hop)
    let back = inverse(stft, real, imag, frames: frames, length: signal.count)
    #expect(Signals.maximumDifference(back, signal) < 1e-5)
    // A longer length than the frames cover: the rest is silence.
    let longer = inverse(stft, real, imag, frames: frames, length: signal.count + 3 * fftSize)
    #expect(longer.suffix(fftSize).allSatisfy { $0 == 0 })
  }

  @Test func sinePeaksAtItsBin() throws {
    let stft = try STFT()
    let magnitudes = stft.magnitudes(Signals.sine(1000, rate: 16_000, count: 16_000, amplitude: 0.5))
    let frames = stft.frameCount(samples: 16_000)
    #expect(magnitudes.count == frames * 513)
    let middle = Array(magnitudes[(30 * 513)..<(31 * 513)])
    #expect(middle.indices.max { middle[$0] < middle[$1] } == 64) // 1000 Hz * 1024 / 16000
    // A unit sine through a periodic Hann window of N: peak |X| = N / 4 per unit amplitude.
    #expect(abs(middle[64] - 0.5 * 1024 / 4) < 0.01 * 128)
  }

  /// The periodic windows as scipy.signal.get_window(name, n, fftbins=True) defines them
  /// (librosa.stft's window=name), written out here apart from the library's table.
  static func librosaWindow(_ window: SpectralWindow, _ i: Int, _ n: Int) -> Double {
    let x = 2 * Double.pi * Double(i) / Double(n)
    switch window {
    case .hann: return 0.5 - 0.5 * cos(x)
    case .hamming: return 0.54 - 0.46 * cos(x)
    case .blackman: return 0.42 - 0.5 * cos(x) + 0.08 * cos(2 * x)
    }
  }

  /// Frame t against a plain DFT of the windowed, zero-padded samples, computed here in
  /// Double; and Parseval's identity for that frame.
  @Test(arguments: SpectralWindow.allCases)
  func oneFrameMatchesAPlainDFT(window kind: SpectralWindow) throws {
    let n = 512, hop = 128, t = 3
    let stft = try STFT(fftSize: n, hop: hop, window: kind)
    let signal = noise(2000, seed: 7)
    let (real, imag, _) = spectrum(stft, signal)
    var framed = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let index = t * hop + i - n / 2
      let window = Self.librosaWindow(kind, i, n)
      framed[i] = index >= 0 && index < signal.count ? Double(signal[index]) * window : 0
    }
    var energy = 0.0, largestError = 0.0
    for k in 0...(n / 2) {
      var re = 0.0, im = 0.0
      for i in 0..<n {
        re += framed[i] * cos(2 * Double.pi * Double(k * i) / Double(n))
        im -= framed[i] * sin(2 * Double.pi * Double(k * i) / Double(n))
      }
      largestError = max(largestError, abs(re - Double(real[t * 257 + k])), abs(im - Double(imag[t * 257 + k])))
      let power = Double(real[t * 257 + k]) * Double(real[t * 257 + k]) + Double(imag[t * 257 + k]) * Double(imag[t * 257 + k])
      energy += (k == 0 || k == n / 2 ? 1 : 2) * power
    }
    #expect(largestError < 1e-4)
    let timeEnergy = framed.reduce(0) { $0 + $1 * $1 }
    #expect(abs(energy / Double(n) - timeEnergy) < 1e-5 * timeEnergy)
  }

  /// A cosine on bin k0 through a periodic cosine-sum window w(i) = a0 - a1 cos(x) + a2 cos(2x)
  /// (x = 2 pi i / n) has, in closed form, |X(k0)| = A a0 n / 2, |X(k0 +- j)| = A a_j n / 4
  /// for j = 1, 2, and nothing further out: the window's cosines are its only leakage.
  /// Hamming (0.54, 0.46) and Blackman (0.42, 0.5, 0.08) as librosa defines them.
  @Test(arguments: [(SpectralWindow.hamming, [0.54, 0.46, 0]), (.blackman, [0.42, 0.5, 0.08]), (.hann, [0.5, 0.5, 0])])
  func aBinCentredCosineLeaksAsTheWindowSays(window: SpectralWindow, coefficients a: [Double]) throws {
    let n = 1024, k0 = 100, amplitude = 0.25
    let stft = try STFT(fftSize: n, hop: 256, window: window)
    let signal = (0..<8192).map { Float(amplitude * cos(2 * Double.pi * Double(k0 * $0) / Double(n) + 0.3)) }
    let magnitudes = stft.magnitudes(signal), t = 10 // a frame inside the signal
    let peak = amplitude * a[0] * Double(n) / 2
    for k in (k0 - 4)...(k0 + 4) {
      let distance = abs(k - k0)
      let expected = distance == 0 ? peak : distance <= 2 ? amplitude * a[distance] * Double(n) / 4 : 0
      let found = Double(magnitudes[t * stft.bins + k])
      #expect(abs(found - expected) < 1e-4 * peak, "\(window) bin \(k): \(found), closed form \(expected)")
    }
  }

  @Test func badSizesAreRefused() {
    #expect(throws: AudioError.self) { try STFT(fftSize: 1023, hop: 256) }
    #expect(throws: AudioError.self) { try STFT(fftSize: 1024, hop: 0) }
    #expect(throws: AudioError.self) { try STFT(fftSize: 1024, hop: 2048) }
  }

  @Test func oneSTFTServesSeveralThreads() async throws {
    let stft = try STFT()
    let signals = (0..<4).map { noise(8000, seed: UInt64($0)) }
    let expected = signals.map { stft.magnitudes($0) }
    let results = await withTaskGroup(of: (Int, [Float]).self) { group in
      for (i, signal) in signals.enumerated() { group.addTask { (i, stft.magnitudes(signal)) } }
      var results = [[Float]](repeating: [], count: signals.count)
      for await (i, magnitudes) in group { results[i] = magnitudes }
      return results
    }
    #expect(results == expected) // the same plan on the same data, bit for bit
  }
}
