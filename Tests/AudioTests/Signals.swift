import Foundation

/// Test signals and plain reference computations, independent of the code under test.
enum Signals {
  /// A sine of `frequency` Hz and `amplitude`, `count` samples at `rate`.
  static func sine(_ frequency: Double, rate: Int, count: Int, amplitude: Double = 0.5) -> [Float] {
    (0..<count).map { Float(amplitude * sin(2 * Double.pi * frequency * Double($0) / Double(rate))) }
  }

  /// A tone of `harmonics` harmonics of `fundamental` Hz, the k-th at amplitude 0.4 / k.
  static func harmonicTone(_ fundamental: Double = 220, harmonics: Int = 8, rate: Int = 16_000, count: Int) -> [Float] {
    (0..<count).map { n in
      let t = Double(n) / Double(rate)
      var value = 0.0
      for k in 1...harmonics {
        let h = Double(k)
        value += 0.4 / h * sin(2 * Double.pi * fundamental * h * t + h)
      }
      return Float(value)
    }
  }

  /// The amplitude of the component at `frequency` Hz: |sum x[n] e^(-2 pi i f n / rate)| * 2 / N,
  /// over a whole number of periods when the caller chooses N so.
  static func amplitude(of signal: [Float], at frequency: Double, rate: Int) -> Double {
    var re = 0.0, im = 0.0
    for (n, x) in signal.enumerated() {
      let angle = 2 * Double.pi * frequency * Double(n) / Double(rate)
      re += Double(x) * cos(angle)
      im -= Double(x) * sin(angle)
    }
    return (re * re + im * im).squareRoot() * 2 / Double(signal.count)
  }

  static func maximumDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
  }
}
