import ArgumentParser
import Models

/// `ae`: train autoencoders, inspect and use the model files.
@main
struct AE: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ae",
    abstract: "Train autoencoders, save them to HDF5, and use them.",
    discussion: """
      Progress goes to stderr, results to stdout (JSON lines where they are figures).
      Example: ae train --layers 256,32 --epochs 10 --data fashion-mnist --out model.h5
      """,
    version: AutoencoderVersion.string,
    subcommands: [Train.self, Eval.self, Encode.self, Decode.self, Reconstruct.self, Inspect.self, PCACommand.self, Montage.self, Sample.self, Interpolate.self]
  )
}
