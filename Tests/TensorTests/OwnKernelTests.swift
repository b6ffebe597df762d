import CGemm
import COpenBLAS
import Testing
import Tensor

/// The library's own AVX-512 product (CGemm) against a Double reference and OpenBLAS on the
/// same inputs, on shapes that cross every tile, column-block and K-block edge; and its promise
/// that a row's result does not depend on the rows computed with it. Runs where the products
/// run on the own kernels; elsewhere they run on OpenBLAS, which BLASTests covers. OpenBLAS is
/// called directly here: flipping BLAS.usesOwnKernels would change the path under the suites
/// that run at the same time.
@Suite(.enabled(if: BLAS.usesOwnKernels, "the products run on OpenBLAS here (no AVX-512, or AE_GEMM=openblas)"))
struct OwnKernelTests {
  /// Row-major `x` (m x k, or k x m when `transposed`) times `w` (k x n), in Double.
  func reference(_ x: [Float], _ w: [Float], m: Int, n: Int, k: Int, transposed: Bool = false) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
      for p in 0..<k {
        let a = Double(transposed ? x[p * m + i] : x[i * k + p])
        for j in 0..<n { c[i * n + j] += a * Double(w[p * n + j]) }
      }
    }
    return c
  }

  /// |c - expected| within float32 rounding of a k-term sum: k ulps of the sum of magnitudes.
  func agrees(_ c: Float, _ expected: Double, k: Int, magnitude: Double) -> Bool {
    abs(Double(c) - expected) <= Double(k + 2) * 1.2e-7 * magnitude + 1e-30
  }

  func randomMatrix(_ count: Int, _ random: inout SeededRandom) -> [Float] {
    (0..<count).map { _ in random.uniform(-1, 1) }
  }

  /// `body` as it is: the suite runs only where the own kernels are the path.
  func onOwnKernels<T>(_ body: () -> T) -> T { body() }

  /// C = x w through OpenBLAS (the reference path), row-major.
  func openBLAS(_ x: [Float], _ w: [Float], m: Int, n: Int, k: Int) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    if m > 0 && n > 0 {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, x, Int32(max(k, 1)), w,
                  Int32(n), 0, &c, Int32(n))
    }
    return c
  }

  static let shapes: [(m: Int, k: Int, n: Int)] = [
    (1, 1, 1), (1, 784, 256), (2, 300, 130), (3, 17, 129), (4, 5, 16), (5, 257, 31), (11, 64, 33),
    (12, 256, 32), (13, 513, 17), (25, 100, 257), (37, 1, 300), (64, 784, 100), (256, 32, 256),
    (6, 3, 95), (7, 129, 63), (17, 300, 65), (390, 20, 97),
  ]

  @Test(arguments: shapes)
  func productMatchesDoubleAndOpenBLAS(shape: (m: Int, k: Int, n: Int)) {
    let (m, k, n) = shape
    var random = SeededRandom(seed: UInt64(m * 1000 + n))
    let x = randomMatrix(m * k, &random), w = randomMatrix(k * n, &random)
    let expected = reference(x, w, m: m, n: n, k: k)
    var own = [Float](repeating: .nan, count: m * n), blas = own
    onOwnKernels { BLAS.gemm(m: m, n: n, k: k, a: x, lda: k, b: w, ldb: n, c: &own, ldc: n) }
    blas = openBLAS(x, w, m: m, n: n, k: k)
    var magnitude = [Double](repeating: 0, count: m * n)
    for i in 0..<m { for p in 0..<k { for j in 0..<n { magnitude[i * n + j] += abs(Double(x[i * k + p]) * Double(w[p * n + j])) } } }
    for i in 0..<(m * n) {
      #expect(agrees(own[i], expected[i], k: k, magnitude: magnitude[i]), "own, element \(i): \(own[i]) vs \(expected[i])")
      #expect(agrees(blas[i], expected[i], k: k, magnitude: magnitude[i]), "openblas, element \(i)")
    }
  }

  /// A transposed A (the weight gradient x^T dy) and accumulation into C (beta 1).
  @Test func transposedAAndAccumulation() {
    let m = 29, k = 300, n = 45
    var random = SeededRandom(seed: 11)
    let stored = randomMatrix(k * m, &random), w = randomMatrix(k * n, &random)
    let start = randomMatrix(m * n, &random)
    var c = start
    onOwnKernels { BLAS.gemm(transposeA: true, m: m, n: n, k: k, a: stored, lda: m, b: w, ldb: n, beta: 1, c: &c, ldc: n) }
    let product = reference(stored, w, m: m, n: n, k: k, transposed: true)
    for i in 0..<(m * n) {
      #expect(abs(Double(c[i]) - (product[i] + Double(start[i]))) < 1e-4, "element \(i)")
    }
  }

  /// A transposed B (stored n x k with a row stride past k, as the input gradient reads a
  /// kernel) gives the bits of the same product on a row-major copy of it, on shapes across
  /// the strips' edges, alone, accumulating, and split over a team of 2.
  @Test(arguments: [(1, 5, 3), (2, 300, 70), (4, 129, 33), (13, 513, 65), (50, 256, 784), (128, 784, 256), (400, 300, 70)])
  func transposedBEqualsItsCopy(shape: (m: Int, k: Int, n: Int)) throws {
    let (m, k, n) = shape, ldb = k + 3
    var random = SeededRandom(seed: UInt64(m * 7 + k + n))
    let x = randomMatrix(m * k, &random), stored = randomMatrix(n * ldb, &random), start = randomMatrix(m * n, &random)
    var copy = [Float](repeating: 0, count: k * n)
    for j in 0..<n { for p in 0..<k { copy[p * n + j] = stored[j * ldb + p] } }
    let team = try #require(BLAS.Team(threads: 2))
    var expected = [Float](repeating: .nan, count: m * n), alone = expected, split = expected
    var expectedSum = start, aloneSum = start
    BLAS.gemm(m: m, n: n, k: k, a: x, lda: k, b: copy, ldb: n, c: &expected, ldc: n)
    BLAS.gemm(transposeB: true, m: m, n: n, k: k, a: x, lda: k, b: stored, ldb: ldb, c: &alone, ldc: n)
    BLAS.gemm(transposeB: true, m: m, n: n, k: k, a: x, lda: k, b: stored, ldb: ldb, c: &split, ldc: n, team: team)
    BLAS.gemm(m: m, n: n, k: k, a: x, lda: k, b: copy, ldb: n, beta: 1, c: &expectedSum, ldc: n)
    BLAS.gemm(transposeB: true, m: m, n: n, k: k, a: x, lda: k, b: stored, ldb: ldb, beta: 1, c: &aloneSum, ldc: n)
    #expect(alone == expected && split == expected && aloneSum == expectedSum, "\(m)x\(k)x\(n)")
    let product = reference(x, copy, m: m, n: n, k: k)
    let worst = (0..<(m * n)).map { abs(Double(alone[$0]) - product[$0]) }.max() ?? 0
    #expect(worst < 1e-3, "\(m)x\(k)x\(n): differs from the Double product by \(worst)")
  }

  /// Strided C: the columns past n and the rows past m are never written, whatever n.
  @Test(arguments: [1, 15, 16, 17, 33, 127, 129, 255, 257])
  func writesOnlyInsideC(n: Int) {
    let m = 14, k = 9, ldc = n + 5
    var random = SeededRandom(seed: UInt64(n))
    let x = randomMatrix(m * k, &random), w = randomMatrix(k * n, &random)
    var c = [Float](repeating: 42, count: (m + 1) * ldc)
    onOwnKernels { BLAS.gemm(m: m, n: n, k: k, a: x, lda: k, b: w, ldb: n, c: &c, ldc: ldc) }
    for r in 0...m {
      for j in 0..<ldc where r == m || j >= n { #expect(c[r * ldc + j] == 42, "row \(r), column \(j) was written") }
    }
  }

  /// The library's promise: a row's result is the same bit for bit whether it is computed
  /// alone, in a batch of any size, or at any offset of it.
  @Test func aRowDoesNotDependOnItsBatch() {
    let m = 50, k = 700, n = 300
    var random = SeededRandom(seed: 5)
    let x = randomMatrix(m * k, &random), w = randomMatrix(k * n, &random), bias = randomMatrix(n, &random)
    var whole = [Float](repeating: 0, count: m * n)
    onOwnKernels {
      BLAS.affine(x, rows: m, weights: w, bias: bias, k: k, n: n, epilogue: .relu, into: &whole)
      for chunk in [1, 2, 3, 5, 12, 13, 24] {
        var pieces = [Float](repeating: .nan, count: m * n)
        var start = 0
        while start < m {
          let rows = min(chunk, m - start)
          x.withUnsafeBufferPointer { xs in
            pieces.withUnsafeMutableBufferPointer { out in
              BLAS.affine(xs.baseAddress! + start * k, rows: rows, weights: w, bias: bias, k: k, n: n, epilogue: .relu,
                          into: out.baseAddress! + start * n)
            }
          }
          start += rows
        }
        #expect(pieces == whole, "rows in passes of \(chunk)")
      }
    }
  }

  /// Bias and activation fused into the product give the same bits as adding them afterwards,
  /// and the same values as the OpenBLAS path within float32 rounding.
  @Test(arguments: [BLAS.Epilogue.none, .relu, .leakyRelu])
  func fusedEpilogueEqualsTheUnfusedSteps(epilogue: BLAS.Epilogue) {
    let m = 19, k = 130, n = 70
    var random = SeededRandom(seed: 9)
    let x = randomMatrix(m * k, &random), w = randomMatrix(k * n, &random), bias = randomMatrix(n, &random)
    var fused = [Float](repeating: 0, count: m * n), steps = fused, blas = fused
    onOwnKernels {
      BLAS.affine(x, rows: m, weights: w, bias: bias, k: k, n: n, epilogue: epilogue, into: &fused)
      BLAS.gemm(m: m, n: n, k: k, a: x, lda: k, b: w, ldb: n, c: &steps, ldc: n)
    }
    blas = openBLAS(x, w, m: m, n: n, k: k)
    for i in 0..<(m * n) {
      let z = blas[i] + bias[i % n]
      blas[i] = epilogue == .relu ? max(z, 0) : epilogue == .leakyRelu ? (z > 0 ? z : z * 0.01) : z
    }
    for i in 0..<(m * n) {
      var z = steps[i] + bias[i % n]
      switch epilogue {
      case .none: break
      case .relu: z = max(z, 0)
      case .leakyRelu: z = z > 0 ? z : z * 0.01
      }
      steps[i] = z
    }
    #expect(fused == steps)
    #expect(zip(fused, blas).allSatisfy { abs($0 - $1) < 1e-4 })
    if epilogue == .relu { #expect(fused.contains(0) && fused.contains { $0 > 0 }) }
    if epilogue == .leakyRelu { #expect(fused.contains { $0 < 0 }) }
  }

  /// Packed B (float32, and bfloat16 of bfloat16 values) gives the row-major product, bit for
  /// bit, on every tile shape and edge (the single-row tiles included).
  @Test(arguments: shapes)
  func packedWeightsEqualRowMajor(shape: (m: Int, k: Int, n: Int)) {
    let (m, k, n) = shape
    var random = SeededRandom(seed: UInt64(7 * m + n))
    let x = randomMatrix(m * k, &random), bias = randomMatrix(n, &random)
    for bfloat16 in [false, true] {
      let w = randomMatrix(k * n, &random).map { bfloat16 ? BFloat16.float(BFloat16.bits($0)!) : $0 }
      var packed = [UInt32](repeating: 0xFFFF_FFFF, count: BLAS.packedCount(k: k, n: n))
      BLAS.pack(w, k: k, n: n, bfloat16: bfloat16, into: &packed)
      var fromPacked = [Float](repeating: .nan, count: m * n), fromRows = fromPacked
      packed.withUnsafeBytes { bytes in
        let kernel = BLAS.PackedKernel(values: bytes.baseAddress!, bfloat16: bfloat16)
        onOwnKernels {
          BLAS.affine(x, rows: m, weights: w, packed: kernel, bias: bias, k: k, n: n, epilogue: .leakyRelu, into: &fromPacked)
          BLAS.affine(x, rows: m, weights: w, bias: bias, k: k, n: n, epilogue: .leakyRelu, into: &fromRows)
        }
      }
      #expect(fromPacked == fromRows, "bfloat16 \(bfloat16)")
    }
  }

  /// A team splits a product by rows or columns; every split gives aegemm's bits, on
  /// row-major and packed weights.
  @Test(arguments: [2, 3])
  func teamSplitsGiveTheSameBits(threads: Int) throws {
    let team = try #require(onOwnKernels { BLAS.Team(threads: threads) })
    for (m, k, n) in [(1, 784, 256), (1, 256, 784), (2, 300, 33), (40, 200, 100), (1, 16, 16), (1, 100, 300)] {
      var random = SeededRandom(seed: UInt64(m + k + n))
      let x = randomMatrix(m * k, &random), w = randomMatrix(k * n, &random), bias = randomMatrix(n, &random)
      var packed = [Float](repeating: .nan, count: BLAS.packedCount(k: k, n: n))
      BLAS.pack(w, k: k, n: n, bfloat16: false, into: &packed)
      var alone = [Float](repeating: .nan, count: m * n), split = alone, splitPacked = alone
      onOwnKernels {
        BLAS.affine(x, rows: m, weights: w, bias: bias, k: k, n: n, epilogue: .relu, into: &alone)
        packed.withUnsafeBytes { bytes in
          let kernel = BLAS.PackedKernel(values: bytes.baseAddress!, bfloat16: false)
          for _ in 0..<3 {
            BLAS.affine(x, rows: m, weights: w, bias: bias, k: k, n: n, epilogue: .relu, team: team, into: &split)
            BLAS.affine(x, rows: m, weights: w, packed: kernel, bias: bias, k: k, n: n, epilogue: .relu, team: team,
                        into: &splitPacked)
          }
        }
      }
      #expect(split == alone && splitPacked == alone, "\(m)x\(k)x\(n) on \(threads) threads")
    }
  }

  /// A team's element-wise job runs every share exactly once, and a second job finds the team
  /// free again.
  @Test func teamEachRunsEveryShareOnce() throws {
    let team = try #require(BLAS.Team(threads: 2))
    for shares in [1, 2, 3, 17] {
      let counts = UnsafeMutablePointer<Int>.allocate(capacity: shares)
      defer { counts.deallocate() }
      counts.initialize(repeating: 0, count: shares)
      team.each(shares: shares, context: UnsafeMutableRawPointer(counts)) { context, share, _ in
        context!.assumingMemoryBound(to: Int.self)[Int(share)] += 1  // each share has its own slot
      }
      #expect((0..<shares).allSatisfy { counts[$0] == 1 }, "\(shares) shares")
    }
  }

  /// A NaN in the chain (inf * 0 in a product) stays NaN through the fused ReLU, as through
  /// VectorMath.relu, so the runtime reports it instead of passing 0 on.
  @Test func fusedReLUKeepsNaN() {
    let x: [Float] = [.infinity, 1, 1, 1], w: [Float] = [0, 1], bias: [Float] = [-5]
    var packed = [Float](repeating: 0, count: BLAS.packedCount(k: 2, n: 1))
    BLAS.pack(w, k: 2, n: 1, bfloat16: false, into: &packed)
    var y: [Float] = [1, 1], fromPacked: [Float] = [1, 1]
    BLAS.affine(x, rows: 2, weights: w, bias: bias, k: 2, n: 1, epilogue: .relu, into: &y)
    packed.withUnsafeBytes { bytes in
      BLAS.affine(x, rows: 2, weights: w, packed: BLAS.PackedKernel(values: bytes.baseAddress!, bfloat16: false), bias: bias,
                  k: 2, n: 1, epilogue: .relu, into: &fromPacked)
    }
    #expect(y[0].isNaN && fromPacked[0].isNaN)
    #expect(y[1] == 0 && fromPacked[1] == 0) // 1 - 5 through ReLU
  }

  /// No steps (k = 0): the bias alone, through the epilogue.
  @Test func emptyProductIsTheBias() {
    let bias: [Float] = [-2, 3, -0.5]
    var y = [Float](repeating: .nan, count: 6)
    let none: [Float] = []
    onOwnKernels { BLAS.affine(none, rows: 2, weights: none, bias: bias, k: 0, n: 3, epilogue: .relu, into: &y) }
    #expect(y == [0, 3, 0, 0, 3, 0])
  }
}
