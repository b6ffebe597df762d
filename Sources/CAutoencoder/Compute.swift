import CAutoencoderSupport
import Runtime

// The compute calls: encode, decode, reconstruct and score, plain (own scratch), _ws (the
// caller's workspace), _labeled (a class label per row) and _conditioned (a condition row per
// row), the last two with an optional workspace. A call with a workspace splits its rows over
// the workspace's threads (InferenceModel+Parallel.swift).

/// Which computation a call asks for.
enum Operation { case encode, decode, reconstruct, score }

/// How a call gets its scratch and conditions: its own scratch (plain), the caller's
/// workspace (ws), or either with labels (labeled) or condition rows (conditioned).
enum Variant { case plain, ws, labeled, conditioned }

/// The C name of a compute call (literals only: naming a call allocates nothing).
func callName(_ operation: Operation, _ variant: Variant) -> String {
  switch (operation, variant) {
  case (.encode, .plain): "ae_encode"
  case (.encode, .ws): "ae_encode_ws"
  case (.encode, .labeled): "ae_encode_labeled"
  case (.encode, .conditioned): "ae_encode_conditioned"
  case (.decode, .plain): "ae_decode"
  case (.decode, .ws): "ae_decode_ws"
  case (.decode, .labeled): "ae_decode_labeled"
  case (.decode, .conditioned): "ae_decode_conditioned"
  case (.reconstruct, .plain): "ae_reconstruct"
  case (.reconstruct, .ws): "ae_reconstruct_ws"
  case (.reconstruct, .labeled): "ae_reconstruct_labeled"
  case (.reconstruct, .conditioned): "ae_reconstruct_conditioned"
  case (.score, .plain): "ae_score"
  case (.score, .ws): "ae_score_ws"
  case (.score, .labeled): "ae_score_labeled"
  case (.score, .conditioned): "ae_score_conditioned"
  }
}

/// Scratch rows of a workspace a call makes for itself.
let ownScratchRows = 256

/// Run `body` with scratch: the workspace behind `workspace` (counted in as a call on it), or
/// one made for this call when `own` and `workspace` is NULL.
@inline(__always)
func withScratch(
  _ name: String, _ model: InferenceModel, _ workspace: OpaquePointer?, own: Bool, rows: Int, _ body: (Workspace) -> Int32
) -> Int32 {
  guard own && workspace == nil else { return withWorkspace(name, workspace, body) }
  let scratch: Workspace
  do { scratch = try model.makeWorkspace(maxRows: min(rows, ownScratchRows)) } catch { return fail(error) }
  return body(scratch)
}

/// Refuse NULL `conditions` for a conditional model and condition rows whose size overflows;
/// nil when they are fine (NULL for a model without conditions is fine).
@inline(__always)
func conditionProblem(_ name: String, _ model: InferenceModel, _ conditions: UnsafePointer<Float>?, rows: Int, what: String = "conditions") -> Int32? {
  let width = model.conditionWidth
  if conditions == nil && width > 0 {
    return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): \(what) is NULL; this model needs a condition row of \(width) values per row (\(describeConditions(model)))")
  }
  if conditions != nil && elementCount(rows, width) == nil {
    return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: rows)) condition rows of \(width) values do not fit in memory")
  }
  return nil
}

/// A model's condition groups in words, e.g. "class: one_hot x 10, pitch: continuous x 1".
func describeConditions(_ model: InferenceModel) -> String {
  model.conditionGroups.map { "\($0.name): \($0.kind.rawValue) x \($0.width)" }.joined(separator: ", ")
}

