import ArgumentParser
import Foundation
import Runtime
import Tensor

/// `ae sample`: new data from a VAE.
struct Sample: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Draw new rows from a variational autoencoder (.npy or .csv, in the data's units).",
    usage: "ae sample <vae.h5> [--count <n>] [--seed <seed>] [--temperature <t>] [--class <k>] --out <file.npy|.csv> [<options>]",
    discussion: "Codes come from N(0, temperature^2 I); the same seed gives the same rows here, in C and in Python.")
  @Argument(help: "The model file (a vae or cvae).") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @Option(name: [.long, .customShort("n")], parsing: .unconditional, help: "How many rows.") var count: Int = 16
  @Option(parsing: .unconditional, help: "Seed for the codes (0...2^64-1; default: 1).", transform: Seed.parse) var seed: UInt64 = 1
  @Option(parsing: .unconditional, help: "Scale of the codes' spread, >= 0 (1 = the prior).") var temperature: Float = 1
  @Option(name: .customLong("class"), parsing: .unconditional, help: "The class to draw (conditional VAEs).") var label: Int?
  @Option(help: ArgumentHelp("Output file (.npy or .csv).", valueName: "file")) var out: String
  @Option(help: ArgumentHelp("Also write the codes here (.npy or .csv).", valueName: "file")) var codes: String?
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func validate() throws {
    if count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
    if !(temperature >= 0 && temperature.isFinite) { throw ValidationError("--temperature must be a finite number >= 0, got \(temperature)") }
    if let label, label < 0 { throw ValidationError("--class must be a class number 0, 1, 2, ..., got \(label)") }
  }

  func run() throws {
    compute.apply()
    try checkOutput(out, formats: OutputFormat.tables)
    if let codes { try checkOutput(codes, option: "--codes", formats: OutputFormat.tables) }
    let model = try loadInferenceModel(modelPath, file)
    try checkMemory(rows: count, values: model.inputWidth + model.codeWidth, what: "--count \(count) (rows of \(model.inputWidth) values and their codes)")
    let x = Tensor(rows: count, cols: model.inputWidth), z = Tensor(rows: count, cols: model.codeWidth)
    try model.sample(rows: count, seed: seed, temperature: temperature, label: label, into: x.data, codes: z.data,
                     workspace: model.makeWorkspace(maxRows: min(count, 256)))
    try writeTable(x, to: out)
    if let codes { try writeTable(z, to: codes) }
  }
}
