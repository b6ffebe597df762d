// The C ABI: every function declared in include/autoencoder.h, and nothing else.
// Each one validates its arguments, calls the Swift runtime inside do/catch, and maps the
// outcome to a status; nothing here may trap, because a trap would kill the host process.
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

/// The shared body of the open calls: check the flags, then open.
func openModel(_ name: String, _ flags: UInt32, _ model: UnsafeMutablePointer<OpaquePointer?>?,
               _ load: (_ verify: Bool) throws -> InferenceModel) -> Int32 {
  guard let model else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): model is NULL") }
  guard flags & ~knownOpenFlags == 0 else {
    return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): unknown flags 0x\(String(flags & ~knownOpenFlags, radix: 16)) (known: AE_OPEN_UNVERIFIED)")
  }
  let loaded: InferenceModel
  do { loaded = try load(flags & 1 == 0) } catch { return fail(error) }
  guard let handle = ModelHandle(loaded) else { return fail(AE_ERROR_OUT_OF_MEMORY, "\(name): out of memory for the model's handle") }
  model.pointee = handle.opaque
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
public func ae_model_close(_ model: OpaquePointer?) { ModelHandle.release(model) }

@_cdecl("ae_model_kind")
public func ae_model_kind(_ model: OpaquePointer?) -> UnsafePointer<CChar>? {
  ModelHandle.from(model).map { UnsafePointer($0.kind) }
}

@_cdecl("ae_model_loss")
public func ae_model_loss(_ model: OpaquePointer?) -> UnsafePointer<CChar>? {
  ModelHandle.from(model).map { UnsafePointer($0.loss) }
}

@_cdecl("ae_model_input_dim")
public func ae_model_input_dim(_ model: OpaquePointer?) -> Int { ModelHandle.from(model)?.model.inputWidth ?? 0 }

@_cdecl("ae_model_latent_dim")
public func ae_model_latent_dim(_ model: OpaquePointer?) -> Int { ModelHandle.from(model)?.model.codeWidth ?? 0 }

@_cdecl("ae_model_layer_count")
public func ae_model_layer_count(_ model: OpaquePointer?) -> Int { ModelHandle.from(model)?.model.layerCount ?? 0 }

@_cdecl("ae_model_class_count")
public func ae_model_class_count(_ model: OpaquePointer?) -> Int { ModelHandle.from(model)?.model.classCount ?? 0 }

@_cdecl("ae_model_can_sample")
public func ae_model_can_sample(_ model: OpaquePointer?) -> Int32 { ModelHandle.from(model)?.model.canSample == true ? 1 : 0 }

@_cdecl("ae_model_input_shape")
public func ae_model_input_shape(_ model: OpaquePointer?, _ shape: UnsafeMutablePointer<Int>?) -> Int32 {
  guard let handle = ModelHandle.from(model) else { return fail(AE_ERROR_INVALID_ARGUMENT, "ae_model_input_shape: model is NULL") }
  guard let shape else { return fail(AE_ERROR_INVALID_ARGUMENT, "ae_model_input_shape: shape is NULL") }
  guard let stored = handle.model.spec.inputShape, stored.count == 3 else {
    return fail(AE_ERROR_UNSUPPORTED, "ae_model_input_shape: the model's rows are not images (no stored shape)")
  }
  for i in 0..<3 { shape[i] = stored[i] }
  return ok
}

@_cdecl("ae_model_scaling")
public func ae_model_scaling(
  _ model: OpaquePointer?, _ method: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
  _ offset: UnsafeMutablePointer<UnsafePointer<Float>?>?, _ scale: UnsafeMutablePointer<UnsafePointer<Float>?>?
) -> Int32 {
  guard let handle = ModelHandle.from(model) else { return fail(AE_ERROR_INVALID_ARGUMENT, "ae_model_scaling: model is NULL") }
  method?.pointee = UnsafePointer(handle.scalingMethod)
  offset?.pointee = UnsafePointer(handle.model.offset)
  scale?.pointee = UnsafePointer(handle.model.scale)
  return ok
}

// MARK: Workspaces

