import CAutoencoderSupport
import Runtime
import Store

#if canImport(Glibc)
import Glibc
#endif

/// What an `ae_model *` points to: the immutable model plus C strings it hands out.
final class ModelHandle {
  let model: InferenceModel
  let kind: UnsafeMutablePointer<CChar>
  let loss: UnsafeMutablePointer<CChar>
  let scalingMethod: UnsafeMutablePointer<CChar>

  /// nil when a string cannot be allocated.
  init?(_ model: InferenceModel) {
    let kind = strdup(model.spec.kind.rawValue), loss = strdup(model.spec.loss.rawValue)
    let scalingMethod = strdup(model.scalingMethod.rawValue)
    guard let kind, let loss, let scalingMethod else {
      free(kind); free(loss); free(scalingMethod)
      return nil
    }
    self.model = model
    self.kind = kind
    self.loss = loss
    self.scalingMethod = scalingMethod
  }

  deinit {
    free(kind)
    free(loss)
    free(scalingMethod)
  }

  var opaque: OpaquePointer { OpaquePointer(Unmanaged.passRetained(self).toOpaque()) }

  static func from(_ pointer: OpaquePointer?) -> ModelHandle? {
    guard let pointer else { return nil }
    return Unmanaged<ModelHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
  }

  static func release(_ pointer: OpaquePointer?) {
    guard let pointer else { return }
    Unmanaged<ModelHandle>.fromOpaque(UnsafeRawPointer(pointer)).release()
  }
}

/// What an `ae_workspace *` points to; it keeps its model alive.
final class WorkspaceHandle {
  let workspace: Workspace
  init(_ workspace: Workspace) { self.workspace = workspace }

  var opaque: OpaquePointer { OpaquePointer(Unmanaged.passRetained(self).toOpaque()) }

  static func from(_ pointer: OpaquePointer?) -> WorkspaceHandle? {
    guard let pointer else { return nil }
    return Unmanaged<WorkspaceHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
  }

  static func release(_ pointer: OpaquePointer?) {
    guard let pointer else { return }
    Unmanaged<WorkspaceHandle>.fromOpaque(UnsafeRawPointer(pointer)).release()
  }
}

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
    case .outOfMemory: return fail(AE_ERROR_OUT_OF_MEMORY, e.description)
    case .workspace: return fail(AE_ERROR_WORKSPACE, e.description)
    case .unsupported: return fail(AE_ERROR_UNSUPPORTED, e.description)
    }
  default:
    return fail(AE_ERROR_INTERNAL, "\(error)")
  }
}

/// `rows * width` as an Int, or nil when it overflows (or exceeds what memory could hold).
func elementCount(_ rows: Int, _ width: Int) -> Int? {
  let (product, overflow) = rows.multipliedReportingOverflow(by: width)
  return overflow || product > Int.max / 8 ? nil : product
}
