#if canImport(Glibc)
import Glibc
#endif
import Models
import Tensor

/// Generating: new samples from the prior, and paths between codes. A workspace set to
/// several threads splits the rows over them; `sampleRows` and `pathRows` are the one body
/// both the calling thread and the workspace's threads run.
extension InferenceModel {
  /// VAE: `rows` new samples in raw units: codes z ~ N(0, temperature^2 I) drawn from `seed`
  /// (the same seed gives the same samples, whatever the workspace or thread), then decoded.
  /// The codes go to `codes` too when it is given.
  ///
  /// Conditional models take `conditions` (rows x conditionWidth), or `label` (every row
  /// that class), or neither: then each row's one-hot conditions are drawn uniformly from
  /// the seed too (models with continuous conditions need them given).
  public func sample(
    rows: Int, seed: UInt64, temperature: Float, conditions: UnsafePointer<Float>? = nil, label: Int? = nil,
    into x: UnsafeMutablePointer<Float>, codes: UnsafeMutablePointer<Float>?, workspace: Workspace
  ) throws {
    try check(workspace)
    guard spec.isVariational else { throw InferenceError(.unsupported, "a \(spec.kind.rawValue) model cannot sample; only a vae or cvae can") }
    guard conditions == nil || label == nil else { throw InferenceError(.invalidArgument, "pass condition rows or a label, not both") }
    if let label {
      try checkLabel("sample", label)
    } else if let conditions {
      try checkConditions("sample", .rows(conditions), rows: rows)
    } else if conditionWidth > 0 && !ConditionRows.canDraw(conditionGroups) {
      throw InferenceError(.unsupported, "this model's conditions (\(ConditionRows.describe(spec))) cannot be drawn; pass condition rows")
    }
    guard temperature.isFinite, temperature >= 0 else {
      throw InferenceError(.invalidArgument, "temperature must be finite and >= 0, got \(temperature)")
    }
    var job = ShareJob(.sample, self, workspace, rows: rows, conditions: conditions, output: x, second: codes)
    job.seed = seed
    job.temperature = temperature
    job.label = label ?? -1
    if let team = workspace.teamToSplit, rows > 1 {
      return try split(job, team, (x, inputWidth, "samples"), codes.map { ($0, codeWidth, "codes") })
    }
    try sampleRows(job, start: 0, count: rows, workspace: workspace)
  }

  /// Rows `start ..< start + count` of a `sample` call: the seed's streams are stepped past
  /// the draws of the rows before `start` (k Gaussians a row, and a drawn condition row when
  /// neither conditions nor a label are given), so any split of the rows over threads draws
  /// the same codes as one thread; then the rows are drawn and decoded.
  func sampleRows(_ job: ShareJob, start: Int, count: Int, workspace: Workspace) throws {
    var random = SeededRandom(seed: job.seed)
    // Drawn conditions come from their own stream, so an unconditional draw of the codes is
    // the same numbers whatever the conditions.
    var conditionRandom = SeededRandom(seed: job.seed, stream: 0xC0_4D)
    let k = codeWidth, c = conditionWidth, width = spec.decoderInputWidth, temperature = job.temperature, label = job.label
    let x = job.output, codes = job.second, conditions = job.conditions
    for _ in 0..<(start * k) { _ = random.gaussian() }
    if c > 0 && label < 0 && conditions == nil {
      for _ in 0..<start { ConditionRows.draw(conditionGroups, into: workspace.conditions, random: &conditionRandom) }
    }
    try checkedPasses("sample", count, workspace, (x + start * inputWidth, inputWidth, "samples"),
                      codes.map { ($0 + start * k, k, "codes") }) { first, n in
      let z = workspace.a
      for r in 0..<n {
        let row = z + r * width
        for j in 0..<k { row[j] = temperature * random.gaussian() }
        if c > 0 {
          if label >= 0 {
            (row + k).update(repeating: 0, count: c)
            row[k + label] = 1
          } else if let conditions {
            (row + k).update(from: conditions + (start + first + r) * c, count: c)
          } else {
            ConditionRows.draw(conditionGroups, into: row + k, random: &conditionRandom)
          }
        }
        codes.map { ($0 + (start + first + r) * k).update(from: row, count: k) }
      }
      // The drawn codes overflow for a huge temperature even when the caller does not ask for them.
      if let bad = firstNonFinite(z, rows: n, width: k, stride: width) {
        return (first + bad.row, bad.column, z[bad.row * width + bad.column], "drawn codes")
      }
      writeOutput(run(plan.decoder, from: z, rows: n, workspace), rows: n, into: x + (start + first) * inputWidth)
      return nil
    }
  }

