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

/// The C status codes (include/autoencoder.h); values never change.
enum Status: Int32 {
  case ok = 0
  case invalidArgument = 1
  case io = 2
  case format = 3
  case version = 4
  case dimension = 5
  case nonFinite = 6
  case overflow = 7
  case outOfMemory = 8
  case unsupported = 9
  case workspace = 10
  case misuse = 11
  case unverified = 12
  case internalError = 99
}

/// Record `message` as this thread's last error and return `status`.
func fail(_ status: Status, _ message: String) -> Int32 {
  aesup_set_error(message)
  return status.rawValue
}

/// Map any error from the Swift side to a status and message.
func fail(_ error: Error) -> Int32 {
  switch error {
  case let e as StoreError:
    switch e.kind {
    case .io: return fail(.io, e.description)
    case .format: return fail(.format, e.description)
    case .version: return fail(.version, e.description)
    case .unverified: return fail(.unverified, e.description)
    }
  case let e as InferenceError:
    switch e.kind {
    case .invalidArgument: return fail(.invalidArgument, e.description)
    case .nonFinite: return fail(.nonFinite, e.description)
    case .overflow: return fail(.overflow, e.description)
    case .outOfMemory: return fail(.outOfMemory, e.description)
    case .workspace: return fail(.workspace, e.description)
    case .unsupported: return fail(.unsupported, e.description)
    }
  default:
    return fail(.internalError, "\(error)")
  }
}

/// `rows * width` as an Int, or nil when it overflows (or exceeds what memory could hold).
func elementCount(_ rows: Int, _ width: Int) -> Int? {
  let (product, overflow) = rows.multipliedReportingOverflow(by: width)
  return overflow || product > Int.max / 8 ? nil : product
}
