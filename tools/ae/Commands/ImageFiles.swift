import ArgumentParser
import Datasets
import Foundation
import Runtime
import Tensor

/// The images `ae denoise` and `ae inpaint` read and write: one PNG (8-bit grey or RGB, its
/// bytes 0...255 taken as they are), or a .npy array taken as given: (H, W) one grey image,
/// (H, W, C) one image when C is 1, 3 or the model's channel count, otherwise (N, H, W) grey
/// images; (N, H, W, C) images. The result is written in the input's shape.
struct ImageBatch {
  let count: Int, height: Int, width: Int, channels: Int
  /// count x height x width x channels values, channels fastest.
  var values: [Float]
  /// The .npy array's shape as read (nil for a PNG).
  let arrayShape: [Int]?

  var imageSize: Int { height * width * channels }

  /// Each image replaced by what `restore` writes for it (source image, target, workspace),
  /// on one workspace of 64 tiles; errors name `path`.
  mutating func restoreEach(
    _ model: InferenceModel, path: String,
    _ restore: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Workspace) throws -> Void
  ) throws {
    let size = imageSize
    var result = [Float](repeating: 0, count: values.count)
    do {
      let workspace = try model.makeWorkspace(maxRows: 64)
      try values.withUnsafeBufferPointer { source in
        try result.withUnsafeMutableBufferPointer { target in
          for n in 0..<count { try restore(source.baseAddress! + n * size, target.baseAddress! + n * size, workspace) }
        }
      }
    } catch {
      throw ImageCommand.failure(error, path)
    }
    values = result
  }

  /// Read `path` (.png or .npy), for a model taking `modelChannels`-channel tiles.
  static func read(_ path: String, modelChannels: Int) throws -> ImageBatch {
    if path.lowercased().hasSuffix(".png") {
      let picture: PNGImage
      do { picture = try PNGImage.read(path) } catch { throw CommandError(oneLine(error)) }
      return ImageBatch(count: 1, height: picture.height, width: picture.width, channels: picture.channels,
                        values: picture.pixels.map(Float.init), arrayShape: nil)
    }
    guard path.lowercased().hasSuffix(".npy") else {
      throw ValidationError("--in \(path): images come as .png or .npy")
    }
    let dataset: Dataset
    do { dataset = try NPY.read(path) } catch { throw CommandError(oneLine(error)) }
    let shape = dataset.metadata.shape ?? [dataset.features.rows, dataset.features.cols]
    let sizes: (Int, Int, Int, Int)
    switch shape.count {
    case 2: sizes = (1, shape[0], shape[1], 1)
    case 3 where [1, 3, modelChannels].contains(shape[2]): sizes = (1, shape[0], shape[1], shape[2])
    case 3: sizes = (shape[0], shape[1], shape[2], 1)
    default: sizes = (shape[0], shape[1], shape[2], shape[3])
    }
    guard sizes.0 >= 1, sizes.1 >= 1, sizes.2 >= 1, sizes.3 >= 1 else {
      throw CommandError("\(path): an array of shape (\(shape.map(String.init).joined(separator: ", "))) holds no image")
    }
    return ImageBatch(count: sizes.0, height: sizes.1, width: sizes.2, channels: sizes.3, values: dataset.features.values,
                      arrayShape: shape)
  }

  /// Write the images as the input was: a PNG (values rounded and clipped to 0...255) or a
  /// .npy array of the input's shape.
  func write(to path: String) throws {
    try requireFinite(values, what: "result")
    if let arrayShape {
      let tensor = Tensor(rows: 1, cols: values.count, values: values)
      try writeAtomically(to: path) { temporary in
        do { try NPY.write(tensor, shape: arrayShape, to: temporary) } catch {
          throw CommandError(oneLine(error).replacingOccurrences(of: temporary, with: path))
        }
      }
      return
    }
    let picture = values.withUnsafeBufferPointer { PNGImage(height: height, width: width, channels: channels, values: $0) }
    do { try picture.write(to: path) } catch { throw CommandError(oneLine(error)) }
  }
}

/// What `ae denoise` and `ae inpaint` share: check the output (same kind of file as the
/// input), load the model, read the images.
enum ImageCommand {
  static func prepare(modelPath: String, input: String, out: String, file: ModelFileOptions, compute: ComputeOptions)
    throws -> (model: InferenceModel, images: ImageBatch) {
    compute.apply()
    let format = try checkOutput(out, formats: [.png, .npy])
    guard let inputFormat = OutputFormat(path: input), [.png, .npy].contains(inputFormat) else {
      throw ValidationError("--in \(input): images come as .png or .npy")
    }
    guard format == inputFormat else {
      throw ValidationError("--out \(out): write the result as the input came (.\(inputFormat.rawValue)), so its shape is kept")
    }
    let model = try loadInferenceModel(modelPath, file)
    guard let shape = model.imageShape else {
      throw CommandError("\(modelPath): the model's rows are not images (it stores no height x width x channels shape); train it on images (fashion-mnist, an image .npy, or --image-shape)")
    }
    let images = try ImageBatch.read(input, modelChannels: shape.channels)
    try checkMemory(rows: images.count, values: images.imageSize, copies: 4, what: "\(images.count) images of \(images.height)x\(images.width)x\(images.channels)")
    return (model, images)
  }

  /// A runtime refusal as one line naming the input file.
  static func failure(_ error: Error, _ path: String) -> Error {
    guard let refusal = error as? InferenceError else { return error }
    return CommandError("\(path): \(refusal.description)")
  }
}
