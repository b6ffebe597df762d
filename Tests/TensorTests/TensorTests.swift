import Testing
import Tensor

@Suite struct BLASTests {
  /// Naive row-major product of op(a) (m x k) and op(b) (k x n), in Double.
  func naive(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, ta: Bool, tb: Bool) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var s = 0.0
        for p in 0..<k {
          let av = ta ? a[p * m + i] : a[i * k + p]
          let bv = tb ? b[j * k + p] : b[p * n + j]
          s += Double(av) * Double(bv)
        }
        c[i * n + j] = s
      }
    }
    return c
  }

  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func gemmMatchesNaiveProduct(ta: Bool, tb: Bool) {
    let m = 7, n = 5, k = 9
    var random = SeededRandom(seed: 3)
    let a = (0..<(m * k)).map { _ in random.uniform(-1, 1) }
    let b = (0..<(k * n)).map { _ in random.uniform(-1, 1) }
    var c = [Float](repeating: 0.5, count: m * n)
    BLAS.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 2, a: a, lda: ta ? m : k,
              b: b, ldb: tb ? k : n, beta: 1, c: &c, ldc: n)
    let expected = naive(a, b, m: m, n: n, k: k, ta: ta, tb: tb)
    for i in 0..<(m * n) {
      #expect(abs(Double(c[i]) - (2 * expected[i] + 0.5)) < 1e-4, "element \(i)")
    }
  }
}

@Suite struct RandomTests {
  @Test func sameSeedSameStream() {
    var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42), c = SeededRandom(seed: 43)
    let first = (0..<100).map { _ in a.next() }
    #expect(first == (0..<100).map { _ in b.next() })
    #expect(first != (0..<100).map { _ in c.next() })
  }

  @Test func streamsAreIndependent() {
    var a = SeededRandom(seed: 1, stream: 1), b = SeededRandom(seed: 1, stream: 2)
    #expect((0..<10).map { _ in a.next() } != (0..<10).map { _ in b.next() })
  }

  @Test func uniformAndGaussianHaveTheRightMoments() {
    var random = SeededRandom(seed: 7)
    let n = 200_000
    var sum = 0.0, low = Float.infinity, high = -Float.infinity
    for _ in 0..<n {
      let u = random.uniform()
      sum += Double(u); low = min(low, u); high = max(high, u)
    }
    #expect(abs(sum / Double(n) - 0.5) < 0.005)
    #expect(low >= 0 && high < 1)
    var mean = 0.0, square = 0.0
    for _ in 0..<n {
      let g = Double(random.gaussian())
      mean += g; square += g * g
    }
    mean /= Double(n)
    #expect(abs(mean) < 0.01)
    #expect(abs(square / Double(n) - mean * mean - 1) < 0.02)
  }

  /// The polar method's pairs: unit variance, the normal's tails, and no correlation within a pair.
  @Test func gaussianPairsAreIndependentStandardNormals() {
    var random = SeededRandom(seed: 8)
    let n = 200_000
    var square = 0.0, product = 0.0, beyondTwo = 0
    for _ in 0..<n {
      let (a, b) = random.gaussianPair()
      square += Double(a * a + b * b); product += Double(a * b)
      beyondTwo += (abs(a) > 2 ? 1 : 0) + (abs(b) > 2 ? 1 : 0)
    }
    #expect(abs(square / Double(2 * n) - 1) < 0.01)
    #expect(abs(product / Double(n)) < 0.01)
    #expect(abs(Double(beyondTwo) / Double(2 * n) - 0.0455) < 0.002, "P(|z| > 2) should be 4.55 %")
  }

  @Test func permutationIsAPermutation() {
    var random = SeededRandom(seed: 9)
    let p = random.permutation(1000)
    #expect(p.sorted() == Array(0..<1000))
    #expect(p != Array(0..<1000))
  }
}

@Suite struct TensorStorageTests {
  @Test func resizeKeepsRowsAndReusesCapacity() {
    let t = Tensor(rows: 3, cols: 2, values: [1, 2, 3, 4, 5, 6])
    t.resize(rows: 1)
    #expect(t.values == [1, 2])
    t.resize(rows: 3)
    #expect(t.capacityRows == 3)
    #expect(t.values == [1, 2, 3, 4, 5, 6])
    t.resize(rows: 5)
    #expect(Array(t.values.prefix(6)) == [1, 2, 3, 4, 5, 6])
  }

  @Test func gatherAndSliceCopyTheRightRows() {
    let t = Tensor(rows: 4, cols: 2, values: [0, 1, 10, 11, 20, 21, 30, 31])
    let g = Tensor(rows: 0, cols: 2)
    g.gather(rows: [3, 0, 2][...], from: t)
    #expect(g.values == [30, 31, 0, 1, 20, 21])
    #expect(t.slice(rows: 1..<3).values == [10, 11, 20, 21])
  }
}
