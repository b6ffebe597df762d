import ArgumentParser
import Foundation
import Runtime
import Tensor

/// `ae compress`: data rows to a compressed-code file (docs/COMPRESSION.md): each row's code,
/// quantized per dimension to --bits bits, for `ae decompress` with the same model.
struct Compress: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Compress data rows to their codes, quantized to a few bits each (a file for ae decompress).",
    usage: "ae compress <model.h5> --data <data> --bits <1...16> --out <codes.bin> [<options>]",
    discussion: """
      Each row becomes its code (a vae's posterior mean); each code dimension's range over the \
      rows (min and max, or with --clip P its P and 1-P quantiles) is split into 2^bits levels, \
      stored with the model's identity, so only the same model decompresses the file. Prints one \
      JSON line: rows, dims, bits, bytes, bytes_per_row, deflated, model, and the mse and psnr of \
      the decompressed rows against the input in the data's units (psnr's peak: 255 for byte \
      data such as Fashion-MNIST, else the input's max - min). Unconditional models only.
      """)
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @OptionGroup(title: "Data") var dataOptions: DataOptions
  @Option(help: "Bits per code value, 1...16.") var bits: Int = 8
  @Option(help: ArgumentHelp("Fraction of each code dimension's values left outside its range at each end (0: min and max).",
                             valueName: "fraction"))
  var clip: Double = 0
  @Option(help: ArgumentHelp("Output file (the compressed codes; any name, e.g. codes.bin).", valueName: "file")) var out: String
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func validate() throws {
    guard CodeQuantizer.bitRange.contains(bits) else { throw ValidationError("--bits must be 1...16, got \(bits)") }
    guard (0..<0.5).contains(clip) else { throw ValidationError("--clip must be in 0..<0.5, got \(clip)") }
  }

  func run() throws {
    compute.apply()
    try checkOutput(out, formats: nil)
    let model = try loadInferenceModel(modelPath, file)
    guard model.conditionWidth == 0, model.table == nil else {
      throw CommandError("\(modelPath): ae compress takes unconditional models; a \(model.spec.kind.rawValue) model's decoding needs its condition rows too")
    }
    let dataset = try dataOptions.load()
    try checkWidth(dataset, model.inputWidth, what: "the model's input")
    try dataset.checkFinite()
    let x = dataset.features
    try checkMemory(rows: x.rows, values: model.inputWidth + model.codeWidth, what: "\(x.rows) rows")
    let bytes = try model.compress(x, bits: bits, clip: clip).serialized()
    try writeAtomically(to: out) { temporary in
      do { try Data(bytes).write(to: URL(fileURLWithPath: temporary)) } catch {
        throw CommandError("\(out): cannot write the file: \(error.localizedDescription)")
      }
    }
    // The figures come from the file's bytes read back, so they are what decompress gives.
    let compressed = try CodeFile(bytes: bytes)
    let decoded = try model.decompress(compressed)
    let distortion = Distortion(x, decoded, peak: dataset.isByteData ? 255 : nil)
    print(jsonLine([
      "rows": x.rows, "dims": compressed.dims, "bits": bits, "bytes": bytes.count,
      "bytes_per_row": Double(bytes.count) / Double(max(x.rows, 1)), "deflated": bytes[11] & 1 == 1,
      "model": String(compressed.modelIdentity, radix: 16), "mse": distortion.mse, "psnr": distortion.psnr,
    ]))
  }
}

/// Mean squared error of `decoded` against `original` over every value, and the PSNR of it:
/// 10 log10(peak² / mse), the peak being `peak` or the original's max - min.
struct Distortion {
  let mse: Double
  let psnr: Double

  init(_ original: Tensor, _ decoded: Tensor, peak: Double?) {
    var sum = 0.0
    for i in 0..<original.count {
      let e = Double(original.data[i] - decoded.data[i])
      sum += e * e
    }
    mse = sum / Double(max(original.count, 1))
    let values = original.values
    let range = peak ?? Double((values.max() ?? 1) - (values.min() ?? 0))
    psnr = 10 * log10(range * range / mse)
  }
}
