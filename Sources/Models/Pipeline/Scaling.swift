import CVector
import Tensor

/// How raw inputs are mapped to the values the network sees: `x' = (x - offset) * scale`,
/// per feature; the pipeline's `affine` transform. Stored in the model so callers pass and
/// get data in their own units. The arithmetic lives here and nowhere else: `apply` one way,
/// `invert` (through CVector's vector kernel) the other.
public struct Scaling: Equatable, Sendable {
  public enum Method: String, Codable, CaseIterable, Sendable {
    /// Leave values as they are.
    case none
    /// Map each feature's training range onto [0, 1] (bytes: 0...255 onto [0, 1]).
    case unit
    /// Zero mean, unit variance per feature.
    case standard
  }

  public var method: Method
  public var offset: [Float]
  public var scale: [Float]

  public init(method: Method, offset: [Float], scale: [Float]) {
    self.method = method
    self.offset = offset
    self.scale = scale
  }

  /// The identity for `width` features.
  public static func identity(width: Int) -> Scaling {
    Scaling(method: .none, offset: Array(repeating: 0, count: width), scale: Array(repeating: 1, count: width))
  }

  /// Fit to training data. For byte data (pixels), `unit` divides by 255 everywhere, so every
  /// pixel keeps the same meaning; otherwise it uses each feature's own min and max.
  /// Constant features get scale 1 so they never divide by zero.
  public static func fit(_ data: Tensor, method: Method, isByteData: Bool = false) -> Scaling {
    let d = data.cols, n = data.rows
    switch method {
    case .none:
      return identity(width: d)
    case .unit where isByteData:
      return Scaling(method: .unit, offset: Array(repeating: 0, count: d), scale: Array(repeating: 1 / 255, count: d))
    case .unit:
      var low = Array(repeating: Float.infinity, count: d), high = Array(repeating: -Float.infinity, count: d)
      for r in 0..<n {
        let row = data.row(r)
        for j in 0..<d { low[j] = min(low[j], row[j]); high[j] = max(high[j], row[j]) }
      }
      let offset = low.map { $0.isFinite ? $0 : 0 }
      let scale = (0..<d).map { j -> Float in
        let range = high[j] - low[j]
        return range > 0 && range.isFinite ? 1 / range : 1
      }
      return Scaling(method: .unit, offset: offset, scale: scale)
    case .standard:
      var mean = Array(repeating: 0.0, count: d), square = Array(repeating: 0.0, count: d)
      for r in 0..<n {
        let row = data.row(r)
        for j in 0..<d { mean[j] += Double(row[j]) }
      }
      for j in 0..<d { mean[j] /= Double(max(n, 1)) }
      for r in 0..<n {
        let row = data.row(r)
        for j in 0..<d { let c = Double(row[j]) - mean[j]; square[j] += c * c }
      }
      let scale = (0..<d).map { j -> Float in
        let sd = (square[j] / Double(max(n, 1))).squareRoot()
        return sd > 1e-12 ? Float(1 / sd) : 1
      }
      return Scaling(method: .standard, offset: mean.map(Float.init), scale: scale)
    }
  }

  /// Raw to scaled: `rows` rows of `x` into `y` (which may be `x`).
  public func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
    let d = offset.count
    guard method != .none else {
      if UnsafePointer(y) != x { y.update(from: x, count: rows * d) }
      return
    }
    offset.withUnsafeBufferPointer { o in
      scale.withUnsafeBufferPointer { s in
        for r in 0..<rows {
          let from = x + r * d, to = y + r * d
          for j in 0..<d { to[j] = (from[j] - o[j]) * s[j] }
        }
      }
    }
  }

  /// Scaled to raw, in place, for `rows` rows.
  public func invert(_ values: UnsafeMutablePointer<Float>, rows: Int) {
    guard method != .none else { return }
    offset.withUnsafeBufferPointer { o in
      scale.withUnsafeBufferPointer { s in
        aevec_unscale_rows(values, rows, o.count, o.baseAddress, s.baseAddress)
      }
    }
  }

  /// Raw to scaled, in place.
  public func apply(to data: Tensor) {
    precondition(data.cols == offset.count, "scaling has \(offset.count) features, data has \(data.cols)")
    apply(data.data, rows: data.rows, into: data.data)
  }

  /// Scaled to raw, in place.
  public func invert(_ data: Tensor) {
    precondition(data.cols == offset.count, "scaling has \(offset.count) features, data has \(data.cols)")
    invert(data.data, rows: data.rows)
  }
}
