import CGemm
import Testing
import Tensor

/// The int8 product (CGemmInt8.h) against a reference written from its contract: the weights'
/// per-column scales and values, each row's scale, zero point and bytes, and every entry of
/// C computed from those in Swift, compared bit for bit, on the VNNI kernels (where the CPU
/// has them) and the portable ones, on shapes that cross every tile and padding edge.
@Suite(.serialized) struct Int8KernelTests {
  /// Runs `body` with the kernels W (k x n) packs into, described for C.
  func withWeights<T>(_ w: [Float], k: Int, n: Int, _ body: (UnsafePointer<aegemm_int8_weights>, [Float], [Int32]) -> T) -> T {
    var panels = [Int8](repeating: 0, count: aegemm_int8_panel_bytes(k, n))
    var scale = [Float](repeating: 0, count: aegemm_int8_column_count(n))
    var sums = [Int32](repeating: 0, count: aegemm_int8_column_count(n))
    #expect(aegemm_int8_pack(w, k, n, &panels, &scale, &sums) == 0)
    return panels.withUnsafeBufferPointer { p in
      scale.withUnsafeBufferPointer { s in
        sums.withUnsafeBufferPointer { c in
          var weights = aegemm_int8_weights(k: k, n: n, panels: p.baseAddress, scale: s.baseAddress, column_sum: c.baseAddress)
          return body(&weights, scale, sums)
        }
      }
    }
  }

  /// The contract's quantization of one row: scale, zero point, bytes.
  func quantizeRow(_ x: ArraySlice<Float>) -> (scale: Float, zero: Int32, bytes: [UInt8]) {
    guard x.allSatisfy(\.isFinite) else { return (.nan, 0, x.map { _ in 0 }) }
    let lo = min(0, x.min() ?? 0), hi = max(0, x.max() ?? 0)
    let s = (hi - lo) / 255
    guard s.isFinite else { return (.nan, 0, x.map { _ in 0 }) }
    let inverse = 1 / s
    // Zeros, or values so close to 0 that the scale is subnormal: all taken as 0.
    guard s != 0, inverse <= .greatestFiniteMagnitude else { return (1, 0, x.map { _ in 0 }) }
    let zero = Int32(min(255, max(0, (-lo * inverse).rounded(.toNearestOrEven))))
    let bytes = x.map { v -> UInt8 in
      let r = (v * inverse).rounded(.toNearestOrEven) + Float(zero)
      return UInt8(min(255, max(0, r)))
    }
    return (s, zero, bytes)
  }

