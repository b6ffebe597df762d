// Shared by the fuzz targets: run a model that loaded through every compute call it supports.
import Models
import Runtime

/// Every compute call the model supports, on two rows: zeros, and small values.
public func exercise(_ model: InferenceModel) {
  let rows = 2, d = model.inputWidth, k = model.codeWidth, classes = model.classCount
  guard let workspace = try? model.makeWorkspace(maxRows: 1) else { return } // 1 row per pass: passes are run too
  var x = [Float](repeating: 0, count: rows * d)
  for j in 0..<d { x[d + j] = Float(j % 7) * 0.125 }
  var z = [Float](repeating: 0, count: rows * k)
  var codes = [Float](repeating: 0, count: rows * k) // decode's input: finite, unlike what encode may return
  for j in 0..<k { codes[k + j] = Float(j % 5) * 0.25 - 0.5 }
  var y = [Float](repeating: 0, count: rows * d)
  var scores = [Float](repeating: 0, count: rows)
  let labels: [Int32]? = classes > 0 ? [0, Int32(classes - 1)] : nil
  // Condition rows for every conditional model: each one-hot group's last class, 0.5 for continuous values.
  var conditions: [Float]? = nil
  if model.conditionWidth > 0 {
    var row: [Float] = []
    for group in model.spec.conditionGroups {
      row += group.kind == .oneHot ? (0..<group.width).map { $0 == group.width - 1 ? 1 : 0 } : Array(repeating: 0.5, count: group.width)
    }
    conditions = row + row
  }
  report {
    try labels.withOptionalPointer { l in
      try model.encode(x, rows: rows, labels: l, into: &z, workspace: workspace)
      try model.decode(codes, rows: rows, labels: l, into: &y, workspace: workspace)
      try model.reconstruct(x, rows: rows, labels: l, into: &y, workspace: workspace)
      try model.score(x, rows: rows, labels: l, into: &scores, workspace: workspace)
    }
  }
  if let conditions {
    report {
      try model.reconstruct(x, rows: rows, conditions: conditions, into: &y, workspace: workspace)
      try model.decode(codes, rows: rows, conditions: conditions, into: &y, workspace: workspace)
    }
  }
  if model.canSample {
    report {
      try model.sample(rows: rows, seed: 1, temperature: 1, label: classes > 0 ? classes - 1 : nil, into: &y,
                       codes: &z, workspace: workspace)
      try model.sample(rows: rows, seed: 1, temperature: 1, into: &y, codes: &z, workspace: workspace)
    }
  }
  if model.spec.isVariational {
    var logVariance = [Float](repeating: 0, count: rows * k)
    report { try model.encodeDistribution(x, rows: rows, conditions: conditions, mean: &z, logVariance: &logVariance, workspace: workspace) }
  }
  let a = [Float](repeating: 0, count: k), b = [Float](repeating: 0.5, count: k)
  var path = [Float](repeating: 0, count: 3 * d)
  report {
    try model.interpolate(from: a, to: b, steps: 3, spherical: true, condition: conditions, into: &path, workspace: workspace)
  }
}

/// A compute call on a model that loaded must not throw for these inputs: all finite, labels in
/// range, the workspace its own. A refusal here means the loader let through a model the
/// runtime cannot run, which is a finding too (it traps, so libFuzzer saves the input). The one
/// refusal allowed is the documented one for results that overflow a float (AE_ERROR_NON_FINITE):
/// weights and statistics within the loader's bounds can still multiply past 3.4e38.
func report(_ body: () throws -> Void) {
  do {
    try body()
  } catch let error as InferenceError where error.kind == .nonFinite {
    return
  } catch {
    fatalError("a loaded model refused a valid call: \(error)")
  }
}

extension Optional where Wrapped == [Int32] {
  func withOptionalPointer<R>(_ body: (UnsafePointer<Int32>?) throws -> R) rethrows -> R {
    switch self {
    case .some(let array): try array.withUnsafeBufferPointer { try body($0.baseAddress) }
    case .none: try body(nil)
    }
  }
}
