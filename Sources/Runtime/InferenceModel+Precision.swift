import Models
import Tensor

/// Reduced precision, opt in at load.
///
/// bfloat16: the layers' kernels rounded to bfloat16 (8 bits of significand), read as such by
/// the own AVX-512 kernels (half the bytes of float32: a single row's call is bound by reading
/// the weights) and widened exactly to float32 for the products, which accumulate in float32.
/// Activations, biases and everything else stay float32. On a CPU without AVX-512 the rounded
/// weights run through OpenBLAS as float32: the same values, so the same results up to
/// OpenBLAS's rounding.
///
/// int8: dense and convolution kernels quantized per output column, each product's input rows
/// quantized as they come (CGemmInt8.h); sums exact in int32 (VNNI where the CPU has it), so
/// those products give the same bits on every CPU. Transposed convolutions stay float32 (with
/// float32's promises: the own kernels' or OpenBLAS's).
extension InferenceModel {
  public enum Precision: String, Sendable, CaseIterable {
    /// The trained weights as they are (the default).
    case float32
    /// The layers' kernels rounded to the nearest bfloat16.
    case bfloat16
    /// Dense and convolution kernels in int8 with a scale per output column; their inputs
    /// quantized to 8 bits per row.
    case int8
  }

  /// This model at `precision` (this one is left as it is): at bfloat16 on a rounded copy of
  /// the weights, at int8 on the same float32 weights (only its quantized kernels are new).
  /// Throws `nonFinite` when a kernel weight is beyond bfloat16's range (or, for int8, not
  /// finite), `unsupported` for a layer too wide for int8, `AllocationError` when the copies
  /// cannot be allocated.
  public func at(_ precision: Precision) throws -> InferenceModel {
    guard precision != self.precision else { return self }
    guard precision != .float32, self.precision == .float32 else {
      throw InferenceError(.unsupported, "a model at \(self.precision.rawValue) cannot go to \(precision.rawValue): load the file again")
    }
    guard precision == .bfloat16 else {
      return try InferenceModel(spec: spec, pipeline: pipeline, anomaly: anomaly, weights: storage, precision: precision,
                                identity: identity)
    }
    let count = plan.parameterCount
    let copy = try FloatBuffer(count: count, for: "the model's weights at bfloat16")
    copy.pointer.initialize(from: weights, count: count)
    for step in plan.encoder + plan.decoder {
      for i in step.kernelOffset..<step.biasOffset {
        guard let value = BFloat16.bits(weights[i]) else {
          throw InferenceError(.nonFinite, "\(step.group)/kernel holds \(weights[i]), beyond bfloat16's range (about 3.4e38): this model cannot run at bfloat16")
        }
        copy.pointer[i] = BFloat16.float(value)
      }
    }
    return try InferenceModel(spec: spec, pipeline: pipeline, anomaly: anomaly, weights: copy, precision: precision,
                              identity: identity)
  }

  /// The packed kernel of `step`, when this model has packed (or int8) kernels and the step
  /// reads one; int8 kernels quantize their rows into the workspace.
  @inline(__always)
  func packedKernel(of step: NetworkPlan.Step, _ workspace: Workspace) -> BLAS.PackedKernel? {
    if let quantized, let scratch = workspace.int8 { return quantized.kernel(of: step, scratch: scratch) }
    guard let packed, let offset = packed.offsets[step.kernelOffset] else { return nil }
    return BLAS.PackedKernel(values: packed.start + offset * packed.valueSize, bfloat16: packed.precision == .bfloat16)
  }
}

/// A model's dense and convolution kernels packed once for the own kernels (panels of 32
/// columns: BLAS.pack), in float32 or bfloat16: the products stream them instead of the
/// row-major weights (transposed convolutions, and OpenBLAS, read those).
final class PackedKernels: @unchecked Sendable {
  let precision: InferenceModel.Precision
  /// Where each packed kernel starts, in values from `start`, by the step's kernelOffset.
  let offsets: [Int: Int]
  let start: UnsafeRawPointer
  let valueSize: Int
  private let buffer: FloatBuffer

  /// Throws `AllocationError` when the copy cannot be allocated.
  init(_ plan: NetworkPlan, _ weights: UnsafePointer<Float>, precision: InferenceModel.Precision) throws {
    self.precision = precision
    valueSize = precision == .bfloat16 ? 2 : 4
    var offsets: [Int: Int] = [:], total = 0
    for step in plan.encoder + plan.decoder {
      guard let (k, n) = Self.productShape(step) else { continue }
      offsets[step.kernelOffset] = total
      total += BLAS.packedCount(k: k, n: n)
    }
    self.offsets = offsets
    buffer = try FloatBuffer(count: max(1, (total * valueSize + 3) / 4), for: "the model's packed kernels")
    start = UnsafeRawPointer(buffer.pointer)
    for step in plan.encoder + plan.decoder {
      guard let (k, n) = Self.productShape(step), let offset = offsets[step.kernelOffset] else { continue }
      BLAS.pack(weights + step.kernelOffset, k: k, n: n, bfloat16: precision == .bfloat16,
                into: UnsafeMutableRawPointer(buffer.pointer) + offset * valueSize)
    }
  }

  /// The kernel matrix (k x n) of a layer whose product is Dense.apply's: dense and
  /// convolution layers; nil for transposed convolutions.
  static func productShape(_ step: NetworkPlan.Step) -> (k: Int, n: Int)? {
    switch step.operation {
    case .dense(let input, let output): (input, output)
    case .convolution(let geometry, let filters): (geometry.patchSize, filters)
    case .transposedConvolution: nil
    }
  }
}
