import ArgumentParser
import Runtime

/// `ae denoise`: a whole image of any size through an image model, tile by tile.
struct Denoise: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Clean an image of any size with an image model (a denoising one), tile by tile (.png or .npy).",
    usage: "ae denoise <model.h5> --in <noisy.png|.npy> --out <clean.png|.npy> [<options>]",
    discussion: """
      The image is cut into overlapping tiles of the model's input size (28x28 for \
      Fashion-MNIST), each reconstructed, and the seams blended with a raised-cosine weight; \
      an image smaller than a tile is padded by repeating its edge pixels. Values are in the \
      model's data units: a PNG's bytes 0...255 go in as they are (right for a model trained \
      on Fashion-MNIST), a .npy array as given ((H, W), (H, W, C), (N, H, W) or (N, H, W, C)). \
      A 1-channel model cleans an RGB image channel by channel; a 3-channel model refuses a \
      grey one. The output is written as the input came: a PNG (8-bit, values rounded and \
      clipped to 0...255) or a .npy array of the same shape. docs/DENOISE.md has examples.
      """)
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @Option(name: .customLong("in"), help: ArgumentHelp("The image (.png, or .npy images).", valueName: "file")) var input: String
  @Option(help: ArgumentHelp("Output file (.png for a .png input, .npy for a .npy input).", valueName: "file")) var out: String
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func run() throws {
    let (model, read) = try ImageCommand.prepare(modelPath: modelPath, input: input, out: out, file: file, compute: compute)
    var images = read
    let (height, width, channels) = (images.height, images.width, images.channels)
    try images.restoreEach(model, path: input) { source, target, workspace in
      try model.denoiseImage(source, height: height, width: width, channels: channels, into: target, workspace: workspace)
    }
    try images.write(to: out)
  }
}