  /// C from the contract: scales and values of W per column, rows quantized, exact sums,
  /// fma, then the epilogue.
  func reference(_ x: [Float], _ w: [Float], bias: [Float]?, m: Int, n: Int, k: Int, epilogue: Int32) -> [Float] {
    var scale = [Float](repeating: 0, count: n), q = [Int32](repeating: 0, count: k * n)
    for j in 0..<n {
      let largest = (0..<k).map { abs(w[$0 * n + j]) }.max()!
      guard largest / 127 > 0 else { continue }
      scale[j] = largest / 127
      for p in 0..<k { q[p * n + j] = Int32(min(127, max(-127, (w[p * n + j] / scale[j]).rounded(.toNearestOrEven)))) }
    }
    var c = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
      let row = quantizeRow(x[(i * k)..<((i + 1) * k)])
      for j in 0..<n {
        var sum: Int32 = 0, columnSum: Int32 = 0
        for p in 0..<k {
          sum += Int32(row.bytes[p]) * q[p * n + j]
          columnSum += q[p * n + j]
        }
        var y = (bias?[j] ?? 0).addingProduct(Float(sum - row.zero * columnSum), row.scale * scale[j])
        if epilogue == AEGEMM_RELU { y = 0 > y ? 0 : y }
        if epilogue == AEGEMM_LEAKY_RELU { y = y > 0 ? y : y * 0.01 }
        c[i * n + j] = y
      }
    }
    return c
  }

  func product(_ x: [Float], _ w: [Float], bias: [Float]?, m: Int, n: Int, k: Int, epilogue: Int32,
               team: OpaquePointer? = nil) -> [Float] {
    withWeights(w, k: k, n: n) { weights, _, _ in
      var c = [Float](repeating: -7, count: m * n)
      var q = [UInt8](repeating: 0xEE, count: m * aegemm_int8_row_bytes(k))
      var scales = [Float](repeating: 0, count: m), zeros = [Int32](repeating: 0, count: m)
      aegemm_int8_team_run(team, m, x, k, &q, &scales, &zeros, weights, &c, n, bias, epilogue)
      return c
    }
  }

  /// Both kernel sets (the VNNI ones only where the CPU has them), then the default again.
  func onEveryPath(_ body: (String) -> Void) {
    let previous = aegemm_int8_use_vnni(0)
    body("portable")
    if aegemm_int8_use_vnni(1) == 0, BLAS.int8UsesVNNI { body("avx512-vnni") }
    _ = aegemm_int8_use_vnni(previous)
  }

  @Test func productsEqualTheContractBitForBit() {
    var random = SeededRandom(seed: 8)
    let shapes = [(1, 1, 1), (1, 784, 256), (2, 33, 17), (3, 129, 130), (4, 5, 64), (7, 100, 31), (13, 18, 95),
                  (1, 256, 32), (25, 7, 200), (6, 64, 65), (12, 3, 33)]
    onEveryPath { path in
      for (m, k, n) in shapes {
        let x = (0..<(m * k)).map { _ in random.uniform(-2, 3) }
        let w = (0..<(k * n)).map { _ in random.uniform(-0.5, 0.5) }
        let bias = (0..<n).map { _ in random.uniform(-1, 1) }
        for epilogue in [AEGEMM_LINEAR, AEGEMM_RELU, AEGEMM_LEAKY_RELU] {
          let got = product(x, w, bias: bias, m: m, n: n, k: k, epilogue: epilogue)
          let expected = reference(x, w, bias: bias, m: m, n: n, k: k, epilogue: epilogue)
          #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "\(path) m \(m) k \(k) n \(n) epilogue \(epilogue)")
        }
        let noBias = product(x, w, bias: nil, m: m, n: n, k: k, epilogue: AEGEMM_LINEAR)
        #expect(noBias == reference(x, w, bias: nil, m: m, n: n, k: k, epilogue: AEGEMM_LINEAR), "\(path) no bias")
      }
    }
  }

  /// The quantization costs little: the error's root mean square within 1 % of the product's,
  /// the largest within 5 %; a column of zeros and a row of zeros give the bias exactly.
  @Test func productsApproximateFloat32() {
    var random = SeededRandom(seed: 9)
    let m = 9, k = 300, n = 40
    var x = (0..<(m * k)).map { _ in max(0, random.uniform(-1, 2)) } // ReLU outputs: the usual input
    var w = (0..<(k * n)).map { _ in random.uniform(-0.1, 0.1) }
    for p in 0..<k { w[p * n + 5] = 0 }
    for p in 0..<k { x[4 * k + p] = 0 }
    let bias = (0..<n).map { _ in random.uniform(-1, 1) }
    let got = product(x, w, bias: bias, m: m, n: n, k: k, epilogue: AEGEMM_LINEAR)
    var worst = 0.0, squaredError = 0.0, squared = 0.0
    for i in 0..<m {
      for j in 0..<n {
        var exact = Double(bias[j])
        for p in 0..<k { exact += Double(x[i * k + p]) * Double(w[p * n + j]) }
        let error = abs(exact - Double(got[i * n + j]))
        worst = max(worst, error)
        squaredError += error * error
        squared += (exact - Double(bias[j])) * (exact - Double(bias[j]))
      }
      #expect(got[i * n + 5] == bias[5])
    }
    for j in 0..<n { #expect(got[4 * n + j] == bias[j]) }
    let rms = (squared / Double(m * n)).squareRoot(), rmsError = (squaredError / Double(m * n)).squareRoot()
    #expect(rmsError < 0.01 * rms && worst < 0.05 * rms, "error: rms \(rmsError), largest \(worst); product rms \(rms)")
  }

  /// Rows and weight columns within 1e-36 of 0 count as zeros: the bias comes out, with no
  /// undefined conversion on the way (a subnormal scale's inverse would be infinite).
  @Test func tinyRowsAndColumnsCountAsZero() {
    var random = SeededRandom(seed: 12)
    let m = 4, k = 6, n = 20
    var x = (0..<(m * k)).map { _ in random.uniform(0, 1) }
    for (p, value) in [1e-37, 0, 0.5e-37, 0, 0, 1e-38].enumerated() { x[k + p] = Float(value) }
    for (p, value) in [2e-38, -1e-38, 0, 0, 0, 0].enumerated() { x[2 * k + p] = Float(value) }
    var w = (0..<(k * n)).map { _ in random.uniform(-1, 1) }
    for p in 0..<k { w[p * n + 3] = p % 2 == 0 ? 1e-44 : -1e-44 }
    let bias = (0..<n).map { _ in random.uniform(-1, 1) }
    onEveryPath { path in
      let got = product(x, w, bias: bias, m: m, n: n, k: k, epilogue: AEGEMM_LINEAR)
      #expect(got == reference(x, w, bias: bias, m: m, n: n, k: k, epilogue: AEGEMM_LINEAR), "\(path)")
      #expect(Array(got[n..<(3 * n)]) == bias + bias, "\(path): tiny rows give the bias")
      #expect((0..<m).allSatisfy { got[$0 * n + 3] == bias[3] }, "\(path): a column of tiny weights gives the bias")
    }
  }

  /// A row holding NaN or an infinity comes out NaN; the other rows are untouched by it.
  @Test func nonFiniteRowsGiveNaN() {
    var random = SeededRandom(seed: 10)
    let m = 5, k = 21, n = 19
    var x = (0..<(m * k)).map { _ in random.uniform(-1, 1) }
    let w = (0..<(k * n)).map { _ in random.uniform(-1, 1) }
    let clean = product(x, w, bias: nil, m: m, n: n, k: k, epilogue: AEGEMM_RELU)
    x[1 * k + 3] = .nan
    x[3 * k + 20] = -.infinity
    onEveryPath { path in
      let got = product(x, w, bias: nil, m: m, n: n, k: k, epilogue: AEGEMM_RELU)
      for i in 0..<m {
        let row = got[(i * n)..<((i + 1) * n)]
        if i == 1 || i == 3 { #expect(row.allSatisfy { $0.isNaN }, "\(path) row \(i)") }
        else { #expect(Array(row) == Array(clean[(i * n)..<((i + 1) * n)]), "\(path) row \(i)") }
      }
    }
    var weights = [Float](repeating: 1, count: 4 * 3)
    weights[7] = .infinity
    var panels = [Int8](repeating: 0, count: aegemm_int8_panel_bytes(4, 3))
    var scale = [Float](repeating: 0, count: 16), sums = [Int32](repeating: 0, count: 16)
    #expect(aegemm_int8_pack(weights, 4, 3, &panels, &scale, &sums) == -1)
  }

  /// Split over a team, by columns (a few rows) or by rows, the bits do not change.
  @Test(.enabled(if: aegemm_available() != 0, "teams run where the own kernels do")) func teamsGiveTheSameBits() {
    var random = SeededRandom(seed: 11)
    guard let team = aegemm_team_create(2) else { Issue.record("no team"); return }
    defer { aegemm_team_free(team) }
    for (m, k, n) in [(1, 784, 256), (2, 300, 130), (40, 200, 64), (97, 64, 33)] {
      let x = (0..<(m * k)).map { _ in random.uniform(-1, 1) }
      let w = (0..<(k * n)).map { _ in random.uniform(-1, 1) }
      let bias = (0..<n).map { _ in random.uniform(-1, 1) }
      let alone = product(x, w, bias: bias, m: m, n: n, k: k, epilogue: AEGEMM_RELU)
      #expect(product(x, w, bias: bias, m: m, n: n, k: k, epilogue: AEGEMM_RELU, team: team) == alone, "m \(m) k \(k) n \(n)")
      // And a row's result does not depend on the rows computed with it.
      let first = product(Array(x[0..<k]), w, bias: bias, m: 1, n: n, k: k, epilogue: AEGEMM_RELU)
      #expect(first == Array(alone[0..<n]))
    }
  }
}
