import CAutoencoderSupport
import Runtime

// Images: ae_denoise_image and ae_inpaint_image, whole images of any size through an image
// model, tile by tile (InferenceModel+Images.swift). The workspace is optional.

/// The shared body: check the pointers and sizes, take the workspace (or none), run.
@inline(__always)
func imageCall(
  _ name: String, _ model: OpaquePointer?, _ workspace: OpaquePointer?, _ pixels: UnsafePointer<Float>?,
  _ height: Int, _ width: Int, _ channels: Int, _ out: UnsafeMutablePointer<Float>?,
  _ body: (InferenceModel, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Workspace?) throws -> Void
) -> Int32 {
  withModel(name, model) { handle in
    guard let pixels else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): pixels is NULL") }
    guard let out else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): out is NULL") }
    guard height != 0, width != 0, channels != 0 else {
      return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): height, width and channels must be at least 1 (got \(UInt(bitPattern: height))x\(UInt(bitPattern: width))x\(UInt(bitPattern: channels)))")
    }
    guard height > 0, width > 0, channels > 0, let pixelCount = elementCount(height, width), elementCount(pixelCount, channels) != nil else {
      return fail(AE_ERROR_OVERFLOW, "\(name): an image of \(UInt(bitPattern: height))x\(UInt(bitPattern: width))x\(UInt(bitPattern: channels)) values does not fit in memory")
    }
    guard workspace != nil else { return runImage(body, handle.model, pixels, out, nil) }
    return withWorkspace(name, workspace) { runImage(body, handle.model, pixels, out, $0) }
  }
}

/// Run an image call's body and map its outcome to a status.
@inline(__always)
private func runImage(
  _ body: (InferenceModel, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Workspace?) throws -> Void,
  _ model: InferenceModel, _ pixels: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ workspace: Workspace?
) -> Int32 {
  do {
    try body(model, pixels, out, workspace)
    return ok
  } catch {
    return fail(error)
  }
}

@_cdecl("ae_denoise_image")
public func ae_denoise_image(
  _ model: OpaquePointer?, _ workspace: OpaquePointer?, _ pixels: UnsafePointer<Float>?, _ height: Int, _ width: Int,
  _ channels: Int, _ out: UnsafeMutablePointer<Float>?
) -> Int32 {
  imageCall("ae_denoise_image", model, workspace, pixels, height, width, channels, out) { m, pixels, out, scratch in
    try m.denoiseImage(pixels, height: height, width: width, channels: channels, into: out, workspace: scratch)
  }
}

@_cdecl("ae_inpaint_image")
public func ae_inpaint_image(
  _ model: OpaquePointer?, _ workspace: OpaquePointer?, _ pixels: UnsafePointer<Float>?, _ knownMask: UnsafePointer<UInt8>?,
  _ height: Int, _ width: Int, _ channels: Int, _ iterations: Int32, _ out: UnsafeMutablePointer<Float>?
) -> Int32 {
  let name = "ae_inpaint_image"
  guard let knownMask else {
    // Checked after the model so a bad handle is reported as such.
    return withModel(name, model) { _ in fail(AE_ERROR_INVALID_ARGUMENT, "\(name): known_mask is NULL") }
  }
  return imageCall(name, model, workspace, pixels, height, width, channels, out) { m, pixels, out, scratch in
    try m.inpaintImage(pixels, known: knownMask, height: height, width: width, channels: channels, iterations: Int(iterations),
                       into: out, workspace: scratch)
  }
}
