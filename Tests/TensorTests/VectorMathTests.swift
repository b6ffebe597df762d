#if canImport(Glibc)
import Glibc
#endif
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

  @Test func laneResultsEqualScalarResultsBitForBit() {
    var random = SeededRandom(seed: 1)
    for _ in 0..<1000 {
      let x = VectorMath.Lanes((0..<8).map { _ in random.uniform(-90, 90) })
      let e = VectorMath.Lanes((0..<8).map { _ in random.uniform(0, 1) })
      let ve = VectorMath.exp(x), vl = VectorMath.log1pUnit(e), vs = VectorMath.squareRoot(e)
      for lane in 0..<8 {
        #expect(ve[lane].bitPattern == VectorMath.exp(x[lane]).bitPattern)
        #expect(vl[lane].bitPattern == VectorMath.log1pUnit(e[lane]).bitPattern)
        #expect(vs[lane] == e[lane].squareRoot())
      }
    }
  }
}

func Foundation_expf(_ x: Float) -> Float { expf(x) }
func Foundation_log1p(_ x: Double) -> Double { log1p(x) }
