/// Uniform quantization of code rows, one range per code dimension: dimension d's value z
/// becomes q = round((z - offset[d]) / scale[d]), clamped to 0...2^bits - 1, and comes back as
/// offset[d] + q * scale[d]. Inside the range the error is at most scale[d] / 2; values
/// outside it (a robust range clips the tails) come back at its nearest end.
public struct CodeQuantizer: Equatable, Sendable {
  /// Bits per value, 1...16.
  public let bits: Int
  /// Per dimension: the value level 0 stands for, and the step between levels (0 for a
  /// dimension that is constant over the rows: every value is then its offset).
  public let offsets: [Float]
  public let scales: [Float]

  /// The bit depths the format holds (levels fit in a UInt16).
  public static let bitRange = 1...16

  /// Highest level.
  public var maximumLevel: Int { (1 << bits) - 1 }

  public init(bits: Int, offsets: [Float], scales: [Float]) throws {
    guard Self.bitRange.contains(bits) else {
      throw InferenceError(.invalidArgument, "bits must be 1...16, got \(bits)")
    }
    guard offsets.count == scales.count, offsets.allSatisfy(\.isFinite), scales.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
      throw InferenceError(.invalidArgument, "the quantizer's offsets and scales must be finite, one of each per dimension, scales >= 0")
    }
    self.bits = bits
    self.offsets = offsets
    self.scales = scales
  }

  /// Fit to `rows` code rows of `offsets.count` = `dims` values: each dimension's range is its
  /// minimum and maximum, or with `clip` > 0 its `clip` and 1 - `clip` quantiles (a robust
  /// range, which spends the levels on the bulk of the values instead of on outliers).
  public static func fit(_ codes: UnsafePointer<Float>, rows: Int, dims: Int, bits: Int, clip: Double = 0) throws -> CodeQuantizer {
    guard (0..<0.5).contains(clip) else { throw InferenceError(.invalidArgument, "clip must be in 0..<0.5, got \(clip)") }
    var offsets = [Float](repeating: 0, count: dims), scales = [Float](repeating: 0, count: dims)
    let levels = Float((1 << min(max(bits, 1), 16)) - 1)
    var column = [Float](repeating: 0, count: rows)
    for d in 0..<dims where rows > 0 {
      for r in 0..<rows { column[r] = codes[r * dims + d] }
      guard column.allSatisfy(\.isFinite) else {
        throw InferenceError(.nonFinite, "code dimension \(d) holds NaN or infinity")
      }
      let low: Float, high: Float
      if clip == 0 {
        low = column.min()!
        high = column.max()!
      } else {
        column.sort()
        low = column[Int((clip * Double(rows - 1)).rounded())]
        high = column[Int(((1 - clip) * Double(rows - 1)).rounded())]
      }
      offsets[d] = low
      scales[d] = (high - low) / levels
      if !scales[d].isFinite { throw InferenceError(.nonFinite, "code dimension \(d) spans more than a float holds") }
    }
    return try CodeQuantizer(bits: bits, offsets: offsets, scales: scales)
  }

  /// Levels for `rows` code rows (rows * dims values, row by row).
  public func quantize(_ codes: UnsafePointer<Float>, rows: Int) -> [UInt16] {
    let dims = offsets.count, top = Float(maximumLevel)
    var levels = [UInt16](repeating: 0, count: rows * dims)
    for r in 0..<rows {
      for d in 0..<dims where scales[d] > 0 {
        let q = ((codes[r * dims + d] - offsets[d]) / scales[d]).rounded()
        levels[r * dims + d] = UInt16(min(max(q, 0), top))
      }
    }
    return levels
  }

  /// Code values for levels (row by row, dims per row) into `codes`.
  public func dequantize(_ levels: [UInt16], into codes: UnsafeMutablePointer<Float>) {
    let dims = offsets.count
    guard dims > 0 else { return }
    for i in 0..<levels.count {
      let d = i % dims
      codes[i] = offsets[d] + Float(levels[i]) * scales[d]
    }
  }
}
