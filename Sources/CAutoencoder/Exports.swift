// The C ABI: every function declared in include/autoencoder.h, and nothing else.
// Each one checks its handles (Handles.swift), validates its arguments, calls the Swift
// runtime inside do/catch, and maps the outcome to a status; nothing here may trap, because a
// trap would kill the host process.
import CAutoencoderSupport
import Runtime

// MARK: Versions and errors

@_cdecl("ae_version")
public func ae_version() -> UnsafePointer<CChar> { aesup_version() }

@_cdecl("ae_version_number")
public func ae_version_number() -> Int32 { aesup_version_number() }

@_cdecl("ae_abi_version")
public func ae_abi_version() -> Int32 { aesup_abi_version() }

@_cdecl("ae_status_string")
public func ae_status_string(_ status: Int32) -> UnsafePointer<CChar> { aesup_status_text(status) }

@_cdecl("ae_last_error")
public func ae_last_error() -> UnsafePointer<CChar> { aesup_last_error() }

// MARK: Models

/// The flags ae_model_open_v2 and ae_model_open_memory_v2 know (AE_OPEN_*).
let knownOpenFlags: UInt32 = 1 // AE_OPEN_UNVERIFIED

/// The shared body of the open calls: check the flags, open, make the handle.
func openModel(_ name: String, _ flags: UInt32, _ model: UnsafeMutablePointer<OpaquePointer?>?,
               _ load: (_ verify: Bool) throws -> InferenceModel) -> Int32 {
  guard let model else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): model is NULL") }
  guard flags & ~knownOpenFlags == 0 else {
    return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): unknown flags 0x\(String(flags & ~knownOpenFlags, radix: 16)) (known: AE_OPEN_UNVERIFIED)")
  }
  let loaded: InferenceModel
  do { loaded = try load(flags & 1 == 0) } catch { return fail(error) }
  guard let handle = ModelHandle(loaded), let opaque = registerHandle(handle, .model) else {
    return fail(AE_ERROR_OUT_OF_MEMORY, "\(name): out of memory for the model's handle")
  }
  model.pointee = opaque
  return ok
}

@_cdecl("ae_model_open")
public func ae_model_open(_ path: UnsafePointer<CChar>?, _ model: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
  ae_model_open_v2(path, 0, model)
}

@_cdecl("ae_model_open_v2")
public func ae_model_open_v2(_ path: UnsafePointer<CChar>?, _ flags: UInt32, _ model: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
  guard let path else { return fail(AE_ERROR_INVALID_ARGUMENT, "ae_model_open: path is NULL") }
  return openModel("ae_model_open", flags, model) { try InferenceModel.load(path: String(cString: path), verify: $0) }
}

@_cdecl("ae_model_open_memory")
public func ae_model_open_memory(_ buffer: UnsafeRawPointer?, _ length: Int, _ model: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
  ae_model_open_memory_v2(buffer, length, 0, model)
}

@_cdecl("ae_model_open_memory_v2")
public func ae_model_open_memory_v2(_ buffer: UnsafeRawPointer?, _ length: Int, _ flags: UInt32,
                                    _ model: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
  guard let buffer else { return fail(AE_ERROR_INVALID_ARGUMENT, "ae_model_open_memory: buffer is NULL") }
  guard length > 8 else { return fail(AE_ERROR_FORMAT, "ae_model_open_memory: \(UInt(bitPattern: length)) bytes is too short to be a model file") }
  return openModel("ae_model_open_memory", flags, model) {
    try InferenceModel.load(image: UnsafeRawBufferPointer(start: buffer, count: length), verify: $0)
  }
}

@_cdecl("ae_model_close")
public func ae_model_close(_ model: OpaquePointer?) { closeHandle("ae_model_close", .model, model) }

