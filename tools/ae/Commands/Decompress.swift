import ArgumentParser
import Foundation
import Runtime
import Tensor

/// `ae decompress`: a compressed-code file (ae compress) back to data rows, by the model that
/// compressed it.
struct Decompress: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Decode a compressed-code file (ae compress) to data rows (.npy or .csv), in the data's units.",
    usage: "ae decompress <model.h5> --in <codes.bin> --out <rows.npy|.csv> [<options>]",
    discussion: """
      The file must come from the same model (its identity is stored in the file); prints one \
      JSON line: rows, dims, bits, bytes, bytes_per_row.
      """)
  @Argument(help: "The model file that compressed the codes.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @Option(name: .customLong("in"), help: ArgumentHelp("The compressed-code file.", valueName: "file")) var input: String
  @Option(help: ArgumentHelp("Output file (.npy or .csv).", valueName: "file")) var out: String
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func run() throws {
    compute.apply()
    try checkOutput(out, formats: OutputFormat.tables)
    let model = try loadInferenceModel(modelPath, file)
    let bytes = try RegularFile.read(input, limit: FloatBuffer.physicalMemory ?? Int.max)
    let decoded: Tensor, codes: CodeFile
    do {
      codes = try CodeFile(bytes: bytes)
      decoded = try model.decompress(codes)
    } catch let error as InferenceError {
      throw CommandError("\(input): \(error)")
    }
    try writeTable(decoded, to: out)
    print(jsonLine([
      "rows": codes.rows, "dims": codes.dims, "bits": codes.quantizer.bits, "bytes": bytes.count,
      "bytes_per_row": Double(bytes.count) / Double(max(codes.rows, 1)),
    ]))
  }
}
