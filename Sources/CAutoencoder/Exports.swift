// The C ABI: every function declared in include/autoencoder.h, and nothing else: here
// versions, models, introspection and workspaces; Compute.swift the compute calls,
// Generate.swift sampling, interpolation and the posterior, Options.swift the options
// structs, Table.swift table models. Each function checks its handles (Handles.swift), validates its arguments, calls
// the Swift runtime inside do/catch, and maps the outcome to a status; nothing here may trap,
// because a trap would kill the host process. A call that succeeds empties the last error.
import CAutoencoderSupport
import CGemm
import Runtime
import Tensor
#if canImport(Glibc)
import Glibc
#endif

// MARK: Versions and errors

@_cdecl("ae_version")
public func ae_version() -> UnsafePointer<CChar> { aesup_version() }

@_cdecl("ae_version_number")
public func ae_version_number() -> Int32 { aesup_version_number() }

@_cdecl("ae_abi_version")
public func ae_abi_version() -> Int32 { aesup_abi_version() }

/// Made once: the text does not change while the process runs (AE_GEMM is read once).
private let kernelsText: UnsafeMutablePointer<CChar>? = strdup(BLAS.kernelDescription)

@_cdecl("ae_kernels")
public func ae_kernels() -> UnsafePointer<CChar> {
  // The copy failed only when memory ran out at the first call: say that, in a static string.
  UnsafePointer(kernelsText) ?? aesup_status_text(code(AE_ERROR_OUT_OF_MEMORY))
}

@_cdecl("ae_int8_kernels")
public func ae_int8_kernels() -> UnsafePointer<CChar> { aegemm_int8_isa() } // a static C string

@_cdecl("ae_status_string")
public func ae_status_string(_ status: Int32) -> UnsafePointer<CChar> { aesup_status_text(status) }

@_cdecl("ae_last_error")
public func ae_last_error() -> UnsafePointer<CChar> { aesup_last_error() }

// MARK: Models

/// The flags ae_model_open_v2 and ae_model_open_memory_v2 know (AE_OPEN_*).
let knownOpenFlags: UInt32 = 1 | 2 | 4 // AE_OPEN_UNVERIFIED, AE_OPEN_BFLOAT16, AE_OPEN_INT8

/// The shared body of the open calls: check the flags, open, make the handle.
func openModel(_ name: String, _ flags: UInt32, _ model: UnsafeMutablePointer<OpaquePointer?>?,
               _ load: (_ verify: Bool) throws -> InferenceModel) -> Int32 {
  guard let model else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): model is NULL") }
  guard flags & ~knownOpenFlags == 0 else {
    return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): unknown flags 0x\(String(flags & ~knownOpenFlags, radix: 16)) (known: AE_OPEN_UNVERIFIED, AE_OPEN_BFLOAT16, AE_OPEN_INT8)")
  }
  guard flags & 6 != 6 else {
    return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): AE_OPEN_BFLOAT16 and AE_OPEN_INT8 together: choose one precision")
  }
  let loaded: InferenceModel
  do {
    let model = try load(flags & 1 == 0)
    loaded = flags & 2 != 0 ? try model.at(.bfloat16) : flags & 4 != 0 ? try model.at(.int8) : model
  } catch { return fail(error) }
  guard let handle = ModelHandle(loaded), let opaque = registerHandle(handle, .model) else {
    return fail(AE_ERROR_OUT_OF_MEMORY, "\(name): out of memory for the model's handle")
  }
  model.pointee = opaque
  aesup_clear_error()
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

@_cdecl("ae_model_condition_width")
public func ae_model_condition_width(_ model: OpaquePointer?) -> Int {
  inspect("ae_model_condition_width", model, 0) { $0.model.conditionWidth }
}

@_cdecl("ae_model_condition_group_count")
public func ae_model_condition_group_count(_ model: OpaquePointer?) -> Int {
  inspect("ae_model_condition_group_count", model, 0) { $0.conditionNames.count }
}

@_cdecl("ae_model_condition_group")
public func ae_model_condition_group(
  _ model: OpaquePointer?, _ index: Int, _ name: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
  _ kind: UnsafeMutablePointer<Int32>?, _ width: UnsafeMutablePointer<Int>?
) -> Int32 {
  let call = "ae_model_condition_group"
  return withModel(call, model) { handle in
    let groups = handle.model.conditionGroups
    guard index >= 0, index < groups.count, index < handle.conditionNames.count else {
      return fail(AE_ERROR_INVALID_ARGUMENT, groups.isEmpty
        ? "\(call): the model has no conditions (index \(UInt(bitPattern: index)))"
        : "\(call): index \(UInt(bitPattern: index)) is outside 0..<\(groups.count), the model's condition groups")
    }
    let group = groups[index]
    name?.pointee = UnsafePointer(handle.conditionNames[index])
    kind?.pointee = Int32(bitPattern: (group.kind == .oneHot ? AE_CONDITION_ONE_HOT : AE_CONDITION_CONTINUOUS).rawValue)
    width?.pointee = group.width
    return ok
  }
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

@_cdecl("ae_workspace_set_threads")
public func ae_workspace_set_threads(_ workspace: OpaquePointer?, _ threads: Int32) -> Int32 {
  let name = "ae_workspace_set_threads"
  return withWorkspace(name, workspace) { scratch in
    guard threads >= 1, threads <= Workspace.maxThreads else {
      return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): threads is \(threads); a workspace runs on 1 to \(Workspace.maxThreads) threads (1: the calling thread alone)")
    }
    do { try scratch.setThreads(Int(threads)) } catch { return fail(error) }
    return ok
  }
}

@_cdecl("ae_workspace_threads")
public func ae_workspace_threads(_ workspace: OpaquePointer?) -> Int32 {
  var threads: Int32 = 0
  _ = withWorkspace("ae_workspace_threads", workspace) { scratch in
    threads = Int32(scratch.threads)
    return ok
  }
  return threads
}