  /// Decode `steps` codes on the path from `a` to `b` (codeWidth values each): straight, or
  /// along the great circle (slerp, better for Gaussian codes) when `spherical`. Conditional
  /// models take one `condition` row (or a `label`) used for every step.
  public func interpolate(
    from a: UnsafePointer<Float>, to b: UnsafePointer<Float>, steps: Int, spherical: Bool,
    condition: UnsafePointer<Float>? = nil, label: Int32? = nil, into x: UnsafeMutablePointer<Float>, workspace: Workspace
  ) throws {
    try check(workspace)
    guard steps >= 2 else { throw InferenceError(.invalidArgument, "interpolation needs at least 2 steps, got \(steps)") }
    if let label {
      guard condition == nil else { throw InferenceError(.invalidArgument, "pass a condition row or a label, not both") }
      try checkLabel("interpolate", Int(label))
    } else {
      try checkConditions("interpolate", ConditionInput(conditions: condition, labels: nil), rows: 1)
    }
    try checkFinite(a, count: codeWidth, what: "code")
    try checkFinite(b, count: codeWidth, what: "code")
    var dot = 0.0, normA = 0.0, normB = 0.0
    for j in 0..<codeWidth {
      dot += Double(a[j]) * Double(b[j]); normA += Double(a[j] * a[j]); normB += Double(b[j] * b[j])
    }
    let cosine = dot / max((normA * normB).squareRoot(), 1e-30)
    var job = ShareJob(.interpolate, self, workspace, rows: steps, input: a, conditions: condition, output: x)
    job.to = b
    job.spherical = spherical
    job.angle = acos(min(max(cosine, -1), 1))
    job.label = label.map { Int($0) } ?? -1
    if let team = workspace.teamToSplit {
      return try split(job, team, (x, inputWidth, "rows"))
    }
    try pathRows(job, start: 0, count: steps, workspace: workspace)
  }

  /// Steps `start ..< start + count` of an `interpolate` call.
  func pathRows(_ job: ShareJob, start: Int, count: Int, workspace: Workspace) throws {
    let k = codeWidth, c = conditionWidth, width = k + c, steps = job.rows, label = job.label, angle = job.angle
    guard let a = job.input, let b = job.to else { throw InferenceError(.invalidArgument, "internal: a path without its ends") }
    let x = job.output, condition = job.conditions
    try checkedPasses("interpolate", count, workspace, (x + start * inputWidth, inputWidth, "rows")) { first, n in
      let z = workspace.a
      for r in 0..<n {
        let t = Double(start + first + r) / Double(steps - 1)
        var wa = 1 - t, wb = t
        if job.spherical && angle > 1e-6 {
          wa = sin((1 - t) * angle) / sin(angle)
          wb = sin(t * angle) / sin(angle)
        }
        let row = z + r * width
        for j in 0..<k { row[j] = Float(wa * Double(a[j]) + wb * Double(b[j])) }
        if c > 0 {
          if label >= 0 {
            (row + k).update(repeating: 0, count: c)
            row[k + label] = 1
          } else if let condition {
            (row + k).update(from: condition, count: c)
          }
        }
      }
      if let bad = firstNonFinite(z, rows: n, width: k, stride: width) {
        return (first + bad.row, bad.column, z[bad.row * width + bad.column], "codes on the path")
      }
      writeOutput(run(plan.decoder, from: z, rows: n, workspace), rows: n, into: x + (start + first) * inputWidth)
      return nil
    }
  }

  /// Throws unless `label` is a class of a model conditioned on one class label.
  func checkLabel(_ name: String, _ label: Int) throws {
    guard classCount > 0 else {
      throw InferenceError(.unsupported, conditionWidth == 0
        ? "\(name): a \(spec.kind.rawValue) model has no classes; call it without a label"
        : "\(name): this model's condition is not one class label (\(ConditionRows.describe(spec))); pass condition rows")
    }
    guard (0..<classCount).contains(label) else {
      throw InferenceError(.invalidArgument, "\(name): class \(label) is outside 0..<\(classCount)")
    }
  }
}
