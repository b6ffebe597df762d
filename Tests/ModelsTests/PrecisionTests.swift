import Foundation
import Models
import Runtime
import Tensor
import Testing
import TestSupport

/// Models run at bfloat16 (InferenceModel.at, AE_OPEN_BFLOAT16): the kernels' weights rounded
/// to bfloat16 and nothing else changed. On the own kernels the products read the bfloat16
/// copy; on OpenBLAS the rounded float32 copy. Either way the results must equal a float32
/// model whose kernels hold the rounded values, bit for bit.
@Suite struct PrecisionTests {
  @Test func bfloat16RoundsToNearestEven() {
    #expect(BFloat16.bits(1) == 0x3F80)
    #expect(BFloat16.bits(-0.0) == 0x8000)
    #expect(BFloat16.bits(1 + 0x1p-8) == 0x3F80) // halfway: to the even neighbour, 1
    #expect(BFloat16.bits(1 + 0x1p-7 + 0x1p-8) == 0x3F82) // halfway: to the even neighbour, 1 + 2^-6
    #expect(BFloat16.bits(1 + 0x1p-8 + 0x1p-20) == 0x3F81) // past halfway: up
    #expect(BFloat16.bits(Float.greatestFiniteMagnitude) == nil) // rounds to infinity
    #expect(BFloat16.bits(.infinity) == nil && BFloat16.bits(.nan) == nil)
    var random = SeededRandom(seed: 1)
    for _ in 0..<10_000 {
      let value = random.uniform(-1000, 1000)
      let rounded = BFloat16.float(BFloat16.bits(value)!)
      // Nearest: within half a bfloat16 ulp (2^-8 relative), and exact for bfloat16 values.
      #expect(abs(rounded - value) <= abs(value) * 0x1p-8)
      #expect(BFloat16.bits(rounded).map(BFloat16.float) == rounded)
    }
  }

  /// A copy of `model` whose layers' kernels hold their nearest bfloat16 values.
  func roundedCopy(_ model: Autoencoder) throws -> Autoencoder {
    let copy = try Autoencoder(spec: model.spec, seed: 0)
    copy.parameters.values.update(from: model.parameters.values, count: model.parameters.count)
    let plan = try NetworkPlan(model.spec)
    for step in plan.encoder + plan.decoder {
      for i in step.kernelOffset..<step.biasOffset {
        copy.parameters.values[i] = BFloat16.float(BFloat16.bits(copy.parameters.values[i])!)
      }
    }
    return copy
  }

  /// 13 test images, and a dense model or a conv VAE (convolutions and transposed
  /// convolutions) for them.
  func imagesAndSpec(_ kind: String) throws -> (Tensor, ModelSpec) {
    let (_, test, _) = try TestData.images(count: 1, testCount: 13)
    let side = Int(Double(test.cols).squareRoot())
    let spec = kind == "dense"
      ? ModelSpec.dense(inputWidth: test.cols, widths: [40, 6])
      : try Architecture(parsing: "conv4s2,conv8s2,dense6").spec(kind: .vae, inputWidth: test.cols, inputShape: [side, side, 1])
    return (test, spec)
  }

  @Test(arguments: ["dense", "conv"])
  func bfloat16EqualsFloat32OnRoundedWeights(kind: String) throws {
    let (test, spec) = try imagesAndSpec(kind)
    let model = try Autoencoder(spec: spec, seed: 4)
    let float32 = try InferenceModel(model)
    let half = try float32.at(.bfloat16)
    #expect(half.precision == .bfloat16 && float32.precision == .float32)
    let reference = try InferenceModel(try roundedCopy(model))
    // On this machine's path (own kernels reading packed bfloat16, or OpenBLAS reading the
    // rounded float32): the suites run in parallel, so the path is not switched here.
    let got = try half.reconstruct(test).values, expected = try reference.reconstruct(test).values
    #expect(got == expected, "\(BLAS.kernelDescription)")
    #expect(try half.encode(test).values == (try reference.encode(test).values))
    // The rounding shows, and costs little: outputs within a few percent of float32's.
    let exact = try float32.reconstruct(test).values, rounded = try half.reconstruct(test).values
    #expect(exact != rounded)
    let error = zip(exact, rounded).map { abs(Double($0 - $1)) }.max()!
    #expect(error < 0.05, "largest change \(error) of outputs in 0...1")
  }

  /// On the own kernels a row's result at bfloat16 does not depend on its batch, nor on the
  /// threads that split a single row's products.
  @Test(.enabled(if: BLAS.usesOwnKernels, "the own kernels only")) func bfloat16RowsDoNotDependOnTheirBatch() throws {
    let (_, test, _) = try TestData.images(count: 1, testCount: 9)
    let model = try InferenceModel(try Autoencoder(spec: .dense(inputWidth: test.cols, widths: [300, 8]), seed: 2)).at(.bfloat16)
    try expectRowsAloneMatch(try model.reconstruct(test).values, model, test)
  }

