import CVector
import Layers
import Models
import Tensor

/// Where a call's condition rows come from: none, the caller's rows (rows x conditionWidth),
/// or class labels turned into one-hot rows pass by pass.
public enum ConditionInput {
  case none
  case rows(UnsafePointer<Float>)
  case labels(UnsafePointer<Int32>)

  /// From the two optional arguments the calls take (at most one of them is given).
  init(conditions: UnsafePointer<Float>?, labels: UnsafePointer<Int32>?) {
    if let conditions { self = .rows(conditions) } else if let labels { self = .labels(labels) } else { self = .none }
  }

  var isNone: Bool { if case .none = self { true } else { false } }
}

extension InferenceModel {
  // MARK: Checks

  /// The checks every data-taking call makes: its workspace, conditions exactly when the
  /// model is conditional (labels in range, rows finite), and finite values in its `rows`
  /// rows of input ("input") or codes ("code").
  func validate(
    _ name: String, _ values: UnsafePointer<Float>, rows: Int, what: String, conditions: ConditionInput,
    _ workspace: Workspace
  ) throws {
    try check(workspace)
    try checkConditions(name, conditions, rows: rows)
    try checkFinite(values, count: rows * (what == "code" ? codeWidth : inputWidth), what: what)
  }

  func checkConditions(_ name: String, _ conditions: ConditionInput, rows: Int) throws {
    switch conditions {
    case .none:
      guard conditionWidth == 0 else {
        throw InferenceError(.unsupported, "\(name) on a conditional model needs a condition row per row (\(ConditionRows.describe(spec))): the _labeled or _conditioned calls, labels= or conditions=")
      }
    case .labels(let labels):
      guard classCount > 0 else {
        throw InferenceError(.unsupported, conditionWidth == 0
          ? "\(name): a \(spec.kind.rawValue) model has no classes; call it without labels"
          : "\(name): this model's condition is not one class label (\(ConditionRows.describe(spec))); pass condition rows")
      }
      for r in 0..<rows where !(0..<Int32(classCount)).contains(labels[r]) {
        throw InferenceError(.invalidArgument, "\(name): label \(labels[r]) of row \(r) is outside 0..<\(classCount)")
      }
    case .rows(let values):
      guard conditionWidth > 0 else {
        throw InferenceError(.unsupported, "\(name): a \(spec.kind.rawValue) model takes no conditions")
      }
      do { try ConditionRows.check(conditionGroups, values, rows: rows) } catch {
        throw InferenceError(VectorMath.containsNonFinite(values, count: rows * conditionWidth) ? .nonFinite : .invalidArgument, "\(name): \(error)")
      }
    }
  }

  /// The workspace is this model's; and, unless the call is a table call, the model is not a
  /// table model (whose rows hold categories and missing values, not network floats).
  func check(_ workspace: Workspace, tableCall: Bool = false) throws {
    guard workspace.model === self else {
      throw InferenceError(.workspace, "the workspace was made for another model")
    }
    guard tableCall || table == nil else {
      throw InferenceError(.unsupported, "this is a table model: sample its rows with sampleTable (ae_sample_table, Model.sample_table, ae augment sample)")
    }
  }

  func checkFinite(_ values: UnsafePointer<Float>, count: Int, what: String) throws {
    guard VectorMath.containsNonFinite(values, count: count) else { return }
    let width = what == "code" ? codeWidth : inputWidth
    for i in 0..<count where !values[i].isFinite {
      throw InferenceError(.nonFinite, "\(what) row \(i / width), column \(i % width) is \(values[i]); values must be finite")
    }
  }

  // MARK: Passes

  /// An output of a call: `rows` rows of `width` values at `values`, called `what`.
  typealias Output = (values: UnsafeMutablePointer<Float>, width: Int, what: String)
  typealias BadValue = (row: Int, column: Int, value: Float, what: String)

