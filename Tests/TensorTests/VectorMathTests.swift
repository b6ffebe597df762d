#if canImport(Glibc)
import Glibc
#endif
import CVector
import Tensor
import Testing

@Suite struct VectorMathTests {
  @Test func expMatchesLibmToAFewUlps() {
    var worst: Float = 0
    var x: Float = -87
    while x < 88 {
      let exact = Foundation_expf(x)
      worst = max(worst, abs(VectorMath.exp(x) - exact) / exact)
      x += 0.0137
    }
    #expect(worst < 4e-7, "worst relative error \(worst)")
    #expect(VectorMath.exp(-200) < 1e-37 && VectorMath.exp(-200) >= 0)
    #expect(VectorMath.exp(0) == 1)
  }

  @Test func log1pUnitIsAccurateOnZeroToOne() {
    var worst = 0.0
    for i in 0...100_000 {
      let e = Float(i) / 100_000
      worst = max(worst, abs(Double(VectorMath.log1pUnit(e)) - Foundation_log1p(Double(e))))
    }
    #expect(worst < 1.5e-7, "worst absolute error \(worst)")
  }

  @Test func sigmoidAndTanhMatchLibm() {
    var x: Float = -30
    while x < 30 {
      let sigmoid = 1 / (1 + Foundation_exp(-Double(x)))
      #expect(abs(Double(VectorMath.sigmoid(x)) - sigmoid) <= 1e-6 * sigmoid + 1e-30)
      #expect(abs(Double(VectorMath.tanh(x)) - Foundation_tanh(Double(x))) < 2e-7)
      x += 0.0173
    }
    #expect(VectorMath.sigmoid(-200) >= 0 && VectorMath.sigmoid(200) == 1)
    #expect(VectorMath.tanh(-50) == -1 && VectorMath.tanh(50) == 1)
  }

  @Test func nonFiniteValuesAreFoundAnywhere() {
    var values = [Float](repeating: 1.5, count: 37)
    #expect(!VectorMath.containsNonFinite(values, count: values.count))
    for bad in [Float.nan, .infinity, -.infinity] {
      for position in [0, 7, 8, 31, 36] {
        values[position] = bad
        #expect(VectorMath.containsNonFinite(values, count: values.count), "\(bad) at \(position)")
        values[position] = 1.5
      }
    }
    #expect(!VectorMath.containsNonFinite([Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude], count: 2))
  }

  @Test func laneResultsEqualScalarResultsBitForBit() {
    var random = SeededRandom(seed: 1)
    for _ in 0..<1000 {
      let x = VectorMath.Lanes((0..<8).map { _ in random.uniform(-90, 90) })
      let e = VectorMath.Lanes((0..<8).map { _ in random.uniform(0, 1) })
      let ve = VectorMath.exp(x), vl = VectorMath.log1pUnit(e), vs = VectorMath.squareRoot(e)
      let vsig = VectorMath.sigmoid(x), vt = VectorMath.tanh(x)
      for lane in 0..<8 {
        #expect(vsig[lane].bitPattern == VectorMath.sigmoid(x[lane]).bitPattern)
        #expect(vt[lane].bitPattern == VectorMath.tanh(x[lane]).bitPattern)
        #expect(ve[lane].bitPattern == VectorMath.exp(x[lane]).bitPattern)
        #expect(vl[lane].bitPattern == VectorMath.log1pUnit(e[lane]).bitPattern)
        #expect(vs[lane] == e[lane].squareRoot())
      }
    }
  }

  /// The runtime's C output stage (16 lanes on AVX-512, 8 on AVX2) equals VectorMath's sigmoid and
  /// the Swift unscaling bit for bit, tails of rows included.
  @Test func cOutputStageEqualsTheSwiftSigmoid() {
    var random = SeededRandom(seed: 21)
    let rows = 7, width = 37
    var z = (0..<(rows * width)).map { _ in random.uniform(-30, 30) }
    z[0] = 0; z[1] = -0.0; z[2] = 100; z[3] = -100; z[4] = 1e-30
    z[5] = .nan; z[6] = .infinity; z[7] = -.infinity; z[rows * width - 1] = .nan // a NaN in a tail lane too
    let offset = (0..<width).map { _ in random.uniform(-2, 2) }
    let scale = (0..<width).map { _ in random.uniform(0.01, 3) }
    var plain = [Float](repeating: .nan, count: z.count), scaled = plain
    aevec_sigmoid_rows(z, &plain, rows, width, nil, nil)
    aevec_sigmoid_rows(z, &scaled, rows, width, offset, scale)
    var mismatches = 0
    for i in 0..<z.count {
      let expected = VectorMath.sigmoid(z[i]), j = i % width
      if expected.isNaN {
        // A NaN logit stays NaN (so the runtime reports it), whatever its payload.
        if !plain[i].isNaN || !scaled[i].isNaN { mismatches += 1 }
        continue
      }
      if plain[i].bitPattern != expected.bitPattern { mismatches += 1 }
      if scaled[i].bitPattern != (expected / scale[j] + offset[j]).bitPattern { mismatches += 1 }
    }
    #expect(mismatches == 0)
  }

  /// Griffin-Lim's update in C (AVX2 where the CPU has it) equals the plain formula bit for
  /// bit, the tail past the last 8 bins included; where u is exactly 0 the result is 0, not NaN.
  @Test func cGriffinLimUpdateEqualsThePlainFormula() {
    var random = SeededRandom(seed: 22)
    for bins in [513, 7, 8] {
      let rebuilt = (0..<(2 * bins)).map { _ in random.uniform(-50, 50) }
      let magnitude = (0..<bins).map { k in k == 1 ? 10 : random.uniform(0, 20) }
      var previous = (0..<(2 * bins)).map { _ in random.uniform(-50, 50) }
      previous[2] = rebuilt[2] / 0.5; previous[3] = rebuilt[3] / 0.5 // bin 1: u = 0 exactly with decay 0.5
      let decay: Float = 0.5
      var spectrum = [Float](repeating: .nan, count: 2 * bins), after = previous
      aevec_griffin_lim_update(&spectrum, &after, rebuilt, magnitude, decay, bins)
      var mismatches = 0
      for k in 0..<bins {
        let ur = rebuilt[2 * k] - decay * previous[2 * k], ui = rebuilt[2 * k + 1] - decay * previous[2 * k + 1]
        let inverse = 1 / ((ur * ur + ui * ui).squareRoot() + Float.leastNormalMagnitude)
        if spectrum[2 * k].bitPattern != (magnitude[k] * (ur * inverse)).bitPattern { mismatches += 1 }
        if spectrum[2 * k + 1].bitPattern != (magnitude[k] * (ui * inverse)).bitPattern { mismatches += 1 }
      }
      #expect(mismatches == 0, "\(bins) bins")
      #expect(after == rebuilt, "\(bins) bins: previous becomes the rebuilt spectrum")
      #expect(spectrum[2] == 0 && spectrum[3] == 0, "\(bins) bins: u = 0 gives 0, not \(spectrum[2])")
    }
  }
}

func Foundation_expf(_ x: Float) -> Float { expf(x) }
func Foundation_log1p(_ x: Double) -> Double { log1p(x) }
func Foundation_exp(_ x: Double) -> Double { exp(x) }
func Foundation_tanh(_ x: Double) -> Double { tanh(x) }
