import ArgumentParser
import Datasets
import Foundation
import Runtime
import Tensor

/// `ae montage`: a PNG of inputs above their reconstructions, or of a VAE's samples.
struct Montage: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a PNG of images above their reconstructions, or of images a vae generates.",
    usage: "ae montage <model.h5> --data <data> [--count <n>] [--sample [--class <k>]] [--out <file.png>] [<options>]",
    discussion: """
      Reconstructions: the first --count rows of the data (top) above the model's output (below), \
      in strips of --columns. With --sample (a vae), --count generated images in rows of \
      --columns; a cvae draws --class, or --count of every class, one class per row.
      """)
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @OptionGroup(title: "Data") var dataOptions: DataOptions
  @Option(name: [.long, .customShort("n")], parsing: .unconditional, help: "How many images (of each class, for a cvae drawn without --class).")
  var count: Int = 10
  @Flag(help: "Draw images the model generates (a vae or cvae) instead of reconstructions.") var sample = false
  @Option(parsing: .unconditional, help: "Images per picture row (default: all reconstructions in one strip; 10 samples).")
  var columns: Int?
  @Option(parsing: .unconditional, help: "Seed for --sample (0...2^64-1; default: 1).", transform: Seed.parse) var seed: UInt64 = 1
  @Option(name: .customLong("class"), parsing: .unconditional, help: "With --sample on a cvae: the class to draw.") var label: Int?
  @Option(parsing: .unconditional, help: "Draw each pixel as a ZOOM x ZOOM square, 1...100.") var zoom: Int = 3
  @Option(help: ArgumentHelp("Output PNG.", valueName: "file")) var out: String = "reconstructions.png"

  // Old spellings, kept working: `--samples N` was `--sample --count N` with `--count` then
  // meaning images per row; `--shape HxW` was `--image-shape`.
  @Option(parsing: .unconditional, help: .hidden) var samples: Int?
  @Option(help: .hidden) var shape: String?

  mutating func validate() throws {
    if let samples {
      if columns == nil { columns = count }
      count = samples
      sample = true
    }
    if let shape {
      guard dataOptions.imageShape == nil else { throw ValidationError("--shape is the old name of --image-shape: pass one") }
      dataOptions.imageShape = shape
      try dataOptions.validate()
    }
    if count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
    if let columns, columns < 1 { throw ValidationError("--columns must be at least 1, got \(columns)") }
    if !(1...100).contains(zoom) { throw ValidationError("--zoom must be in 1...100, got \(zoom)") }
    if label != nil && !sample { throw ValidationError("--class picks the class of generated images: add --sample") }
    if let label, label < 0 { throw ValidationError("--class must be a class number 0, 1, 2, ..., got \(label)") }
  }

  func run() throws {
    try checkOutput(out, formats: [.png])
    let model = try loadInferenceModel(modelPath, file)
    let dataset = try dataOptions.load().prefix(count)
    try checkWidth(dataset, model.inputWidth, what: "the model's input")
    try dataset.checkFinite()
    let size = Array((dataset.imageShape ?? model.spec.inputShape ?? []).prefix(2))
    guard size.count == 2, checkedProduct(size) == model.inputWidth else {
      throw ValidationError("cannot draw rows of \(model.inputWidth) values as one-channel images: pass --image-shape HxW")
    }
    if sample {
      guard model.canSample else { throw CommandError("--sample needs a vae or cvae; \(modelPath) is a \(model.spec.kind.rawValue) model") }
      if label != nil && model.classCount == 0 { throw CommandError("--class needs a cvae; \(modelPath) is a \(model.spec.kind.rawValue) model") }
    }
    // The picture's size first: a typo in --count is refused before anything is drawn.
    let images = sample ? count : dataset.features.rows
    let perRow = min(columns ?? (sample ? 10 : images), images)
    let strips = (images / perRow + (images % perRow == 0 ? 0 : 1)) * (sample ? drawnClasses(model).count : 2)
    let width = checkedProduct([perRow, size[1] * zoom + 2]) ?? Int.max, height = checkedProduct([strips, size[0] * zoom + 2]) ?? Int.max
    guard width <= 100_000, height <= 100_000 else {
      throw ValidationError("the picture would be \(width == Int.max ? "too" : String(width)) pixels wide and \(height == Int.max ? "too" : String(height)) high; at most 100000 a side: lower --count, --columns or --zoom")
    }
    let rows = sample ? try generated(model, perRow: perRow) : try reconstructions(model, dataset, perRow: perRow)
    let low = min(dataset.features.values.min() ?? 0, 0)
    let high = dataset.isByteData ? 255 : max(dataset.features.values.max() ?? 1, low + 1e-6)
    try ImageGrid.writePNG(rows: rows, height: size[0], width: size[1], range: low...high, zoom: zoom, to: out)
    FileHandle.standardError.write(Data("wrote \(out)\n".utf8))
  }

  /// Strips of inputs, each above the strip of their reconstructions.
  func reconstructions(_ model: InferenceModel, _ dataset: Dataset, perRow: Int) throws -> [Tensor] {
    let rows = dataset.features.rows
    let output = Tensor(rows: rows, cols: model.inputWidth)
    try withLabelPointer(try conditionLabels(model, dataset)) { labels in
      try model.reconstruct(dataset.features.data, rows: rows, labels: labels, into: output.data,
                            workspace: model.makeWorkspace(maxRows: min(rows, 256)))
    }
    return stride(from: 0, to: rows, by: perRow).flatMap { start in
      let range = start..<min(start + perRow, rows)
      return [dataset.features.slice(rows: range), output.slice(rows: range)]
    }
  }

  /// The classes drawn: --class, every class of a cvae without it, or none (nil) for a vae.
  func drawnClasses(_ model: InferenceModel) -> [Int?] {
    model.classCount > 0 && label == nil ? Array(0..<model.classCount) : [label]
  }

  /// Rows of generated images: --count of them for each class drawn, each class from the same seed.
  func generated(_ model: InferenceModel, perRow: Int) throws -> [Tensor] {
    let classes = drawnClasses(model)
    try checkMemory(rows: classes.count * count, values: model.inputWidth, copies: 1, what: "--count \(count) (images of \(model.inputWidth) values)")
    let workspace = try model.makeWorkspace(maxRows: min(count, 256))
    return try classes.flatMap { label -> [Tensor] in
      let drawn = Tensor(rows: count, cols: model.inputWidth)
      try model.sample(rows: count, seed: seed, temperature: 1, label: label, into: drawn.data, codes: nil, workspace: workspace)
      return stride(from: 0, to: count, by: perRow).map { drawn.slice(rows: $0..<min($0 + perRow, count)) }
    }
  }
}