@_cdecl("ae_workspace_create")
public func ae_workspace_create(_ model: OpaquePointer?, _ maxRows: Int, _ workspace: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
  guard let handle = ModelHandle.from(model) else { return fail(AE_ERROR_INVALID_ARGUMENT, "ae_workspace_create: model is NULL") }
  guard let workspace else { return fail(AE_ERROR_INVALID_ARGUMENT, "ae_workspace_create: workspace is NULL") }
  guard maxRows != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "ae_workspace_create: max_rows is 0; it must be at least 1") }
  guard maxRows > 0 else {
    return fail(AE_ERROR_OVERFLOW, "ae_workspace_create: max_rows \(UInt(bitPattern: maxRows)) is too large: its rows' sizes do not fit in size_t")
  }
  do {
    workspace.pointee = WorkspaceHandle(try handle.model.makeWorkspace(maxRows: maxRows)).opaque
    return ok
  } catch {
    return fail(error)
  }
}

@_cdecl("ae_workspace_free")
public func ae_workspace_free(_ workspace: OpaquePointer?) { WorkspaceHandle.release(workspace) }

// MARK: Compute

/// Which computation a call asks for, and the widths of its input and output rows.
enum Operation {
  case encode, decode, reconstruct, score

  var name: String {
    switch self {
    case .encode: "ae_encode"
    case .decode: "ae_decode"
    case .reconstruct: "ae_reconstruct"
    case .score: "ae_score"
    }
  }
}

/// The shared body of every compute call: validate, pick or make a workspace, run.
@inline(__always)
func compute(
  _ operation: Operation, _ model: OpaquePointer?, _ workspace: OpaquePointer?, usesWorkspace: Bool,
  _ input: UnsafePointer<Float>?, _ rows: Int, _ output: UnsafeMutablePointer<Float>?,
  labeled: Bool = false, _ labels: UnsafePointer<Int32>? = nil
) -> Int32 {
  let name = operation.name + (labeled ? "_labeled" : usesWorkspace ? "_ws" : "")
  guard let handle = ModelHandle.from(model) else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): model is NULL") }
  guard let input else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): input is NULL") }
  if labeled && labels == nil { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): labels is NULL") }
  guard let output else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): output is NULL") }
  guard rows != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): n is 0; pass at least one row") }
  let m = handle.model
  let inputWidth = operation == .decode ? m.codeWidth : m.inputWidth
  let outputWidth = operation == .encode ? m.codeWidth : (operation == .score ? 1 : m.inputWidth)
  guard rows > 0, elementCount(rows, inputWidth) != nil, elementCount(rows, outputWidth) != nil else {
    return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: rows)) rows of \(max(inputWidth, outputWidth)) values do not fit in memory")
  }
  let scratch: Workspace
  if let w = WorkspaceHandle.from(workspace) {
    scratch = w.workspace
  } else if usesWorkspace {
    return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): workspace is NULL")
  } else {
    do { scratch = try m.makeWorkspace(maxRows: min(rows, 256)) } catch { return fail(error) }
  }
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

@_cdecl("ae_encode")
public func ae_encode(_ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.encode, model, nil, usesWorkspace: false, x, n, z)
}

@_cdecl("ae_decode")
public func ae_decode(_ model: OpaquePointer?, _ z: UnsafePointer<Float>?, _ n: Int, _ x: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.decode, model, nil, usesWorkspace: false, z, n, x)
}

@_cdecl("ae_reconstruct")
public func ae_reconstruct(_ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ y: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.reconstruct, model, nil, usesWorkspace: false, x, n, y)
}

@_cdecl("ae_score")
public func ae_score(_ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ scores: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.score, model, nil, usesWorkspace: false, x, n, scores)
}

@_cdecl("ae_encode_ws")
public func ae_encode_ws(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.encode, model, workspace, usesWorkspace: true, x, n, z)
}

@_cdecl("ae_decode_ws")
public func ae_decode_ws(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ z: UnsafePointer<Float>?, _ n: Int, _ x: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.decode, model, workspace, usesWorkspace: true, z, n, x)
}

@_cdecl("ae_reconstruct_ws")
public func ae_reconstruct_ws(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ y: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.reconstruct, model, workspace, usesWorkspace: true, x, n, y)
}

@_cdecl("ae_score_ws")
public func ae_score_ws(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ scores: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.score, model, workspace, usesWorkspace: true, x, n, scores)
}

// Conditional models: the same four calls with a class label per row; the workspace is optional.

