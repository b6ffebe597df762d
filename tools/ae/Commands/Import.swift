import ArgumentParser
import Foundation
import Interchange
import Layers
import Models
import Store

/// `ae import`: an autoencoder saved by Keras, as a model file of this library.
struct Import: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Turn an autoencoder saved by Keras (model.save(\"model.h5\")) into a model file.",
    usage: "ae import <keras.h5> --out <model.h5> [--code-layer <name>] [--loss bce|mse]",
    discussion: """
      Reads Sequential and functional models (a chain of layers, sub-models allowed) of \
      InputLayer, Dense, Conv2D, Conv2DTranspose (channels last), Flatten, Reshape, \
      Activation, ReLU, LeakyReLU (slope 0.01) and Dropout; docs/FORMAT.md records the layout \
      read. The code is the output of --code-layer NAME, else of the sub-model whose name holds \
      "encoder", else of the narrowest Dense layer. The model takes the rows the Keras model \
      took (no scaling is stored: scale as you did for Keras). The loss (for ae score and \
      ae eval) is bce after a sigmoid output, else mse, unless --loss says. The weights are \
      copied as they are: ae encode, decode and reconstruct then compute what Keras computed, \
      and the model deploys through the C library and Python like any other.
      """)

  @Argument(help: "The Keras HDF5 file.") var kerasPath: String
  @Option(help: ArgumentHelp("Write the model file here (.h5).", valueName: "model.h5")) var out: String
  @Option(name: .customLong("code-layer"), help: ArgumentHelp("The Keras layer whose output is the code.", valueName: "name"))
  var codeLayer: String?
  @Option(help: ArgumentHelp("The loss scores and evaluations use: bce (needs a sigmoid output) or mse.", valueName: "loss"))
  var loss: Loss?

  func validate() throws {
    if let loss, loss != .bce && loss != .mse { throw ValidationError("--loss takes bce or mse for an imported model, got \(loss.rawValue)") }
  }

  func run() throws {
    try checkOutput(out, formats: [.h5])
    try refuseOverwriting(kerasPath, with: out, option: "--out")
    let imported: KerasImport.Imported
    do {
      imported = try KerasImport.read(path: kerasPath, codeLayer: codeLayer, loss: loss)
    } catch let error as KerasImport.ImportError {
      throw CommandError(error.description.hasPrefix(kerasPath) ? error.description : "\(kerasPath): \(error.description)")
    }
    try ModelFile.save(imported.model, to: out)
    let spec = imported.model.spec
    print(jsonLine(["out": out, "input_width": spec.inputWidth, "code_width": spec.codeWidth,
                    "encoder": imported.encoderLayers.joined(separator: ","), "decoder": imported.decoderLayers.joined(separator: ","),
                    "code": imported.split, "loss": spec.loss.rawValue, "output_activation": spec.outputActivation.rawValue]))
  }
}
