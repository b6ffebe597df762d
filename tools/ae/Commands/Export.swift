import ArgumentParser
import Foundation
import Interchange
import Models
import Tensor
#if canImport(Glibc)
import Glibc
#endif

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

  func validate() throws {
    if file.precision != .float32 {
      throw ValidationError("--precision \(file.precision.rawValue): the graphs hold the model's stored float32 weights; export without --precision")
    }
    let name = onnx.split(separator: "/").last.map(String.init) ?? onnx
    if name.lowercased() == ".onnx" { throw ValidationError("--onnx \(onnx): give the graphs a name, e.g. model.onnx") }
  }

  func run() throws {
    try checkOutput(onnx, option: "--onnx", formats: [.onnx])
    let stem = String(onnx.dropLast(".onnx".count))
    let paths = [onnx, stem + ".encoder.onnx", stem + ".decoder.onnx"]
    for path in paths {
      try checkOutput(path, option: "--onnx", formats: [.onnx])
      try refuseOverwriting(modelPath, with: path, option: "--onnx")
    }
    let model = try loadInferenceModel(modelPath, file)
    // Protocol Buffers' readers (onnx, onnxruntime) take messages below 2 GiB; the graphs
    // hold every weight once each (the whole model twice over its two halves).
    guard model.plan.parameterCount <= (1 << 31 - 1) / 4 - (1 << 20) else {
      throw CommandError("\(modelPath): \(model.plan.parameterCount) weights make an ONNX file over 2 GiB, which ONNX readers refuse (external data is not written)")
    }
    let name = URL(fileURLWithPath: modelPath).deletingPathExtension().lastPathComponent
    let graphs: ONNXExport.Graphs
    do {
      graphs = try ONNXExport.graphs(of: model, name: name, producerVersion: AutoencoderVersion.string)
    } catch let error as ONNXExport.ExportError {
      throw CommandError("\(modelPath): \(error.description)")
    }
    // All three under temporary names first, then renamed: a failure leaves none of them.
    var written: [String] = []
    defer { for temporary in written { unlink(temporary) } }
    for (path, bytes) in zip(paths, [graphs.autoencoder, graphs.encoder, graphs.decoder]) {
      let temporary = temporaryPath(beside: path)
      written.append(temporary)
      guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
        throw CommandError("\(path): cannot write the file: \(String(cString: strerror(errno)))")
      }
    }
    for (temporary, path) in zip(written, paths) { try moveIntoPlace(temporary, path) }
    written = []
    print(jsonLine(["autoencoder": paths[0], "encoder": paths[1], "decoder": paths[2], "kind": model.spec.kind.rawValue,
                    "input_width": model.inputWidth, "code_width": model.codeWidth, "condition_width": model.conditionWidth,
                    "opset": ONNXGraph.opset]))
  }
}