  /// Each row of `test` reconstructed alone on a 2-thread workspace (its products split by
  /// columns) equals its row of `batch`: bit for bit when `bitwise`, else within 1e-5 (float32
  /// layers on OpenBLAS, whose results depend on the call's shape).
  func expectRowsAloneMatch(_ batch: [Float], _ model: InferenceModel, _ test: Tensor, bitwise: Bool = true,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
    let workspace = try model.makeWorkspace(maxRows: 4)
    try workspace.setThreads(2)
    var row = [Float](repeating: 0, count: test.cols)
    for r in 0..<test.rows {
      try model.reconstruct(test.data + r * test.cols, rows: 1, into: &row, workspace: workspace)
      let expected = Array(batch[(r * test.cols)..<((r + 1) * test.cols)])
      if bitwise {
        #expect(row == expected, "row \(r)", sourceLocation: sourceLocation)
      } else {
        let worst = zip(row, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst <= 1e-5, "row \(r) differs by \(worst)", sourceLocation: sourceLocation)
      }
    }
  }

  @Test func onlyFloat32ToBFloat16() throws {
    let model = try InferenceModel(try Autoencoder(spec: .dense(inputWidth: 8, widths: [4, 2]), seed: 1))
    let half = try model.at(.bfloat16)
    #expect(try half.at(.bfloat16) === half && (try model.at(.float32)) === model)
    #expect(throws: InferenceError.self) { try half.at(.float32) }
  }

  @Test func weightsBeyondBFloat16AreRefused() throws {
    let trained = try Autoencoder(spec: .dense(inputWidth: 8, widths: [4, 2]), seed: 1)
    trained.parameters.values[3] = Float.greatestFiniteMagnitude
    #expect { try InferenceModel(trained).at(.bfloat16) } throws: { error in
      "\(error)".contains("beyond bfloat16's range") && (error as? InferenceError)?.kind == .nonFinite
    }
  }

  // MARK: int8

  /// At int8 a model's outputs stay close to float32's (random weights, real images), every
  /// kind of layer runs (a conv VAE has convolutions and transposed convolutions), and a row's
  /// result depends neither on its batch nor on the threads, as the int8 product promises.
  @Test(arguments: ["dense", "conv"])
  func int8StaysCloseAndDoesNotDependOnTheBatch(kind: String) throws {
    let (test, spec) = try imagesAndSpec(kind)
    let float32 = try InferenceModel(try Autoencoder(spec: spec, seed: 4))
    let int8 = try float32.at(.int8)
    #expect(int8.precision == .int8)
    let exact = try float32.reconstruct(test).values, quantized = try int8.reconstruct(test).values
    #expect(exact != quantized)
    let error = zip(exact, quantized).map { abs(Double($0 - $1)) }.max()!
    #expect(error < 0.05, "largest change \(error) of outputs in 0...1")
    let codes = try float32.encode(test).values, codes8 = try int8.encode(test).values
    let codeError = zip(codes, codes8).map { abs(Double($0 - $1)) }.max()!
    let codeScale = codes.map { abs(Double($0)) }.max()!
    #expect(codeError < 0.05 * codeScale, "codes: largest change \(codeError), largest code \(codeScale)")
    // Bit for bit where every layer keeps that promise: int8 products on every CPU, the conv
    // VAE's float32 transposed convolutions only on the own kernels.
    try expectRowsAloneMatch(quantized, int8, test, bitwise: kind == "dense" || BLAS.usesOwnKernels)
  }

  @Test func int8IsRefusedForNonFiniteKernelsAndTooManyInputs() throws {
    let trained = try Autoencoder(spec: .dense(inputWidth: 8, widths: [4, 2]), seed: 1)
    trained.parameters.values[3] = .nan
    #expect { try InferenceModel(trained).at(.int8) } throws: { error in
      "\(error)".contains("not finite") && (error as? InferenceError)?.kind == .nonFinite
    }
    let wide = try InferenceModel(try Autoencoder(spec: .dense(inputWidth: 65_537, widths: [1]), seed: 1))
    #expect { try wide.at(.int8) } throws: { error in
      "\(error)".contains("65536") && (error as? InferenceError)?.kind == .unsupported
    }
    let half = try InferenceModel(try Autoencoder(spec: .dense(inputWidth: 8, widths: [4, 2]), seed: 1)).at(.bfloat16)
    #expect(throws: InferenceError.self) { try half.at(.int8) }
  }
}
