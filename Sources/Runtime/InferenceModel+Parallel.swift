#if canImport(Glibc)
import Glibc
#endif
import Models
import Tensor

/// The compute calls with their rows split over the workspace's threads (see
/// Workspace+Threads.swift). Each takes the arguments of the call it is named after and checks
/// them all on the calling thread first, so a refusal (and its message, row numbers included)
/// is the one-thread call's. With one thread, or one row, each is that call itself.
extension InferenceModel {
  /// `encode`, split over `workspace.threads` threads.
  public func parallelEncode(
    _ x: UnsafePointer<Float>, rows: Int, conditions: UnsafePointer<Float>? = nil, labels: UnsafePointer<Int32>? = nil,
    into z: UnsafeMutablePointer<Float>, workspace: Workspace
  ) throws {
    guard let team = workspace.team, rows > 1 else {
      return try encode(x, rows: rows, conditions: conditions, labels: labels, into: z, workspace: workspace)
    }
    try validate("encode", x, rows: rows, what: "input", conditions: try conditionInput(conditions, labels), workspace)
    let job = ShareJob(.encode, self, workspace, rows: rows, input: x, conditions: conditions, labels: labels, output: z)
    try split(job, team, (z, codeWidth, "codes"))
  }

  /// `decode`, split over `workspace.threads` threads.
  public func parallelDecode(
    _ z: UnsafePointer<Float>, rows: Int, conditions: UnsafePointer<Float>? = nil, labels: UnsafePointer<Int32>? = nil,
    into x: UnsafeMutablePointer<Float>, workspace: Workspace
  ) throws {
    guard let team = workspace.team, rows > 1 else {
      return try decode(z, rows: rows, conditions: conditions, labels: labels, into: x, workspace: workspace)
    }
    try validate("decode", z, rows: rows, what: "code", conditions: try conditionInput(conditions, labels), workspace)
    let job = ShareJob(.decode, self, workspace, rows: rows, input: z, conditions: conditions, labels: labels, output: x)
    try split(job, team, (x, inputWidth, "reconstructions"))
  }

  /// `reconstruct`, split over `workspace.threads` threads.
  public func parallelReconstruct(
    _ x: UnsafePointer<Float>, rows: Int, conditions: UnsafePointer<Float>? = nil, labels: UnsafePointer<Int32>? = nil,
    into y: UnsafeMutablePointer<Float>, workspace: Workspace
  ) throws {
    guard let team = workspace.team, rows > 1 else {
      return try reconstruct(x, rows: rows, conditions: conditions, labels: labels, into: y, workspace: workspace)
    }
    try validate("reconstruct", x, rows: rows, what: "input", conditions: try conditionInput(conditions, labels), workspace)
    let job = ShareJob(.reconstruct, self, workspace, rows: rows, input: x, conditions: conditions, labels: labels, output: y)
    try split(job, team, (y, inputWidth, "reconstructions"))
  }

  /// `score`, split over `workspace.threads` threads.
  public func parallelScore(
    _ x: UnsafePointer<Float>, rows: Int, conditions: UnsafePointer<Float>? = nil, labels: UnsafePointer<Int32>? = nil,
    into scores: UnsafeMutablePointer<Float>, workspace: Workspace
  ) throws {
    guard let team = workspace.team, rows > 1 else {
      return try score(x, rows: rows, conditions: conditions, labels: labels, into: scores, workspace: workspace)
    }
    try validate("score", x, rows: rows, what: "input", conditions: try conditionInput(conditions, labels), workspace)
    let job = ShareJob(.score, self, workspace, rows: rows, input: x, conditions: conditions, labels: labels, output: scores)
    try split(job, team, (scores, 1, "scores"))
  }