/// The shared body of every compute call: validate, pick or make a workspace, run.
@inline(__always)
func compute(
  _ operation: Operation, _ variant: Variant, _ model: OpaquePointer?, _ workspace: OpaquePointer?,
  _ input: UnsafePointer<Float>?, _ rows: Int, _ output: UnsafeMutablePointer<Float>?,
  labels: UnsafePointer<Int32>? = nil, conditions: UnsafePointer<Float>? = nil
) -> Int32 {
  let name = callName(operation, variant)
  return withModel(name, model) { handle in
    guard let input else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): input is NULL") }
    if variant == .labeled && labels == nil { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): labels is NULL") }
    guard let output else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): output is NULL") }
    guard rows != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): n is 0; pass at least one row") }
    let m = handle.model
    let inputWidth = operation == .decode ? m.codeWidth : m.inputWidth
    let outputWidth = operation == .encode ? m.codeWidth : (operation == .score ? 1 : m.inputWidth)
    guard rows > 0, elementCount(rows, inputWidth) != nil, elementCount(rows, outputWidth) != nil else {
      return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: rows)) rows of \(max(inputWidth, outputWidth)) values do not fit in memory")
    }
    if variant == .conditioned, let refused = conditionProblem(name, m, conditions, rows: rows) { return refused }
    return withScratch(name, m, workspace, own: variant != .ws, rows: rows) { scratch in
      do {
        switch operation {
        case .encode:
          try m.encode(input, rows: rows, conditions: conditions, labels: labels, into: output, workspace: scratch)
        case .decode:
          try m.decode(input, rows: rows, conditions: conditions, labels: labels, into: output, workspace: scratch)
        case .reconstruct:
          try m.reconstruct(input, rows: rows, conditions: conditions, labels: labels, into: output, workspace: scratch)
        case .score:
          try m.score(input, rows: rows, conditions: conditions, labels: labels, into: output, workspace: scratch)
        }
        return ok
      } catch {
        return fail(error)
      }
    }
  }
}

@_cdecl("ae_encode")
public func ae_encode(_ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.encode, .plain, model, nil, x, n, z)
}

@_cdecl("ae_decode")
public func ae_decode(_ model: OpaquePointer?, _ z: UnsafePointer<Float>?, _ n: Int, _ x: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.decode, .plain, model, nil, z, n, x)
}

@_cdecl("ae_reconstruct")
public func ae_reconstruct(_ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ y: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.reconstruct, .plain, model, nil, x, n, y)
}

@_cdecl("ae_score")
public func ae_score(_ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ scores: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.score, .plain, model, nil, x, n, scores)
}

@_cdecl("ae_encode_ws")
public func ae_encode_ws(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.encode, .ws, model, workspace, x, n, z)
}

@_cdecl("ae_decode_ws")
public func ae_decode_ws(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ z: UnsafePointer<Float>?, _ n: Int, _ x: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.decode, .ws, model, workspace, z, n, x)
}

@_cdecl("ae_reconstruct_ws")
public func ae_reconstruct_ws(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ y: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.reconstruct, .ws, model, workspace, x, n, y)
}

@_cdecl("ae_score_ws")
public func ae_score_ws(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ scores: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.score, .ws, model, workspace, x, n, scores)
}

// Conditional models: the same four calls with a class label per row; the workspace is optional.

@_cdecl("ae_encode_labeled")
public func ae_encode_labeled(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?,
                              _ labels: UnsafePointer<Int32>?, _ n: Int, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.encode, .labeled, model, workspace, x, n, z, labels: labels)
}

@_cdecl("ae_decode_labeled")
public func ae_decode_labeled(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ z: UnsafePointer<Float>?,
                              _ labels: UnsafePointer<Int32>?, _ n: Int, _ x: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.decode, .labeled, model, workspace, z, n, x, labels: labels)
}

@_cdecl("ae_reconstruct_labeled")
public func ae_reconstruct_labeled(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?,
                                   _ labels: UnsafePointer<Int32>?, _ n: Int, _ y: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.reconstruct, .labeled, model, workspace, x, n, y, labels: labels)
}

@_cdecl("ae_score_labeled")
public func ae_score_labeled(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?,
                             _ labels: UnsafePointer<Int32>?, _ n: Int, _ scores: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.score, .labeled, model, workspace, x, n, scores, labels: labels)
}

// Condition rows (every conditional model; NULL for models without conditions).

@_cdecl("ae_encode_conditioned")
public func ae_encode_conditioned(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?,
                                  _ conditions: UnsafePointer<Float>?, _ n: Int, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.encode, .conditioned, model, workspace, x, n, z, conditions: conditions)
}

@_cdecl("ae_decode_conditioned")
public func ae_decode_conditioned(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ z: UnsafePointer<Float>?,
                                  _ conditions: UnsafePointer<Float>?, _ n: Int, _ x: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.decode, .conditioned, model, workspace, z, n, x, conditions: conditions)
}

@_cdecl("ae_reconstruct_conditioned")
public func ae_reconstruct_conditioned(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?,
                                       _ conditions: UnsafePointer<Float>?, _ n: Int, _ y: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.reconstruct, .conditioned, model, workspace, x, n, y, conditions: conditions)
}

@_cdecl("ae_score_conditioned")
public func ae_score_conditioned(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?,
                                 _ conditions: UnsafePointer<Float>?, _ n: Int, _ scores: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.score, .conditioned, model, workspace, x, n, scores, conditions: conditions)
}
