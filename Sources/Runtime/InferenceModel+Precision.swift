import Models
import Tensor

/// Reduced precision, opt in at load: the layers' kernels rounded to bfloat16 (8 bits of
/// significand), read as such by the own AVX-512 kernels (half the bytes of float32: a single
/// row's call is bound by reading the weights) and widened exactly to float32 for the
/// products, which accumulate in float32. Activations, biases and everything else stay
/// float32. On a CPU without AVX-512 the rounded weights run through OpenBLAS as float32: the
/// same values, so the same results up to OpenBLAS's rounding.
extension InferenceModel {
  public enum Precision: String, Sendable, CaseIterable {
    /// The trained weights as they are (the default).
    case float32
    /// The layers' kernels rounded to the nearest bfloat16.
    case bfloat16
  }

  /// This model at `precision`, on a new copy of the weights (this one is left as it is).
  /// Throws `nonFinite` when a kernel weight is beyond bfloat16's range, `AllocationError`
  /// when the copies cannot be allocated.
  public func at(_ precision: Precision) throws -> InferenceModel {
    guard precision != self.precision else { return self }
    guard precision == .bfloat16, self.precision == .float32 else {
      throw InferenceError(.unsupported, "a model at \(self.precision.rawValue) cannot go back to \(precision.rawValue): load the file again")
    }
    let count = plan.parameterCount
    let rounded = try FloatBuffer(count: count, for: "the model's weights at bfloat16")
    rounded.pointer.initialize(from: weights, count: count)
    // Every kernel rounded in the float32 copy (what OpenBLAS and the transposed convolutions
    // read); the products the own kernels run (dense and convolution layers) also get a
    // packed bfloat16 copy.
    var offsets: [Int: Int] = [:], total = 0
    for step in plan.encoder + plan.decoder {
      for i in step.kernelOffset..<step.biasOffset {
        guard let value = BFloat16.bits(weights[i]) else {
          throw InferenceError(.nonFinite, "\(step.group)/kernel holds \(weights[i]), beyond bfloat16's range (about 3.4e38): this model cannot run at bfloat16")
        }
        rounded.pointer[i] = BFloat16.float(value)
      }
      if let (k, n) = Self.productShape(step) {
        offsets[step.kernelOffset] = total
        total += BLAS.packedBFloat16Count(k: k, n: n)
      }
    }
    let half = try FloatBuffer(count: (total + 1) / 2, for: "the model's bfloat16 weights")
    let bits = UnsafeMutableRawPointer(half.pointer).bindMemory(to: UInt16.self, capacity: 2 * half.count)
    for step in plan.encoder + plan.decoder {
      guard let (k, n) = Self.productShape(step), let offset = offsets[step.kernelOffset] else { continue }
      let natural = (0..<(k * n)).map { BFloat16.bits(rounded.pointer[step.kernelOffset + $0])! }
      BLAS.packBFloat16(natural, k: k, n: n, into: bits + offset)
    }
    return try InferenceModel(spec: spec, pipeline: pipeline, anomaly: anomaly, weights: rounded, precision: precision,
                              halfWeights: half, halfOffsets: offsets)
  }

  /// The kernel matrix (k x n) of a layer whose product can read bfloat16: dense and
  /// convolution layers (Dense.apply); nil for transposed convolutions.
  static func productShape(_ step: NetworkPlan.Step) -> (k: Int, n: Int)? {
    switch step.operation {
    case .dense(let input, let output): (input, output)
    case .convolution(let geometry, let filters): (geometry.patchSize, filters)
    case .transposedConvolution: nil
    }
  }

  /// The packed bfloat16 kernel of `step`, when this model runs at bfloat16.
  @inline(__always)
  func halfKernel(of step: NetworkPlan.Step) -> UnsafePointer<UInt16>? {
    guard let halfWeights, let offset = halfOffsets[step.kernelOffset] else { return nil }
    return halfWeights + offset
  }
}
