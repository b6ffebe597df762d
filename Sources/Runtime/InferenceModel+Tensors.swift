import Models
import Tensor

/// The runtime's calls on `Tensor`s, for Swift callers (the CLI, tests): each makes a
/// workspace for the call and returns a new tensor. Conditional models take `conditions`
/// (rows x conditionWidth) or `labels`.
extension InferenceModel {
  public func encode(_ x: Tensor, conditions: Tensor? = nil, labels: [Int]? = nil) throws -> Tensor {
    let z = Tensor(rows: x.rows, cols: codeWidth)
    try call(x, conditions, labels) { ws, c, l in try encode(x.data, rows: x.rows, conditions: c, labels: l, into: z.data, workspace: ws) }
    return z
  }

  public func decode(_ z: Tensor, conditions: Tensor? = nil, labels: [Int]? = nil) throws -> Tensor {
    let x = Tensor(rows: z.rows, cols: inputWidth)
    try call(z, conditions, labels) { ws, c, l in try decode(z.data, rows: z.rows, conditions: c, labels: l, into: x.data, workspace: ws) }
    return x
  }

  public func reconstruct(_ x: Tensor, conditions: Tensor? = nil, labels: [Int]? = nil) throws -> Tensor {
    let y = Tensor(rows: x.rows, cols: inputWidth)
    try call(x, conditions, labels) { ws, c, l in try reconstruct(x.data, rows: x.rows, conditions: c, labels: l, into: y.data, workspace: ws) }
    return y
  }

  public func score(_ x: Tensor, conditions: Tensor? = nil, labels: [Int]? = nil) throws -> [Float] {
    var scores = [Float](repeating: 0, count: x.rows)
    try scores.withUnsafeMutableBufferPointer { out in
      try call(x, conditions, labels) { ws, c, l in
        try score(x.data, rows: x.rows, conditions: c, labels: l, into: out.baseAddress!, workspace: ws)
      }
    }
    return scores
  }

  public func encodeDistribution(_ x: Tensor, conditions: Tensor? = nil, labels: [Int]? = nil) throws -> (mean: Tensor, logVariance: Tensor) {
    let mean = Tensor(rows: x.rows, cols: codeWidth), logVariance = Tensor(rows: x.rows, cols: codeWidth)
    try call(x, conditions, labels) { ws, c, l in
      try encodeDistribution(x.data, rows: x.rows, conditions: c, labels: l, mean: mean.data, logVariance: logVariance.data, workspace: ws)
    }
    return (mean, logVariance)
  }

  /// `rows` samples (and their codes) drawn from `seed`; see `sample(rows:seed:...)`.
  public func sample(rows: Int, seed: UInt64, temperature: Float = 1, conditions: Tensor? = nil, label: Int? = nil) throws -> (samples: Tensor, codes: Tensor) {
    let x = Tensor(rows: rows, cols: inputWidth), z = Tensor(rows: rows, cols: codeWidth)
    if let conditions, conditions.rows != rows || conditions.cols != conditionWidth {
      throw InferenceError(.invalidArgument, "conditions are \(conditions.rows)x\(conditions.cols); sampling \(rows) rows needs \(rows)x\(conditionWidth)")
    }
    let workspace = try makeWorkspace(maxRows: max(1, min(rows, 256)))
    try sample(rows: rows, seed: seed, temperature: temperature, conditions: conditions.map { UnsafePointer($0.data) }, label: label,
               into: x.data, codes: z.data, workspace: workspace)
    return (x, z)
  }

  /// Make a workspace and the condition pointers for a call on `x` rows, then run `body`.
  private func call(
    _ x: Tensor, _ conditions: Tensor?, _ labels: [Int]?,
    _ body: (Workspace, UnsafePointer<Float>?, UnsafePointer<Int32>?) throws -> Void
  ) throws {
    if let conditions, conditions.rows != x.rows || conditions.cols != conditionWidth {
      throw InferenceError(.invalidArgument, "conditions are \(conditions.rows)x\(conditions.cols); \(x.rows) rows need \(x.rows)x\(conditionWidth)")
    }
    if let labels, labels.count != x.rows {
      throw InferenceError(.invalidArgument, "\(labels.count) labels for \(x.rows) rows")
    }
    let workspace = try makeWorkspace(maxRows: max(1, min(x.rows, 256)))
    let narrow = labels?.map { Int32(clamping: $0) }
    try narrow.withOptionalBuffer { labelPointer in
      try body(workspace, conditions.map { UnsafePointer($0.data) }, labelPointer)
    }
  }
}

extension Optional where Wrapped == [Int32] {
  /// The array's storage for the call, or nil.
  fileprivate func withOptionalBuffer(_ body: (UnsafePointer<Int32>?) throws -> Void) rethrows {
    guard let array = self else { return try body(nil) }
    try array.withUnsafeBufferPointer { try body($0.baseAddress) }
  }
}
