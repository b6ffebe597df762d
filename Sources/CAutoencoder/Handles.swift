import Audio
import CAutoencoderSupport
import Runtime
import Store
import Tensor

#if canImport(Glibc)
import Glibc
#endif

// What the C handles stand for, and how calls reach them. An `ae_model *` or `ae_workspace *`
// is a slot of the registry in CAutoencoderSupport/handles.c, never a Swift object's address:
// the registry checks a pointer before anything is read through it, counts calls in and out,
// and hands an object back for destruction only once no call is using it.

/// What an `ae_model *` stands for: the immutable model plus the C strings and arrays it
/// hands out (its own read-only copies, valid until the model is freed).
final class ModelHandle {
  let model: InferenceModel
  let kind: UnsafeMutablePointer<CChar>
  let loss: UnsafeMutablePointer<CChar>
  let scalingMethod: UnsafeMutablePointer<CChar>
  /// The affine scaling's offset and scale (input width values each).
  let offset: FloatBuffer
  let scale: FloatBuffer
  /// The condition groups' names, in the spec's order (ae_model_condition_group).
  let conditionNames: [UnsafeMutablePointer<CChar>]
  /// A table model's column names and categories (Table.swift); nil for other models.
  let table: TableStrings?
  /// A timbre model's sound side (Audio.swift), or why the model has none.
  let timbre: Result<TimbreModel, AudioError>

  /// nil when memory cannot be allocated.
  init?(_ model: InferenceModel) {
    let heads = model.spec.outputHeads
    let lossName = heads.count == 1 ? heads[0].loss.rawValue : "mixed"
    let kind = strdup(model.spec.kind.rawValue), loss = strdup(lossName)
    let scalingMethod = strdup(model.scalingMethod.rawValue)
    let scaling = model.pipeline.scaling ?? .identity(width: model.inputWidth)
    let offset = try? FloatBuffer(count: scaling.offset.count, for: "the scaling"),
        scale = try? FloatBuffer(count: scaling.scale.count, for: "the scaling")
    let names = model.conditionGroups.map { strdup($0.name) }
    let conditionNames = names.compactMap { $0 }
    let table = model.table.flatMap { TableStrings($0) }
    guard let kind, let loss, let scalingMethod, let offset, let scale, conditionNames.count == names.count,
          (table == nil) == (model.table == nil) else {
      free(kind); free(loss); free(scalingMethod)
      conditionNames.forEach { free($0) }
      return nil
    }
    offset.pointer.initialize(from: scaling.offset, count: scaling.offset.count)
    scale.pointer.initialize(from: scaling.scale, count: scaling.scale.count)
    self.model = model
    self.kind = kind
    self.loss = loss
    self.scalingMethod = scalingMethod
    self.offset = offset
    self.scale = scale
    self.conditionNames = conditionNames
    self.table = table
    do { timbre = .success(try TimbreModel(model)) } catch {
      timbre = .failure(error as? AudioError ?? AudioError("\(error)"))
    }
  }

  deinit {
    free(kind)
    free(loss)
    free(scalingMethod)
    conditionNames.forEach { free($0) }
  }
}

/// The kinds of handle; an `ae_workspace *` stands for a `Workspace` itself, an `ae_stream *`
/// for a `StreamHandle` (Audio.swift).
enum HandleKind {
  case model, workspace, stream

  var code: Int32 {
    switch self {
    case .model: Int32(AESUP_MODEL)
    case .workspace: Int32(AESUP_WORKSPACE)
    case .stream: Int32(AESUP_STREAM)
    }
  }

  init?(code: Int32) {
    switch code {
    case Int32(AESUP_MODEL): self = .model
    case Int32(AESUP_WORKSPACE): self = .workspace
    case Int32(AESUP_STREAM): self = .stream
    default: return nil
    }
  }

  var noun: String {
    switch self {
    case .model: "model"
    case .workspace: "workspace"
    case .stream: "stream"
    }
  }

  /// What closing a handle of this kind is called.
  var closed: String { self == .model ? "closed" : "freed" }

  /// Destroy an object the registry handed back (balancing `register`'s retain).
  func destroy(_ object: UnsafeMutableRawPointer) {
    switch self {
    case .model: Unmanaged<ModelHandle>.fromOpaque(object).release()
    case .workspace: Unmanaged<Workspace>.fromOpaque(object).release()
    case .stream: Unmanaged<StreamHandle>.fromOpaque(object).release()
    }
  }
}

/// A new handle for `object` (retained until the handle is closed), or nil when out of memory.
func registerHandle(_ object: AnyObject, _ kind: HandleKind) -> OpaquePointer? {
  let retained = Unmanaged.passRetained(object)
  guard let handle = aesup_handle_new(kind.code, retained.toOpaque()) else {
    retained.release()
    return nil
  }
  return OpaquePointer(handle)
}

