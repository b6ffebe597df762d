#if canImport(Glibc)
import Glibc
#endif
import Models
import Tensor

/// The share of a call's rows that one thread runs (see Workspace+Threads.swift): each is the
/// one-thread code on contiguous rows, with that thread's own scratch.
extension InferenceModel {
  /// Rows `start ..< start + count` of `job`, with `workspace`'s scratch: the one-thread call
  /// on those rows, or for sampling and paths the rows as that call makes them. Row numbers
  /// in errors count from `start`.
  func runShare(_ job: ShareJob, start: Int, count: Int, workspace: Workspace) throws {
    let d = inputWidth, k = codeWidth, c = conditionWidth
    let conditions = job.conditions.map { $0 + start * c }, labels = job.labels.map { $0 + start }
    let input = job.input ?? UnsafePointer(job.output) // set for every call but sampling, which reads none
    switch job.call {
    case .encode:
      try encode(input + start * d, rows: count, conditions: conditions, labels: labels, into: job.output + start * k,
                 workspace: workspace)
    case .decode:
      try decode(input + start * k, rows: count, conditions: conditions, labels: labels, into: job.output + start * d,
                 workspace: workspace)
    case .reconstruct:
      try reconstruct(input + start * d, rows: count, conditions: conditions, labels: labels, into: job.output + start * d,
                      workspace: workspace)
    case .score:
      try score(input + start * d, rows: count, conditions: conditions, labels: labels, into: job.output + start,
                workspace: workspace)
    case .encodeDistribution:
      try encodeDistribution(input + start * d, rows: count, conditions: conditions, labels: labels,
                             mean: job.output + start * k, logVariance: (job.second ?? job.output) + start * k, workspace: workspace)
    case .sample:
      try sampleRows(job, start: start, count: count, workspace: workspace)
    case .interpolate:
      try pathRows(job, start: start, count: count, workspace: workspace)
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