/// The shared body of the introspection calls: `body`'s answer, or `none` for a handle that is
/// not an open model (the reason goes to the last error).
@inline(__always)
func inspect<T>(_ name: String, _ model: OpaquePointer?, _ none: T, _ body: (ModelHandle) -> T) -> T {
  var answer = none
  _ = withModel(name, model) { handle in
    answer = body(handle)
    return ok
  }
  return answer
}

@_cdecl("ae_model_kind")
public func ae_model_kind(_ model: OpaquePointer?) -> UnsafePointer<CChar>? {
  inspect("ae_model_kind", model, nil) { UnsafePointer($0.kind) }
}

@_cdecl("ae_model_loss")
public func ae_model_loss(_ model: OpaquePointer?) -> UnsafePointer<CChar>? {
  inspect("ae_model_loss", model, nil) { UnsafePointer($0.loss) }
}

@_cdecl("ae_model_input_dim")
public func ae_model_input_dim(_ model: OpaquePointer?) -> Int { inspect("ae_model_input_dim", model, 0) { $0.model.inputWidth } }

@_cdecl("ae_model_latent_dim")
public func ae_model_latent_dim(_ model: OpaquePointer?) -> Int { inspect("ae_model_latent_dim", model, 0) { $0.model.codeWidth } }

@_cdecl("ae_model_layer_count")
public func ae_model_layer_count(_ model: OpaquePointer?) -> Int { inspect("ae_model_layer_count", model, 0) { $0.model.layerCount } }

@_cdecl("ae_model_class_count")
public func ae_model_class_count(_ model: OpaquePointer?) -> Int { inspect("ae_model_class_count", model, 0) { $0.model.classCount } }

@_cdecl("ae_model_can_sample")
public func ae_model_can_sample(_ model: OpaquePointer?) -> Int32 {
  inspect("ae_model_can_sample", model, 0) { $0.model.canSample ? 1 : 0 }
}

@_cdecl("ae_model_input_shape")
public func ae_model_input_shape(_ model: OpaquePointer?, _ shape: UnsafeMutablePointer<Int>?) -> Int32 {
  let name = "ae_model_input_shape"
  return withModel(name, model) { handle in
    guard let shape else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): shape is NULL") }
    guard let stored = handle.model.spec.inputShape, stored.count == 3 else {
      return fail(AE_ERROR_UNSUPPORTED, "\(name): the model's rows are not images (no stored shape)")
    }
    for i in 0..<3 { shape[i] = stored[i] }
    return ok
  }
}

@_cdecl("ae_model_scaling")
public func ae_model_scaling(
  _ model: OpaquePointer?, _ method: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
  _ offset: UnsafeMutablePointer<UnsafePointer<Float>?>?, _ scale: UnsafeMutablePointer<UnsafePointer<Float>?>?
) -> Int32 {
  withModel("ae_model_scaling", model) { handle in
    method?.pointee = UnsafePointer(handle.scalingMethod)
    offset?.pointee = UnsafePointer(handle.offset.pointer)
    scale?.pointee = UnsafePointer(handle.scale.pointer)
    return ok
  }
}

// MARK: Workspaces

@_cdecl("ae_workspace_create")
public func ae_workspace_create(_ model: OpaquePointer?, _ maxRows: Int, _ workspace: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
  let name = "ae_workspace_create"
  return withModel(name, model) { handle in
    guard let workspace else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): workspace is NULL") }
    guard maxRows != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): max_rows is 0; it must be at least 1") }
    guard maxRows > 0 else {
      return fail(AE_ERROR_OVERFLOW, "\(name): max_rows \(UInt(bitPattern: maxRows)) is too large: its rows' sizes do not fit in size_t")
    }
    let made: Workspace
    do { made = try handle.model.makeWorkspace(maxRows: maxRows) } catch { return fail(error) }
    guard let opaque = registerHandle(made, .workspace) else {
      return fail(AE_ERROR_OUT_OF_MEMORY, "\(name): out of memory for the workspace's handle")
    }
    workspace.pointee = opaque
    return ok
  }
}

