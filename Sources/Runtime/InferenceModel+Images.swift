import CVector
import Tensor

/// Denoising and inpainting whole images of any size with an image model (a model whose
/// rows are small height x width x channels images, such as a Fashion-MNIST model's 28x28x1).
///
/// Images are `height x width x channels` floats, channels fastest, in the model's data
/// units (those of `reconstruct`: 0...255 for a model trained on Fashion-MNIST's bytes).
/// They are cut into overlapping tiles and blended back (`ImageTiler`): an image exactly one
/// tile in size comes out as `reconstruct` gives it. A 1-channel model takes each channel of
/// an RGB image alone; a 3-channel model takes RGB whole and refuses grey images (repeat the
/// grey channel instead). `workspace` (nil: one made for the call) sets the batch of tiles
/// and its threads.
extension InferenceModel {
  /// The image one input row holds, or nil when the model's rows are not images.
  public var imageShape: (height: Int, width: Int, channels: Int)? {
    guard let shape = spec.inputShape, shape.count == 3, shape.allSatisfy({ (1...inputWidth).contains($0) }),
          shape[0] * shape[1] <= inputWidth, shape[0] * shape[1] * shape[2] == inputWidth else { return nil }
    return (shape[0], shape[1], shape[2])
  }

  /// The model's reconstruction of a whole image: for a denoising model, the image cleaned.
  public func denoiseImage(
    _ image: UnsafePointer<Float>, height: Int, width: Int, channels: Int,
    into out: UnsafeMutablePointer<Float>, workspace: Workspace? = nil
  ) throws {
    let tiler = try ImageTiler(self, "denoise", height: height, width: width, channels: channels, workspace: workspace)
    try checkFinitePixels("denoise", image, tiler, known: nil)
    try tiler.reconstruct(image, into: out)
  }

  /// Fill the missing pixels of an image: `known` holds one value per pixel (height x width),
  /// nonzero where the pixel is known, 0 where it is missing (every channel alike). Missing
  /// pixels start at the mean of the known ones (per channel), then each of `iterations`
  /// rounds reconstructs the image and puts the known pixels back, so they come out exactly
  /// as given. Missing pixels may hold anything, NaN included; known ones must be finite.
  public func inpaintImage(
    _ image: UnsafePointer<Float>, known: UnsafePointer<UInt8>, height: Int, width: Int, channels: Int,
    iterations: Int, into out: UnsafeMutablePointer<Float>, workspace: Workspace? = nil
  ) throws {
    guard (0...Self.maxInpaintIterations).contains(iterations) else {
      throw InferenceError(.invalidArgument, "inpaint: iterations must be in 0...\(Self.maxInpaintIterations), got \(iterations)")
    }
    let tiler = try ImageTiler(self, "inpaint", height: height, width: width, channels: channels, workspace: workspace)
    try checkFinitePixels("inpaint", image, tiler, known: known)
    let pixels = height * width
    var knownCount = 0
    for p in 0..<pixels where known[p] != 0 { knownCount += 1 }
    guard knownCount > 0 else {
      throw InferenceError(.invalidArgument, "inpaint: the mask marks no pixel as known (nonzero); there is nothing to start from")
    }
    // Channel by channel, so no per-channel array is allocated however many channels there are.
    for c in 0..<channels {
      var sum = 0.0
      for p in 0..<pixels where known[p] != 0 { sum += Double(image[p * channels + c]) }
      let mean = Float(sum / Double(knownCount))
      for p in 0..<pixels { out[p * channels + c] = known[p] != 0 ? image[p * channels + c] : mean }
    }
    guard iterations > 0, knownCount < pixels else { return }
    let reconstruction = try FloatBuffer(count: pixels * channels, for: "inpaint: the reconstructed image")
    for _ in 0..<iterations {
      try tiler.reconstruct(out, into: reconstruction.pointer)
      for p in 0..<pixels where known[p] == 0 {
        for c in 0..<channels { out[p * channels + c] = reconstruction.pointer[p * channels + c] }
      }
    }
  }

  /// The most inpainting rounds a call takes (each one reconstructs the whole image).
  public static let maxInpaintIterations = 100_000

  /// Refuse NaN or infinity among the image's values (only its known pixels when `known` is given).
  private func checkFinitePixels(_ name: String, _ image: UnsafePointer<Float>, _ tiler: ImageTiler, known: UnsafePointer<UInt8>?) throws {
    let channels = tiler.channels, count = tiler.height * tiler.width * channels
    guard VectorMath.containsNonFinite(image, count: count) else { return }
    for i in 0..<count where !image[i].isFinite && (known.map { $0[i / channels] != 0 } ?? true) {
      let pixel = i / channels
      throw InferenceError(.nonFinite, "\(name): pixel (row \(pixel / tiler.width), column \(pixel % tiler.width)), channel \(i % channels) is \(image[i]); \(known == nil ? "" : "known ")values must be finite")
    }
  }
}
