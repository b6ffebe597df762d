import Tensor

/// Scratch buffers for one thread's calls on one model: allocated once, so calls that use a
/// workspace allocate nothing.
public final class Workspace: @unchecked Sendable {
  public let model: InferenceModel
  public let maxRows: Int
  /// Inputs through the pipeline (maxRows, network input width).
  let scaled: UnsafeMutablePointer<Float>
  /// Ping-pong activations (maxRows, maxWidth) each.
  let a: UnsafeMutablePointer<Float>
  let b: UnsafeMutablePointer<Float>
  /// im2col patches of convolutions (maxRows, maxColumns).
  let columns: UnsafeMutablePointer<Float>
  /// Condition rows made from labels or drawn for sampling (maxRows, conditionWidth).
  let conditions: UnsafeMutablePointer<Float>

  /// Where int8 products quantize their rows (a model at int8 only).
  let int8: Int8Scratch?

  /// The one block the buffers live in, and its size in floats.
  private let block: FloatBuffer
  var blockFloats: Int { block.count }
  /// The other threads' scratch and the threads themselves when calls run on several threads
  /// (nil: one thread); see Workspace+Threads.swift.
  /// True while a call on this workspace runs its shares (share 0 runs here, on the calling
  /// thread): the call's own code must then not split again.
  var splitting = false
  /// The threads to split a call over: none while splitting, or without `setThreads`.
  var teamToSplit: WorkerTeam? { splitting ? nil : team }
  var team: WorkerTeam?
  /// The same threads' count for splitting each product of a call that is not split by rows
  /// (a single row): nil with one thread, or when OpenBLAS runs the products.
  var productTeam: BLAS.Team?

  /// Throws `overflow` when the workspace's size does not fit in Int, and `AllocationError`
  /// when it is larger than physical memory or the allocation fails: never traps.
  init(model: InferenceModel, maxRows: Int) throws {
    guard maxRows >= 1 else { throw InferenceError(.invalidArgument, "a workspace needs max_rows >= 1, got \(maxRows)") }
    let line = 16 // floats per 64-byte cache line; each buffer starts on one
    /// maxRows rows of `width` floats, in whole cache lines; nil when that overflows.
    func lines(_ width: Int) -> Int? {
      let (count, overflow) = maxRows.multipliedReportingOverflow(by: max(width, 1))
      return overflow || count > Int.max - line ? nil : (count + line - 1) / line * line
    }
    let plan = model.plan, inputWidth = model.spec.inputWidth
    let int8PerRow = model.quantized == nil ? nil : QuantizedKernels.scratchFloatsPerRow(plan)
    let widths = [inputWidth, plan.maxWidth, plan.maxWidth, plan.maxColumns, model.spec.conditionWidth, int8PerRow?.floats ?? 0]
    let perRow = widths.reduce(0, +)
    var counts: [Int] = []
    var total = 0
    for width in widths {
      guard let count = lines(width), case let (sum, overflow) = total.addingReportingOverflow(count), !overflow else {
        throw InferenceError(.overflow, "a workspace for \(maxRows) rows of \(perRow) values does not fit in the address space")
      }
      counts.append(count)
      total = sum
    }
    guard case (_, false) = total.multipliedReportingOverflow(by: MemoryLayout<Float>.stride) else {
      throw InferenceError(.overflow, "a workspace for \(maxRows) rows of \(perRow) values does not fit in the address space")
    }
    block = try FloatBuffer(count: total, for: "a workspace of \(maxRows) rows (calls with more rows run in passes: use fewer)")
    self.model = model
    self.maxRows = maxRows
    scaled = block.pointer
    a = scaled + counts[0]
    b = a + counts[1]
    columns = b + counts[2]
    conditions = columns + counts[3]
    let int8Start = conditions + counts[4]
    int8 = int8PerRow.map { Int8Scratch(int8Start, maxRows: maxRows, perRow: $0) }
  }
}
