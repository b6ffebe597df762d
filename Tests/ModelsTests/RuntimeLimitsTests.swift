import Models
import Runtime
import Tensor
import Testing

/// The runtime under absurd sizes and results that overflow: errors to report, never a trap,
/// never an infinity passed off as a result.
@Suite struct RuntimeLimitsTests {
  func runtime(_ spec: ModelSpec) throws -> InferenceModel { try InferenceModel(try Autoencoder(spec: spec, seed: 3)) }

  /// Sizes that overflow Int are `overflow`; sizes beyond physical memory are an
  /// `AllocationError`, refused before anything is allocated.
  @Test func workspacesBeyondMemoryAreRefused() throws {
    let model = try runtime(.dense(inputWidth: 784, widths: [32], activation: .relu, outputActivation: .sigmoid, loss: .bce))
    #expect(throws: InferenceError.self) { try model.makeWorkspace(maxRows: 0) }
    func refusal(_ rows: Int) -> String? {
      do { _ = try model.makeWorkspace(maxRows: rows); return nil } catch let error as InferenceError {
        return error.kind == .overflow ? "overflow" : "other"
      } catch let error as AllocationError { return error.isOverflow ? "overflow" : "memory" } catch { return "other" }
    }
    #expect(refusal(Int.max) == "overflow")
    #expect(refusal(Int.max / 784) == "overflow")
    #expect(refusal((1 << 40) / 784) == "memory") // 4 TiB of floats
    #expect(refusal(3) == nil)
  }

  /// Finite inputs whose results overflow a Float throw `nonFinite` and leave NaN in every
  /// output value; ordinary inputs still work afterwards.
  @Test func overflowingResultsAreErrors() throws {
    let model = try runtime(.dense(inputWidth: 6, widths: [4], activation: .linear, outputActivation: .linear, loss: .mse))
    let workspace = try model.makeWorkspace(maxRows: 2) // three passes for five rows
    let huge = (0..<30).map { Float($0 % 2 == 0 ? 3e38 : -3e38) }
    var scores = [Float](repeating: 0, count: 5)
    do {
      try model.score(huge, rows: 5, into: &scores, workspace: workspace)
      Issue.record("scores of 3e38 came back as success: \(scores)")
    } catch let error as InferenceError {
      #expect(error.kind == .nonFinite)
      #expect(error.description.contains("does not fit"))
    }
    #expect(scores.allSatisfy { $0.isNaN })
    var decoded = [Float](repeating: 0, count: 30)
    let codes = (0..<20).map { Float($0 % 3 == 0 ? 3e38 : 1) }
    do {
      try model.decode(codes, rows: 5, into: &decoded, workspace: workspace)
      #expect(decoded.allSatisfy { $0.isFinite })
    } catch let error as InferenceError {
      #expect(error.kind == .nonFinite)
      #expect(decoded.allSatisfy { $0.isNaN })
    }
    let ordinary = (0..<30).map { Float($0) / 30 }
    try model.score(ordinary, rows: 5, into: &scores, workspace: workspace)
    #expect(scores.allSatisfy { $0.isFinite })
  }

  /// A VAE sampled at the largest finite temperature draws codes that overflow.
  @Test func samplingAtAHugeTemperatureIsAnError() throws {
    let model = try runtime(.variational(inputWidth: 6, hidden: [5], latent: 2, activation: .tanh, outputActivation: .sigmoid, loss: .bce))
    var x = [Float](repeating: 0, count: 24), z = [Float](repeating: 0, count: 8)
    let workspace = try model.makeWorkspace(maxRows: 4)
    #expect(throws: InferenceError.self) {
      try model.sample(rows: 4, seed: 7, temperature: .greatestFiniteMagnitude, into: &x, codes: &z, workspace: workspace)
    }
    #expect(x.allSatisfy { $0.isNaN } && z.allSatisfy { $0.isNaN })
    try model.sample(rows: 4, seed: 7, temperature: 1, into: &x, codes: &z, workspace: workspace)
    #expect(x.allSatisfy { $0.isFinite } && z.allSatisfy { $0.isFinite })
  }
}
