import ArgumentParser
import Datasets
import Foundation
import Runtime
import Tensor

/// `ae interpolate`: decode the path between the codes of two rows.
struct Interpolate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Decode the path between the codes of two data rows (.npy or .csv).",
    usage: "ae interpolate <model.h5> --data <data> [--from <row>] [--to <row>] [--steps <n>] --out <file.npy|.csv> [<options>]",
    discussion: """
      A conditional (cvae) model encodes each end with its own label (the data's, or --labels) \
      and decodes the whole path as one class: --class, else the label of the --from row.
      Example: ae interpolate model.h5 --data fashion-mnist:test --from 0 --to 1 --steps 8 --out path.npy
      """)
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @OptionGroup(title: "Data") var dataOptions: DataOptions
  @Option(parsing: .unconditional, help: "Row of the data where the path starts.") var from: Int = 0
  @Option(parsing: .unconditional, help: "Row where it ends.") var to: Int = 1
  @Option(parsing: .unconditional, help: "Rows to produce, ends included (at least 2).") var steps: Int = 8
  @Option(name: .customLong("class"), parsing: .unconditional, help: "Conditional models: the class the path is decoded as (default: the --from row's label).")
  var label: Int?
  @Flag(help: "Straight line instead of the great circle (slerp is the default for VAEs).") var linear = false
  @Option(help: ArgumentHelp("Output file (.npy or .csv; .png draws the path as a strip of images between the two rows).", valueName: "file")) var out: String
  @Option(parsing: .unconditional, help: ".png: draw each pixel as a ZOOM x ZOOM square, 1...100.") var zoom: Int = 3
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func validate() throws {
    if steps < 2 { throw ValidationError("--steps must be at least 2 (both ends), got \(steps)") }
    if let label, label < 0 { throw ValidationError("--class must be a class number 0, 1, 2, ..., got \(label)") }
    if from < 0 || to < 0 { throw ValidationError("--from and --to are row numbers 0, 1, 2, ..., got \(from) and \(to)") }
    if !(1...100).contains(zoom) { throw ValidationError("--zoom must be in 1...100, got \(zoom)") }
  }

  func run() throws {
    compute.apply()
    let strip = out.lowercased().hasSuffix(".png")
    if strip { try checkOutput(out, formats: nil) } else { try checkOutput(out, formats: OutputFormat.tables) }
    let model = try loadInferenceModel(modelPath, file)
    try checkMemory(rows: steps, values: model.inputWidth, what: "--steps \(steps) (rows of \(model.inputWidth) values)")
    let dataset = try dataOptions.load()
    try checkWidth(dataset, model.inputWidth, what: "the model's input")
    let rows = dataset.features.rows
    guard (0..<rows).contains(from), (0..<rows).contains(to) else {
      throw ValidationError("--from and --to must be rows of the data (0..<\(rows)), got \(from) and \(to)")
    }
    let size = Array((dataset.imageShape ?? model.spec.inputShape ?? []).prefix(2))
    if strip {
      guard size.count == 2, checkedProduct(size) == model.inputWidth else {
        throw ValidationError("cannot draw rows of \(model.inputWidth) values as one-channel images: pass --image-shape HxW")
      }
      guard (checkedProduct([steps + 2, size[1] * zoom + 2]) ?? Int.max) <= 100_000 else {
        throw ValidationError("a strip of \(steps) images would be over 100000 pixels wide: lower --steps or --zoom")
      }
    }
    let labels = try conditionLabels(model, dataset)
    let workspace = try model.makeWorkspace(maxRows: min(steps, 256)) // longer paths run in passes
    let ends = Tensor(rows: 2, cols: model.codeWidth)
    for (end, row) in [from, to].enumerated() {
      try withLabelPointer(labels.map { [$0[row]] }) { label in
        try model.encode(dataset.features.row(row), rows: 1, labels: label, into: ends.row(end), workspace: workspace)
      }
    }
    let path = Tensor(rows: steps, cols: model.inputWidth)
    try model.interpolate(from: ends.row(0), to: ends.row(1), steps: steps, spherical: model.spec.isVariational && !linear,
                          label: label.map { Int32(clamping: $0) } ?? labels?[from], into: path.data, workspace: workspace)
    guard strip else { return try writeTable(path, to: out) }
    // One strip: the --from row as the data has it, the decoded path, the --to row.
    let width = model.inputWidth
    let originals = Tensor(rows: steps + 2, cols: width)
    originals.row(0).update(from: dataset.features.row(from), count: width)
    originals.row(1).update(from: path.data, count: steps * width)
    originals.row(steps + 1).update(from: dataset.features.row(to), count: width)
    let low = min(dataset.features.values.min() ?? 0, 0)
    let high = dataset.isByteData ? 255 : max(dataset.features.values.max() ?? 1, low + 1e-6)
    try ImageGrid.writePNG(rows: [originals], height: size[0], width: size[1], range: low...high, zoom: zoom, to: out)
    FileHandle.standardError.write(Data("wrote \(out)\n".utf8))
  }
}