@_cdecl("ae_workspace_free")
public func ae_workspace_free(_ workspace: OpaquePointer?) { closeHandle("ae_workspace_free", .workspace, workspace) }

// MARK: Compute

/// Which computation a call asks for.
enum Operation { case encode, decode, reconstruct, score }

/// How a call gets its scratch: its own (plain), the caller's (ws), or either (labeled).
enum Variant { case plain, ws, labeled }

/// The C name of a compute call (literals only: naming a call allocates nothing).
func callName(_ operation: Operation, _ variant: Variant) -> String {
  switch (operation, variant) {
  case (.encode, .plain): "ae_encode"
  case (.encode, .ws): "ae_encode_ws"
  case (.encode, .labeled): "ae_encode_labeled"
  case (.decode, .plain): "ae_decode"
  case (.decode, .ws): "ae_decode_ws"
  case (.decode, .labeled): "ae_decode_labeled"
  case (.reconstruct, .plain): "ae_reconstruct"
  case (.reconstruct, .ws): "ae_reconstruct_ws"
  case (.reconstruct, .labeled): "ae_reconstruct_labeled"
  case (.score, .plain): "ae_score"
  case (.score, .ws): "ae_score_ws"
  case (.score, .labeled): "ae_score_labeled"
  }
}

/// Scratch rows of a workspace a call makes for itself.
let ownScratchRows = 256

/// Run `body` with scratch: the workspace behind `workspace` (counted in as a call on it), or
/// one made for this call when `own` (then `workspace` must be NULL).
@inline(__always)
func withScratch(
  _ name: String, _ model: InferenceModel, _ workspace: OpaquePointer?, own: Bool, rows: Int, _ body: (Workspace) -> Int32
) -> Int32 {
  guard own && workspace == nil else { return withWorkspace(name, workspace, body) }
  let scratch: Workspace
  do { scratch = try model.makeWorkspace(maxRows: min(rows, ownScratchRows)) } catch { return fail(error) }
  return body(scratch)
}

/// The shared body of every compute call: validate, pick or make a workspace, run.
@inline(__always)
func compute(
  _ operation: Operation, _ variant: Variant, _ model: OpaquePointer?, _ workspace: OpaquePointer?,
  _ input: UnsafePointer<Float>?, _ rows: Int, _ output: UnsafeMutablePointer<Float>?,
  _ labels: UnsafePointer<Int32>? = nil
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
    return withScratch(name, m, workspace, own: variant != .ws, rows: rows) { scratch in
      do {
        switch operation {
        case .encode: try m.encode(input, rows: rows, labels: labels, into: output, workspace: scratch)
        case .decode: try m.decode(input, rows: rows, labels: labels, into: output, workspace: scratch)
        case .reconstruct: try m.reconstruct(input, rows: rows, labels: labels, into: output, workspace: scratch)
        case .score: try m.score(input, rows: rows, labels: labels, into: output, workspace: scratch)
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
  compute(.encode, .labeled, model, workspace, x, n, z, labels)
}

@_cdecl("ae_decode_labeled")
public func ae_decode_labeled(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ z: UnsafePointer<Float>?,
                              _ labels: UnsafePointer<Int32>?, _ n: Int, _ x: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.decode, .labeled, model, workspace, z, n, x, labels)
}

@_cdecl("ae_reconstruct_labeled")
public func ae_reconstruct_labeled(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?,
                                   _ labels: UnsafePointer<Int32>?, _ n: Int, _ y: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.reconstruct, .labeled, model, workspace, x, n, y, labels)
}

@_cdecl("ae_score_labeled")
public func ae_score_labeled(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?,
                             _ labels: UnsafePointer<Int32>?, _ n: Int, _ scores: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.score, .labeled, model, workspace, x, n, scores, labels)
}

// MARK: Generative models

