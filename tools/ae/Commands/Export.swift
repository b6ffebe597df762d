import ArgumentParser
import Foundation
import Interchange
import Models
import Tensor

/// `ae export`: a model as ONNX graphs, for onnxruntime and the tools that read ONNX.
struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a model as ONNX graphs: the encoder, the decoder, and the two together.",
    usage: "ae export <model.h5> --onnx <model.onnx>",
    discussion: """
      --onnx NAME.onnx writes three files: NAME.onnx (raw rows x to their reconstruction), \
      NAME.encoder.onnx (x to code, and for a VAE its log_variance too) and NAME.decoder.onnx \
      (code to reconstruction). Each computes what ae encode, decode and reconstruct compute \
      (the stored scaling, the layers, a VAE's posterior mean, the output activations, the \
      scaling undone), for rows as the library takes them (flat; an image is HxWxC values, \
      channels fastest), with any number of rows. Conditional models take a second input, \
      condition (rows x condition width: one-hot labels). ONNX IR 8, opset 17 (onnxruntime \
      1.14 or newer). Dense, convolutional (1-D and 2-D, transposed too) and variational \
      models export; table models do not.
      """)

  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @Option(help: ArgumentHelp("Write the ONNX graphs: NAME.onnx, NAME.encoder.onnx and NAME.decoder.onnx.", valueName: "NAME.onnx"))
  var onnx: String

  func run() throws {
    try refuseReducedPrecision(file)
    try checkOutput(onnx, option: "--onnx", formats: [.onnx])
    let stem = String(onnx.dropLast(".onnx".count))
    let paths = [onnx, stem + ".encoder.onnx", stem + ".decoder.onnx"]
    for path in paths.dropFirst() { try checkOutput(path, option: "--onnx", formats: [.onnx]) }
    let model = try loadInferenceModel(modelPath, file)
    let name = URL(fileURLWithPath: modelPath).deletingPathExtension().lastPathComponent
    let graphs: ONNXExport.Graphs
    do {
      graphs = try ONNXExport.graphs(of: model, name: name, producerVersion: AutoencoderVersion.string)
    } catch let error as ONNXExport.ExportError {
      throw CommandError("\(modelPath): \(error.description)")
    }
    for (path, bytes) in zip(paths, [graphs.autoencoder, graphs.encoder, graphs.decoder]) {
      try writeAtomically(to: path) { try Data(bytes).write(to: URL(fileURLWithPath: $0)) }
    }
    print(jsonLine(["autoencoder": paths[0], "encoder": paths[1], "decoder": paths[2], "kind": model.spec.kind.rawValue,
                    "input_width": model.inputWidth, "code_width": model.codeWidth, "condition_width": model.conditionWidth,
                    "opset": ONNXGraph.opset]))
  }
}
