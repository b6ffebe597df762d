import CGemm
import Models
import Tensor

/// A model's dense and convolution kernels quantized to int8 per output column, packed for
/// the int8 products (CGemmInt8.h): the model at `Precision.int8`. Transposed convolutions
/// keep their float32 kernels. Immutable after init, shared by every thread.
final class QuantizedKernels: @unchecked Sendable {
  /// The C descriptions of the kernels, by the step's kernelOffset.
  private let index: [Int: Int]
  private let descriptors: UnsafeMutablePointer<aegemm_int8_weights>
  /// Owns the memory the descriptors point into.
  private let buffer: FloatBuffer

  /// Throws `nonFinite` when a kernel holds a value that is not finite, `unsupported` when a
  /// layer has more inputs than an int8 product sums exactly, `AllocationError` when the
  /// memory cannot be had.
  init(_ plan: NetworkPlan, _ weights: UnsafePointer<Float>) throws {
    var index: [Int: Int] = [:], shapes: [(step: NetworkPlan.Step, k: Int, n: Int, at: Int)] = [], total = 0
    for step in plan.encoder + plan.decoder {
      guard let (k, n) = PackedKernels.productShape(step) else { continue }
      guard k <= Int(AEGEMM_INT8_MAX_K) else {
        throw InferenceError(.unsupported, "\(step.group) has \(k) inputs per output: int8 products sum at most \(AEGEMM_INT8_MAX_K) exactly")
      }
      index[step.kernelOffset] = shapes.count
      shapes.append((step, k, n, total))
      let columns = aegemm_int8_column_count(n)
      total += 8 * columns + (aegemm_int8_panel_bytes(k, n) + 63) / 64 * 64
    }
    let buffer = try FloatBuffer(count: max(total, 64) / 4, for: "the model's int8 kernels")
    let storage = UnsafeMutableRawPointer(buffer.pointer)
    let descriptors = UnsafeMutablePointer<aegemm_int8_weights>.allocate(capacity: max(shapes.count, 1))
    self.index = index
    self.buffer = buffer
    self.descriptors = descriptors
    for (number, shape) in shapes.enumerated() {
      let columns = aegemm_int8_column_count(shape.n)
      let scale = (storage + shape.at).bindMemory(to: Float.self, capacity: columns)
      let sums = (storage + shape.at + 4 * columns).bindMemory(to: Int32.self, capacity: columns)
      let panels = (storage + shape.at + 8 * columns).bindMemory(to: Int8.self, capacity: aegemm_int8_panel_bytes(shape.k, shape.n))
      guard aegemm_int8_pack(weights + shape.step.kernelOffset, shape.k, shape.n, panels, scale, sums) == 0 else {
        throw InferenceError(.nonFinite, "\(shape.step.group)/kernel holds a value that is not finite: this model cannot run at int8")
      }
      descriptors[number] = aegemm_int8_weights(k: shape.k, n: shape.n, panels: panels, scale: scale, column_sum: sums)
    }
  }

  deinit { descriptors.deallocate() }

  /// The int8 kernel of `step`, with scratch for its product's rows; nil for a step without
  /// one (a transposed convolution).
  func kernel(of step: NetworkPlan.Step, scratch: Int8Scratch) -> BLAS.PackedKernel? {
    guard let number = index[step.kernelOffset] else { return nil }
    return BLAS.PackedKernel(int8: BLAS.Int8Product(weights: descriptors + number, quantizedRows: scratch.rows,
                                                    rowScales: scratch.scales, rowZeros: scratch.zeros))
  }

  /// Scratch per row of a call (a workspace's) for the int8 products of `plan`: floats for the
  /// most rows of A one input row makes (a convolution's positions) times two (scale, zero
  /// point), plus the bytes of those rows quantized.
  static func scratchFloatsPerRow(_ plan: NetworkPlan) -> (positions: Int, floats: Int) {
    var positions = 1, bytes = 0
    for step in plan.encoder + plan.decoder {
      guard let (k, _) = PackedKernels.productShape(step) else { continue }
      let rows = if case .convolution(let geometry, _) = step.operation { geometry.positions } else { 1 }
      positions = max(positions, rows)
      bytes = max(bytes, rows * BLAS.int8RowBytes(k: k))
    }
    return (positions, 2 * positions + (bytes + 3) / 4)
  }
}

/// Where a workspace's int8 products quantize their rows (see QuantizedKernels).
struct Int8Scratch {
  let scales: UnsafeMutablePointer<Float>
  let zeros: UnsafeMutablePointer<Int32>
  let rows: UnsafeMutablePointer<UInt8>

  /// Scratch for `maxRows` input rows at `start`, laid out for `perRow`
  /// (QuantizedKernels.scratchFloatsPerRow of the model's plan).
  init(_ start: UnsafeMutablePointer<Float>, maxRows: Int, perRow: (positions: Int, floats: Int)) {
    let positions = perRow.positions * maxRows, floats = perRow.floats * maxRows
    scales = start
    zeros = UnsafeMutableRawPointer(start + positions).bindMemory(to: Int32.self, capacity: positions)
    rows = UnsafeMutableRawPointer(start + 2 * positions).bindMemory(to: UInt8.self, capacity: 4 * (floats - 2 * positions))
  }
}
