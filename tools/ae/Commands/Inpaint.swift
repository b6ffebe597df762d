import ArgumentParser
import Datasets
import Runtime

/// `ae inpaint`: fill an image's missing pixels with an image model, iteratively.
struct Inpaint: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Fill the missing pixels of an image with an image model: reconstruct, keep the known pixels, repeat.",
    usage: "ae inpaint <model.h5> --in <image.png|.npy> --mask <mask.png|.npy> --out <filled.png|.npy> [--iterations N] [<options>]",
    discussion: """
      The mask has the image's height and width: a nonzero value marks a known pixel, 0 a \
      missing one (a PNG mask: black = missing; an RGB mask counts as known where any channel \
      is nonzero; a .npy mask: an (H, W) array). Missing pixels start at the mean of the known \
      ones, then each iteration reconstructs the whole image (tiled and blended as ae denoise \
      does) and puts the known pixels back, so they come out exactly as they went in. Images \
      are read and written as by ae denoise; a .npy batch (N, H, W[, C]) shares one mask.
      """)
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @Option(name: .customLong("in"), help: ArgumentHelp("The image (.png, or .npy images).", valueName: "file")) var input: String
  @Option(help: ArgumentHelp("Known pixels: nonzero known, 0 missing, the image's height x width (.png or .npy).", valueName: "file"))
  var mask: String
  @Option(help: ArgumentHelp("Output file (.png for a .png input, .npy for a .npy input).", valueName: "file")) var out: String
  @Option(help: "Rounds of reconstruct-and-restore, 0...\(InferenceModel.maxInpaintIterations) (0: the mean fill alone).")
  var iterations = 20
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func validate() throws {
    guard (0...InferenceModel.maxInpaintIterations).contains(iterations) else {
      throw ValidationError("--iterations must be in 0...\(InferenceModel.maxInpaintIterations), got \(iterations)")
    }
    guard [".png", ".npy"].contains(where: mask.lowercased().hasSuffix) else {
      throw ValidationError("--mask \(mask): a mask comes as .png or .npy")
    }
  }

  func run() throws {
    let (model, read) = try ImageCommand.prepare(modelPath: modelPath, input: input, out: out, file: file, compute: compute)
    var images = read
    let known = try readMask(height: images.height, width: images.width)
    let (height, width, channels, iterations) = (images.height, images.width, images.channels, iterations)
    try images.restoreEach(model, path: input) { source, target, workspace in
      try model.inpaintImage(source, known: known, height: height, width: width, channels: channels, iterations: iterations,
                             into: target, workspace: workspace)
    }
    try images.write(to: out)
  }

  /// The mask as one byte per pixel, 1 known and 0 missing; it must match the image's size.
  private func readMask(height: Int, width: Int) throws -> [UInt8] {
    let lower = mask.lowercased()
    let known: [Bool], maskHeight: Int, maskWidth: Int
    if lower.hasSuffix(".png") {
      let picture: PNGImage
      do { picture = try PNGImage.read(mask) } catch { throw CommandError(oneLine(error)) }
      (maskHeight, maskWidth) = (picture.height, picture.width)
      known = (0..<picture.height * picture.width).map { p in
        (0..<picture.channels).contains { picture.pixels[p * picture.channels + $0] != 0 }
      }
    } else if lower.hasSuffix(".npy") {
      let dataset: Dataset
      do { dataset = try NPY.read(mask) } catch { throw CommandError(oneLine(error)) }
      let shape = dataset.metadata.shape ?? []
      guard shape.count == 2 else {
        throw CommandError("\(mask): a mask is one (height, width) array; this one has shape (\(shape.map(String.init).joined(separator: ", ")))")
      }
      (maskHeight, maskWidth) = (shape[0], shape[1])
      known = dataset.features.values.map { $0 != 0 }
    } else {
      throw ValidationError("--mask \(mask): a mask comes as .png or .npy")
    }
    guard maskHeight == height, maskWidth == width else {
      throw CommandError("\(mask): the mask is \(maskHeight)x\(maskWidth) pixels, the image \(input) is \(height)x\(width); they must match")
    }
    return known.map { $0 ? 1 : 0 }
  }
}