/// Record why the registry refused `pointer` as a handle of `kind` in `name`, and the status.
func refuse(_ name: String, _ kind: HandleKind, _ pointer: OpaquePointer?, _ why: Int32) -> Int32 {
  let noun = kind.noun
  let address = "0x" + String(UInt(bitPattern: UnsafeRawPointer(pointer)), radix: 16)
  switch Int(why) {
  case AESUP_HANDLE_NULL:
    return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): \(noun) is NULL")
  case AESUP_HANDLE_UNKNOWN:
    return fail(AE_ERROR_MISUSE, "\(name): \(noun) \(address) is not a handle this library returned")
  case AESUP_HANDLE_CLOSED:
    return fail(AE_ERROR_MISUSE, "\(name): \(noun) \(address) was \(kind.closed) (or is not a handle)")
  case AESUP_HANDLE_WRONG_KIND:
    let actual = HandleKind(code: aesup_handle_kind(UnsafeRawPointer(pointer))).map { "a \($0.noun)" } ?? "another kind of handle"
    return fail(AE_ERROR_MISUSE, "\(name): \(noun) \(address) is \(actual), not a \(noun)")
  case AESUP_HANDLE_BUSY:
    return fail(AE_ERROR_MISUSE, "\(name): workspace \(address) is in use by another call; a workspace belongs to one thread at a time")
  default:
    return fail(AE_ERROR_INTERNAL, "\(name): the handle registry answered \(why)")
  }
}

/// Run `body` on the object behind `pointer`, counted in as a call (exclusively for a
/// workspace), or return the status of the refusal. Closing the handle meanwhile is safe: the
/// object outlives `body`. A call that succeeds empties the last error.
@inline(__always)
func withHandle<T: AnyObject>(
  _ name: String, _ kind: HandleKind, _ pointer: OpaquePointer?, as type: T.Type, _ body: (T) -> Int32
) -> Int32 {
  var object: UnsafeMutableRawPointer?
  let why = aesup_handle_acquire(UnsafeRawPointer(pointer), kind.code, kind == .workspace ? 1 : 0, &object)
  guard why == Int32(AESUP_HANDLE_OK), let object else { return refuse(name, kind, pointer, why) }
  defer {
    if let closed = aesup_handle_release(UnsafeRawPointer(pointer)) { kind.destroy(closed) }
  }
  let status = body(Unmanaged<T>.fromOpaque(object).takeUnretainedValue())
  if status == ok { aesup_clear_error() }
  return status
}

/// `withHandle` for a model.
@inline(__always)
func withModel(_ name: String, _ pointer: OpaquePointer?, _ body: (ModelHandle) -> Int32) -> Int32 {
  withHandle(name, .model, pointer, as: ModelHandle.self, body)
}

/// `withHandle` for a workspace.
@inline(__always)
func withWorkspace(_ name: String, _ pointer: OpaquePointer?, _ body: (Workspace) -> Int32) -> Int32 {
  withHandle(name, .workspace, pointer, as: Workspace.self, body)
}

/// Close a handle: later calls on it are refused; its object goes once no call uses it.
/// NULL does nothing; a handle that is not an open one of `kind` does nothing but set the
/// last error.
func closeHandle(_ name: String, _ kind: HandleKind, _ pointer: OpaquePointer?) {
  guard pointer != nil else { return }
  var object: UnsafeMutableRawPointer?
  let why = aesup_handle_close(UnsafeRawPointer(pointer), kind.code, &object)
  guard why == Int32(AESUP_HANDLE_OK) else {
    _ = refuse(name, kind, pointer, why)
    return
  }
  aesup_clear_error()
  if let object { kind.destroy(object) }
}

// MARK: Statuses

/// The C status as the functions return it. The codes themselves (AE_OK, ...) come from
/// include/autoencoder.h through CAutoencoderSupport.
@inline(__always)
func code(_ status: ae_status) -> Int32 { Int32(bitPattern: status.rawValue) }

/// AE_OK as returned.
let ok = code(AE_OK)

/// Record `message` as this thread's last error and return `status`.
func fail(_ status: ae_status, _ message: String) -> Int32 {
  aesup_set_error(message)
  return code(status)
}

/// Map any error from the Swift side to a status and message.
func fail(_ error: Error) -> Int32 {
  switch error {
  case let e as StoreError:
    switch e.kind {
    case .io: return fail(AE_ERROR_IO, e.description)
    case .format: return fail(AE_ERROR_FORMAT, e.description)
    case .version: return fail(AE_ERROR_VERSION, e.description)
    case .unverified: return fail(AE_ERROR_UNVERIFIED, e.description)
    }
  case let e as InferenceError:
    switch e.kind {
    case .invalidArgument: return fail(AE_ERROR_INVALID_ARGUMENT, e.description)
    case .nonFinite: return fail(AE_ERROR_NON_FINITE, e.description)
    case .overflow: return fail(AE_ERROR_OVERFLOW, e.description)
    case .workspace: return fail(AE_ERROR_WORKSPACE, e.description)
    case .unsupported: return fail(AE_ERROR_UNSUPPORTED, e.description)
    }
  case let e as AllocationError:
    return fail(e.isOverflow ? AE_ERROR_OVERFLOW : AE_ERROR_OUT_OF_MEMORY, e.description)
  default:
    return fail(AE_ERROR_INTERNAL, "\(error)")
  }
}

/// `rows * width` as an Int, or nil when it overflows (or exceeds what memory could hold).
func elementCount(_ rows: Int, _ width: Int) -> Int? {
  let (product, overflow) = rows.multipliedReportingOverflow(by: width)
  return overflow || product > Int.max / 8 ? nil : product
}