  /// Run `body(firstRow, rowCount)` over passes of at most the workspace's row count, then
  /// check each pass's results in `first` and `second`: finite inputs can still give results
  /// that do not fit in Float (a huge input or code times a weight), which must not pass as
  /// success. On the first non-finite result every value of both outputs is set to NaN and
  /// the call throws `nonFinite`.
  @inline(__always)
  func passes(
    _ name: String, _ rows: Int, _ workspace: Workspace, _ first: Output, _ second: Output? = nil,
    _ body: (Int, Int) -> Void
  ) throws {
    try checkedPasses(name, rows, workspace, first, second) { start, n in
      body(start, n)
      return nil
    }
  }

  /// `passes` for a body that checks values of its own: it returns the first non-finite one
  /// it found, or nil.
  @inline(__always)
  func checkedPasses(
    _ name: String, _ rows: Int, _ workspace: Workspace, _ first: Output, _ second: Output? = nil,
    _ body: (Int, Int) -> BadValue?
  ) throws {
    var start = 0
    while start < rows {
      let n = min(workspace.maxRows, rows - start)
      var bad = body(start, n)
      if bad == nil { bad = nonFinite(first, start, n) }
      if bad == nil, let second { bad = nonFinite(second, start, n) }
      if let bad {
        first.values.update(repeating: .nan, count: rows * first.width)
        second.map { $0.values.update(repeating: .nan, count: rows * $0.width) }
        throw InferenceError(.nonFinite, "\(name): the result does not fit in 32-bit floats: row \(bad.row), column \(bad.column) of the \(bad.what) is \(bad.value) although the input was finite (values too large for this model); every output value was set to NaN")
      }
      start += n
    }
  }

  /// The first non-finite value among rows `start ..< start + n` of `output`, or nil.
  @inline(__always)
  func nonFinite(_ output: Output, _ start: Int, _ n: Int) -> BadValue? {
    let pass = output.values + start * output.width
    guard let found = firstNonFinite(pass, rows: n, width: output.width, stride: output.width) else { return nil }
    return (start + found.row, found.column, pass[found.row * output.width + found.column], output.what)
  }

  /// The first non-finite value among `rows` rows of `width` values `stride` apart, or nil.
  @inline(__always)
  func firstNonFinite(_ values: UnsafePointer<Float>, rows: Int, width: Int, stride: Int) -> (row: Int, column: Int)? {
    if stride == width {
      guard VectorMath.containsNonFinite(values, count: rows * width) else { return nil }
    }
    for r in 0..<rows {
      for j in 0..<width where !values[r * stride + j].isFinite { return (r, j) }
    }
    return nil
  }

  // MARK: Running the plan

  /// The condition rows of rows `start ..< start + n`: the caller's, or one-hot rows made from
  /// labels in the workspace; nil for an unconditional call.
  @inline(__always)
  func conditionRows(_ conditions: ConditionInput, start: Int, rows n: Int, _ workspace: Workspace) -> UnsafePointer<Float>? {
    let c = conditionWidth
    switch conditions {
    case .none: return nil
    case .rows(let values): return values + start * c
    case .labels(let labels):
      let rows = workspace.conditions
      rows.update(repeating: 0, count: n * c)
      for r in 0..<n { rows[r * c + Int(labels[start + r])] = 1 }
      return UnsafePointer(rows)
    }
  }

  /// Raw rows through the pipeline into `workspace.scaled`, then the encoder; returns its
  /// output (the head). Conditional models read each row with its condition row appended.
  func runEncoder(
    _ x: UnsafePointer<Float>, rows n: Int, conditions: UnsafePointer<Float>?, _ workspace: Workspace
  ) -> UnsafeMutablePointer<Float> {
    let s = workspace.scaled
    pipeline.forward(x, rows: n, into: s)
    guard let conditions else { return run(plan.encoder, from: s, rows: n, workspace) }
    let d = spec.inputWidth
    return run(plan.encoder, from: appending(conditions, to: s, rows: n, width: d, into: workspace.a), rows: n, workspace)
  }

