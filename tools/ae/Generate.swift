import ArgumentParser
import Datasets
import Foundation
import Runtime
import Tensor

/// `ae sample`: new data from a VAE.
struct Sample: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Draw new rows from a variational autoencoder (.npy or .csv, in the data's units).",
    discussion: "Codes come from N(0, temperature^2 I); the same seed gives the same rows here, in C and in Python.")
  @Argument(help: "The model file (a vae).") var modelPath: String
  @OptionGroup var file: ModelFileOptions
  @Option(name: .shortAndLong, help: "How many rows.") var n: Int = 16
  @Option(help: "Seed for the codes.") var seed: UInt64 = 1
  @Option(help: "Scale of the codes' spread (1 = the prior).") var temperature: Float = 1
  @Option(name: .customLong("class"), help: "The class to draw (conditional VAEs).") var label: Int?
  @Option(help: "Output file (.npy or .csv).") var out: String
  @Option(help: "Also write the codes here (.npy or .csv).") var codes: String?
  @OptionGroup var compute: ComputeOptions

  func validate() throws {
    if n < 1 { throw ValidationError("-n must be at least 1, got \(n)") }
    if !(temperature >= 0) { throw ValidationError("--temperature must be >= 0, got \(temperature)") }
  }

  func run() throws {
    try failing {
      compute.apply()
      try checkOutputs(out, codes)
      let model = try loadInferenceModel(modelPath, file)
      try checkMemory(rows: n, values: model.inputWidth + model.codeWidth, what: "-n \(n) (rows of \(model.inputWidth) values and their codes)")
      let x = Tensor(rows: n, cols: model.inputWidth), z = Tensor(rows: n, cols: model.codeWidth)
      try model.sample(rows: n, seed: seed, temperature: temperature, label: label, into: x.data, codes: z.data,
                       workspace: model.makeWorkspace(maxRows: min(n, 256)))
      try writeTable(x, to: out)
      if let codes { try writeTable(z, to: codes) }
    }
  }
}

/// `ae interpolate`: decode the path between the codes of two rows.
struct Interpolate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Decode the path between the codes of two data rows (.npy or .csv).",
    discussion: "Example: ae interpolate model.h5 --data fashion-mnist:test --from 0 --to 1 --steps 8 --out path.npy")
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup var file: ModelFileOptions
  @OptionGroup var dataOptions: DataOptions
  @Option(help: "Row of the data where the path starts.") var from: Int = 0
  @Option(help: "Row where it ends.") var to: Int = 1
  @Option(help: "Rows to produce, ends included.") var steps: Int = 8
  @Flag(help: "Straight line instead of the great circle (slerp is the default for VAEs).") var linear = false
  @Option(help: "Output file (.npy or .csv).") var out: String
  @OptionGroup var compute: ComputeOptions

  func validate() throws {
    if steps < 2 { throw ValidationError("--steps must be at least 2 (both ends), got \(steps)") }
  }

  func run() throws {
    try failing {
      compute.apply()
      try checkOutputs(out)
      let model = try loadInferenceModel(modelPath, file)
      try checkMemory(rows: steps, values: model.inputWidth, what: "--steps \(steps) (rows of \(model.inputWidth) values)")
      let dataset = try dataOptions.load()
      try checkWidth(dataset, model.inputWidth, what: "the model's input")
      let rows = dataset.features.rows
      guard (0..<rows).contains(from), (0..<rows).contains(to) else {
        throw CommandError("--from and --to must be rows of the data (0..<\(rows)), got \(from) and \(to)")
      }
      let workspace = try model.makeWorkspace(maxRows: min(steps, 256)) // longer paths run in passes
      let ends = Tensor(rows: 2, cols: model.codeWidth)
      let pair = dataset.features.slice(rows: from..<(from + 1))
      let second = dataset.features.slice(rows: to..<(to + 1))
      try model.encode(pair.data, rows: 1, into: ends.row(0), workspace: workspace)
      try model.encode(second.data, rows: 1, into: ends.row(1), workspace: workspace)
      let path = Tensor(rows: steps, cols: model.inputWidth)
      try model.interpolate(from: ends.row(0), to: ends.row(1), steps: steps, spherical: model.canSample && !linear,
                            into: path.data, workspace: workspace)
      try writeTable(path, to: out)
    }
  }
}
