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
    var fitter = Fitter(method: method, width: data.cols, isByteData: isByteData)
    for pass in 0..<fitter.passes {
      fitter.observe(data.data, rows: data.rows, pass: pass)
      fitter.finishPass(pass)
    }
    return fitter.scaling()
  }

  /// `fit`, one block of rows at a time, for data read from disk in pieces: every pass sees
  /// every row, in order (`passes` of them: 0, 1 or 2), then `scaling()`. The sums are the
  /// same, in the same order, as `fit` over the whole data makes them.
  public struct Fitter {
    public let method: Method
    public let width: Int
    public let isByteData: Bool
    private var low: [Float], high: [Float], mean: [Double], square: [Double]
    private var rows = 0

    public init(method: Method, width: Int, isByteData: Bool = false) {
      self.method = method
      self.width = width
      self.isByteData = isByteData
      low = Array(repeating: .infinity, count: width)
      high = Array(repeating: -.infinity, count: width)
      mean = Array(repeating: 0, count: width)
      square = Array(repeating: 0, count: width)
    }

    /// Passes over the data this method needs: min and max (unit); the mean, then the squares
    /// about it (standard); none (none, or unit on bytes).
    public var passes: Int {
      switch method {
      case .none: 0
      case .unit: isByteData ? 0 : 1
      case .standard: 2
      }
    }

    public mutating func observe(_ values: UnsafePointer<Float>, rows n: Int, pass: Int) {
      let d = width
      for r in 0..<n {
        let row = values + r * d
        switch (method, pass) {
        case (.unit, _): for j in 0..<d { low[j] = min(low[j], row[j]); high[j] = max(high[j], row[j]) }
        case (.standard, 0): for j in 0..<d { mean[j] += Double(row[j]) }
        case (.standard, _): for j in 0..<d { let c = Double(row[j]) - mean[j]; square[j] += c * c }
        default: break
        }
      }
      if pass == 0 { rows += n }
    }

    /// Call between the two passes of `standard`: the sums become the means.
    public mutating func finishPass(_ pass: Int) {
      guard method == .standard, pass == 0 else { return }
      for j in 0..<width { mean[j] /= Double(max(rows, 1)) }
    }

    public func scaling() -> Scaling {
      let d = width, n = rows
      switch method {
      case .none:
        return identity(width: d)
      case .unit where isByteData:
        return Scaling(method: .unit, offset: Array(repeating: 0, count: d), scale: Array(repeating: 1 / 255, count: d))
      case .unit:
        let offset = low.map { $0.isFinite ? $0 : 0 }
        let scale = (0..<d).map { j -> Float in
          let range = high[j] - low[j]
          return range > 0 && range.isFinite ? 1 / range : 1
        }
        return Scaling(method: .unit, offset: offset, scale: scale)
      case .standard:
        let scale = (0..<d).map { j -> Float in
          let sd = (square[j] / Double(max(n, 1))).squareRoot()
          return sd > 1e-12 ? Float(1 / sd) : 1
        }
        return Scaling(method: .standard, offset: mean.map(Float.init), scale: scale)
      }
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