  /// `encodeDistribution`, split over `workspace.threads` threads.
  public func parallelEncodeDistribution(
    _ x: UnsafePointer<Float>, rows: Int, conditions: UnsafePointer<Float>? = nil, labels: UnsafePointer<Int32>? = nil,
    mean: UnsafeMutablePointer<Float>, logVariance: UnsafeMutablePointer<Float>, workspace: Workspace
  ) throws {
    guard let team = workspace.team, rows > 1 else {
      return try encodeDistribution(x, rows: rows, conditions: conditions, labels: labels, mean: mean, logVariance: logVariance,
                                    workspace: workspace)
    }
    // The checks of `encodeDistribution`, in its order.
    try check(workspace)
    guard spec.isVariational else {
      throw InferenceError(.unsupported, "a \(spec.kind.rawValue) model has no posterior distribution; only a vae or cvae has")
    }
    try validate("encodeDistribution", x, rows: rows, what: "input", conditions: try conditionInput(conditions, labels), workspace)
    let job = ShareJob(.encodeDistribution, self, workspace, rows: rows, input: x, conditions: conditions, labels: labels, output: mean,
                       second: logVariance)
    try split(job, team, (mean, codeWidth, "means"), (logVariance, codeWidth, "log-variances"))
  }

  /// `sample`, split over `workspace.threads` threads: the same codes as one thread draws
  /// (each share first steps its copies of the seed's streams past the rows before it).
  public func parallelSample(
    rows: Int, seed: UInt64, temperature: Float, conditions: UnsafePointer<Float>? = nil, label: Int? = nil,
    into x: UnsafeMutablePointer<Float>, codes: UnsafeMutablePointer<Float>?, workspace: Workspace
  ) throws {
    guard let team = workspace.team, rows > 1 else {
      return try sample(rows: rows, seed: seed, temperature: temperature, conditions: conditions, label: label, into: x,
                        codes: codes, workspace: workspace)
    }
    // The checks of `sample`, in its order.
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
    try split(job, team, (x, inputWidth, "samples"), codes.map { ($0, codeWidth, "codes") })
  }

  /// `interpolate`, split over `workspace.threads` threads (each share computes its own steps
  /// of the path).
  public func parallelInterpolate(
    from a: UnsafePointer<Float>, to b: UnsafePointer<Float>, steps: Int, spherical: Bool,
    condition: UnsafePointer<Float>? = nil, label: Int32? = nil, into x: UnsafeMutablePointer<Float>, workspace: Workspace
  ) throws {
    guard let team = workspace.team, steps > 1 else {
      return try interpolate(from: a, to: b, steps: steps, spherical: spherical, condition: condition, label: label, into: x,
                             workspace: workspace)
    }
    // The checks of `interpolate`, in its order.
    try check(workspace)
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
    try split(job, team, (x, inputWidth, "rows"))
  }

  /// Rows `start ..< start + count` of `job`, with `workspace`'s scratch: the one-thread call
  /// on those rows, or for sampling and paths the rows as that call makes them. Row numbers
  /// in errors count from `start`.
  func runShare(_ job: ShareJob, start: Int, count: Int, workspace: Workspace) throws {
    let d = inputWidth, k = codeWidth, c = conditionWidth
    let conditions = job.conditions.map { $0 + start * c }, labels = job.labels.map { $0 + start }
    switch job.call {
    case .encode:
      try encode(job.input! + start * d, rows: count, conditions: conditions, labels: labels, into: job.output + start * k,
                 workspace: workspace)
    case .decode:
      try decode(job.input! + start * k, rows: count, conditions: conditions, labels: labels, into: job.output + start * d,
                 workspace: workspace)
    case .reconstruct:
      try reconstruct(job.input! + start * d, rows: count, conditions: conditions, labels: labels, into: job.output + start * d,
                      workspace: workspace)
    case .score:
      try score(job.input! + start * d, rows: count, conditions: conditions, labels: labels, into: job.output + start,
                workspace: workspace)
    case .encodeDistribution:
      try encodeDistribution(job.input! + start * d, rows: count, conditions: conditions, labels: labels,
                             mean: job.output + start * k, logVariance: job.second! + start * k, workspace: workspace)
    case .sample:
      try sampleShare(job, start: start, count: count, workspace: workspace)
    case .interpolate:
      try pathShare(job, start: start, count: count, workspace: workspace)
    }
  }