@_cdecl("ae_encode_labeled")
public func ae_encode_labeled(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?,
                              _ labels: UnsafePointer<Int32>?, _ n: Int, _ z: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.encode, model, workspace, usesWorkspace: false, x, n, z, labeled: true, labels)
}

@_cdecl("ae_decode_labeled")
public func ae_decode_labeled(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ z: UnsafePointer<Float>?,
                              _ labels: UnsafePointer<Int32>?, _ n: Int, _ x: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.decode, model, workspace, usesWorkspace: false, z, n, x, labeled: true, labels)
}

@_cdecl("ae_reconstruct_labeled")
public func ae_reconstruct_labeled(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?,
                                   _ labels: UnsafePointer<Int32>?, _ n: Int, _ y: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.reconstruct, model, workspace, usesWorkspace: false, x, n, y, labeled: true, labels)
}

@_cdecl("ae_score_labeled")
public func ae_score_labeled(_ model: OpaquePointer?, _ workspace: OpaquePointer?, _ x: UnsafePointer<Float>?,
                             _ labels: UnsafePointer<Int32>?, _ n: Int, _ scores: UnsafeMutablePointer<Float>?) -> Int32 {
  compute(.score, model, workspace, usesWorkspace: false, x, n, scores, labeled: true, labels)
}

// MARK: Generative models

@_cdecl("ae_encode_distribution")
public func ae_encode_distribution(
  _ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ mean: UnsafeMutablePointer<Float>?,
  _ logVariance: UnsafeMutablePointer<Float>?
) -> Int32 {
  let name = "ae_encode_distribution"
  guard let handle = ModelHandle.from(model) else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): model is NULL") }
  guard let x, let mean, let logVariance else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): x, mean and log_variance must not be NULL") }
  guard n != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): n is 0; pass at least one row") }
  let m = handle.model
  guard n > 0, elementCount(n, max(m.inputWidth, m.codeWidth)) != nil else { return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: n)) rows do not fit in memory") }
  do {
    let workspace = try m.makeWorkspace(maxRows: min(n, 256))
    try m.encodeDistribution(x, rows: n, mean: mean, logVariance: logVariance, workspace: workspace)
    return ok
  } catch {
    return fail(error)
  }
}

/// The shared body of ae_sample and ae_sample_ws.
func sample(
  _ name: String, _ model: OpaquePointer?, _ workspace: OpaquePointer?, usesWorkspace: Bool, _ n: Int, _ seed: UInt64,
  _ temperature: Float, _ x: UnsafeMutablePointer<Float>?, _ z: UnsafeMutablePointer<Float>?, label: Int? = nil
) -> Int32 {
  guard let handle = ModelHandle.from(model) else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): model is NULL") }
  guard let x else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): x_out is NULL") }
  guard n != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): n is 0; ask for at least one sample") }
  let m = handle.model
  guard n > 0, elementCount(n, max(m.inputWidth, m.codeWidth)) != nil else { return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: n)) samples do not fit in memory") }
  do {
    let scratch: Workspace
    if usesWorkspace {
      guard let w = WorkspaceHandle.from(workspace) else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): workspace is NULL") }
      scratch = w.workspace
    } else {
      scratch = try m.makeWorkspace(maxRows: min(n, 256))
    }
    if let label, label < 0 { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): label \(UInt(bitPattern: label)) is out of range") }
    try m.sample(rows: n, seed: seed, temperature: temperature, label: label, into: x, codes: z, workspace: scratch)
    return ok
  } catch {
    return fail(error)
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
  guard let handle = ModelHandle.from(model) else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): model is NULL") }
  guard let a, let b, let x else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): z_a, z_b and x_out must not be NULL") }
  let m = handle.model
  guard steps < 0 || steps >= 2 else {
    return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): steps is \(steps); a path needs at least 2 (its two ends)")
  }
  guard steps > 0, elementCount(steps, max(m.inputWidth, m.codeWidth)) != nil else {
    return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: steps)) steps do not fit in memory")
  }
  do {
    let workspace = try m.makeWorkspace(maxRows: min(steps, 256))
    try m.interpolate(from: a, to: b, steps: steps, spherical: spherical != 0, into: x, workspace: workspace)
    return ok
  } catch {
    return fail(error)
  }
}