  /// Encoder, then decoder (on the code and, for conditional models, the condition); the logits.
  func runAutoencoder(
    _ x: UnsafePointer<Float>, rows n: Int, conditions: UnsafePointer<Float>?, _ workspace: Workspace
  ) -> UnsafeMutablePointer<Float> {
    runDecoder(codes(runEncoder(x, rows: n, conditions: conditions, workspace), rows: n, workspace),
               rows: n, conditions: conditions, workspace)
  }

  /// The decoder on codes in one of the ping-pong buffers (and, for conditional models, the
  /// condition); the logits.
  func runDecoder(
    _ code: UnsafeMutablePointer<Float>, rows n: Int, conditions: UnsafePointer<Float>?, _ workspace: Workspace
  ) -> UnsafeMutablePointer<Float> {
    guard let conditions else { return run(plan.decoder, from: code, rows: n, workspace) }
    let input = appending(conditions, to: code, rows: n, width: codeWidth, into: code == workspace.a ? workspace.b : workspace.a)
    return run(plan.decoder, from: input, rows: n, workspace)
  }

  /// Rows of `width` values at `values`, each followed by its condition row, in `buffer`
  /// (which must not overlap `values`). Returns `buffer`.
  @inline(__always)
  func appending(
    _ conditions: UnsafePointer<Float>, to values: UnsafePointer<Float>, rows n: Int, width: Int,
    into buffer: UnsafeMutablePointer<Float>
  ) -> UnsafeMutablePointer<Float> {
    let c = conditionWidth, total = width + c
    for r in 0..<n {
      (buffer + r * total).update(from: values + r * width, count: width)
      (buffer + r * total + width).update(from: conditions + r * c, count: c)
    }
    return buffer
  }

  /// The codes in the encoder's output: itself, or for a VAE the means, packed into the other
  /// ping-pong buffer (the head holds mu and logvar side by side).
  func codes(_ head: UnsafeMutablePointer<Float>, rows n: Int, _ workspace: Workspace) -> UnsafeMutablePointer<Float> {
    guard spec.isVariational else { return head }
    let k = codeWidth
    let packed = head == workspace.a ? workspace.b : workspace.a
    for r in 0..<n { (packed + r * k).update(from: head + r * 2 * k, count: k) }
    return packed
  }

  /// Run layers, alternating between the workspace's two buffers; returns the last output.
  func run(_ steps: [NetworkPlan.Step], from input: UnsafeMutablePointer<Float>, rows n: Int, _ workspace: Workspace) -> UnsafeMutablePointer<Float> {
    var x = input
    var y = input == workspace.a ? workspace.b : workspace.a
    // A call that was not split by rows (one row) splits each product over the threads instead.
    let team = workspace.splitting ? nil : workspace.productTeam
    for step in steps {
      step.operation.apply(x, rows: n, kernel: weights + step.kernelOffset, bias: weights + step.biasOffset,
                           activation: step.activation, columns: workspace.columns, packed: packedKernel(of: step, workspace),
                           team: team, into: y)
      x = y
      y = y == workspace.a ? workspace.b : workspace.a
    }
    return x
  }

  /// The heads' activations, then back to raw units through the pipeline's inverse.
  func writeOutput(_ logits: UnsafeMutablePointer<Float>, rows n: Int, into out: UnsafeMutablePointer<Float>) {
    let d = spec.inputWidth
    if fusedSigmoidOutput, let scaling = pipeline.scaling {
      // The usual image model in one pass, 16 or 8 lanes wide by the CPU (see CVector.c).
      scaling.offset.withUnsafeBufferPointer { offset in
        scaling.scale.withUnsafeBufferPointer { scale in
          aevec_sigmoid_rows(logits, out, n, d, offset.baseAddress, scaling.method == .none ? nil : scale.baseAddress)
        }
      }
      return
    }
    out.update(from: logits, count: n * d)
    OutputHeads.activate(heads, out, rows: n, width: d)
    pipeline.inverse(out, rows: n)
  }
}