  /// Rows `start ..< start + count` of `sample(rows:seed:...)`: the streams of the seed are
  /// stepped past the draws of the rows before `start` (k Gaussians a row, and a drawn
  /// condition row when neither conditions nor a label are given), then the rows are drawn
  /// and decoded as `sample` does.
  private func sampleShare(_ job: ShareJob, start: Int, count: Int, workspace: Workspace) throws {
    var random = SeededRandom(seed: job.seed)
    var conditionRandom = SeededRandom(seed: job.seed, stream: 0xC0_4D)
    let k = codeWidth, c = conditionWidth, width = spec.decoderInputWidth, temperature = job.temperature, label = job.label
    let x = job.output, codes = job.second, conditions = job.conditions
    for _ in 0..<(start * k) { _ = random.gaussian() }
    if c > 0 && label < 0 && conditions == nil {
      for _ in 0..<start { ConditionRows.draw(conditionGroups, into: workspace.conditions, random: &conditionRandom) }
    }
    try checkedPasses("sample", count, workspace, (x + start * inputWidth, inputWidth, "samples"), codes.map { ($0 + start * k, k, "codes") }) { first, n in
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
      if let bad = firstNonFinite(z, rows: n, width: k, stride: width) {
        return (first + bad.row, bad.column, z[bad.row * width + bad.column], "drawn codes")
      }
      writeOutput(run(plan.decoder, from: z, rows: n, workspace), rows: n, into: x + (start + first) * inputWidth)
      return nil
    }
  }

  /// Steps `start ..< start + count` of `interpolate(from:to:steps:...)`, made as it makes them.
  private func pathShare(_ job: ShareJob, start: Int, count: Int, workspace: Workspace) throws {
    let k = codeWidth, c = conditionWidth, width = k + c, steps = job.rows, label = job.label, angle = job.angle
    let a = job.input!, b = job.to!, x = job.output, condition = job.conditions
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
}

/// A call's arguments as the threads of a workspace read them: pointers and numbers, no
/// closure, so handing a call to the threads allocates nothing. The model and workspace are
/// not retained: the call that makes the job keeps both alive until every share has ended.
struct ShareJob {
  enum Call { case encode, decode, reconstruct, score, encodeDistribution, sample, interpolate }
  let call: Call
  unowned(unsafe) let model: InferenceModel
  /// The calling thread's workspace (share 0's scratch).
  unowned(unsafe) let workspace: Workspace
  /// Rows of the call (steps of a path).
  let rows: Int
  /// Input rows or codes; a path's first end.
  var input: UnsafePointer<Float>?
  /// Condition rows (a path's one condition row), or labels.
  var conditions: UnsafePointer<Float>?
  var labels: UnsafePointer<Int32>?
  /// The output, and the second one: log-variances, or a sample's codes.
  var output: UnsafeMutablePointer<Float>
  var second: UnsafeMutablePointer<Float>?
  /// Sampling: the seed, temperature and class (-1: none, also for paths).
  var seed: UInt64 = 0
  var temperature: Float = 1
  var label = -1
  /// Paths: the second end, the shape and the angle between the ends.
  var to: UnsafePointer<Float>?
  var spherical = false
  var angle = 0.0

  init(
    _ call: Call, _ model: InferenceModel, _ workspace: Workspace, rows: Int, input: UnsafePointer<Float>? = nil,
    conditions: UnsafePointer<Float>? = nil, labels: UnsafePointer<Int32>? = nil, output: UnsafeMutablePointer<Float>,
    second: UnsafeMutablePointer<Float>? = nil
  ) {
    self.call = call
    self.model = model
    self.workspace = workspace
    self.rows = rows
    self.input = input
    self.conditions = conditions
    self.labels = labels
    self.output = output
    self.second = second
  }
}