@_cdecl("ae_encode_distribution")
public func ae_encode_distribution(
  _ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ mean: UnsafeMutablePointer<Float>?,
  _ logVariance: UnsafeMutablePointer<Float>?
) -> Int32 {
  let name = "ae_encode_distribution"
  return withModel(name, model) { handle in
    guard let x, let mean, let logVariance else {
      return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): x, mean and log_variance must not be NULL")
    }
    guard n != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): n is 0; pass at least one row") }
    let m = handle.model
    guard n > 0, elementCount(n, max(m.inputWidth, m.codeWidth)) != nil else {
      return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: n)) rows do not fit in memory")
    }
    return withScratch(name, m, nil, own: true, rows: n) { scratch in
      do {
        try m.encodeDistribution(x, rows: n, mean: mean, logVariance: logVariance, workspace: scratch)
        return ok
      } catch {
        return fail(error)
      }
    }
  }
}

/// The shared body of ae_sample, ae_sample_ws and ae_sample_class.
@inline(__always)
func sample(
  _ name: String, _ model: OpaquePointer?, _ workspace: OpaquePointer?, usesWorkspace: Bool, _ n: Int, _ seed: UInt64,
  _ temperature: Float, _ x: UnsafeMutablePointer<Float>?, _ z: UnsafeMutablePointer<Float>?, label: Int? = nil
) -> Int32 {
  withModel(name, model) { handle in
    guard let x else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): x_out is NULL") }
    guard n != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): n is 0; ask for at least one sample") }
    let m = handle.model
    guard n > 0, elementCount(n, max(m.inputWidth, m.codeWidth)) != nil else {
      return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: n)) samples do not fit in memory")
    }
    if let label, label < 0 { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): label \(UInt(bitPattern: label)) is out of range") }
    return withScratch(name, m, workspace, own: !usesWorkspace, rows: n) { scratch in
      do {
        try m.sample(rows: n, seed: seed, temperature: temperature, label: label, into: x, codes: z, workspace: scratch)
        return ok
      } catch {
        return fail(error)
      }
    }
  }
}

@_cdecl("ae_sample")
public func ae_sample(_ model: OpaquePointer?, _ n: Int, _ seed: UInt64, _ temperature: Float,
                      _ x: UnsafeMutablePointer<Float>?, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  sample("ae_sample", model, nil, usesWorkspace: false, n, seed, temperature, x, z)
}

@_cdecl("ae_sample_ws")
public func ae_sample_ws(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ n: Int, _ seed: UInt64, _ temperature: Float,
                         _ x: UnsafeMutablePointer<Float>?, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  sample("ae_sample_ws", model, workspace, usesWorkspace: true, n, seed, temperature, x, z)
}

@_cdecl("ae_sample_class")
public func ae_sample_class(_ model: OpaquePointer?, _ n: Int, _ label: Int, _ seed: UInt64, _ temperature: Float,
                            _ x: UnsafeMutablePointer<Float>?, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  sample("ae_sample_class", model, nil, usesWorkspace: false, n, seed, temperature, x, z, label: label)
}

@_cdecl("ae_interpolate")
public func ae_interpolate(_ model: OpaquePointer?, _ a: UnsafePointer<Float>?, _ b: UnsafePointer<Float>?, _ steps: Int,
                           _ spherical: Int32, _ x: UnsafeMutablePointer<Float>?) -> Int32 {
  let name = "ae_interpolate"
  return withModel(name, model) { handle in
    guard let a, let b, let x else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): z_a, z_b and x_out must not be NULL") }
    guard steps < 0 || steps >= 2 else {
      return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): steps is \(steps); a path needs at least 2 (its two ends)")
    }
    let m = handle.model
    guard steps > 0, elementCount(steps, max(m.inputWidth, m.codeWidth)) != nil else {
      return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: steps)) steps do not fit in memory")
    }
    return withScratch(name, m, nil, own: true, rows: steps) { scratch in
      do {
        try m.interpolate(from: a, to: b, steps: steps, spherical: spherical != 0, into: x, workspace: scratch)
        return ok
      } catch {
        return fail(error)
      }
    }
  }
}
