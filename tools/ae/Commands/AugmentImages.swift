import ArgumentParser
import Datasets
import Foundation
import Runtime
import Tensor

/// `ae augment images`: labelled images from a conditional VAE, to add to a small training set.
struct AugmentImages: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "images",
    abstract: "Write class-conditional images from a cvae (.npy) and their labels (.npy, int64).",
    usage: "ae augment images --model <cvae.h5> --per-class <n> --out <images.npy> --labels-out <labels.npy> [--classes <list>] [--perturb <sd> --data <data>] [<options>]",
    discussion: """
      Without --perturb, each class's codes are drawn from the prior N(0, I) and decoded with \
      that class. With --perturb SD, real images of each class (--data, with their labels) are \
      encoded, Gaussian noise of standard deviation SD is added to their codes (the posterior \
      means), and the codes are decoded with the same class; a class's images are used in turn \
      until --per-class are made. Images come out in the data's units, class by class, shaped \
      as the model's input (rows, height, width[, channels]), or (rows, values) when the model \
      knows no image shape. The same --seed gives the same files; each class draws from its \
      own stream, so a class's images do not depend on which other classes are listed.
      Example: ae augment images --model cvae.h5 --per-class 500 --out extra.npy --labels-out extra-labels.npy
      """)
  @Option(help: ArgumentHelp("The conditional VAE (trained with ae train --model cvae).", valueName: "file")) var model: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @Option(parsing: .unconditional, help: "Images to make of each class.") var perClass: Int
  @Option(help: ArgumentHelp("Only these classes, e.g. 0,3,7 (default: every class of the model).", valueName: "list"))
  var classes: String?
  @Option(parsing: .unconditional, help: "Seed for the codes and the noise (0...2^64-1; default: 1).", transform: Seed.parse)
  var seed: UInt64 = 1
  @Option(parsing: .unconditional, help: ArgumentHelp("Perturb real images instead: the noise's standard deviation in the code space (needs --data).", valueName: "sd"))
  var perturb: Float?
  @Option(help: ArgumentHelp("With --perturb: the real images (as ae train's --data).", valueName: "data")) var data: String?
  @Option(help: ArgumentHelp("With --perturb: their class labels, a .npy or one-column .csv.", valueName: "file")) var labels: String?
  @Option(help: ArgumentHelp("With --perturb and a CSV: the column holding the labels.", valueName: "name")) var labelColumn: String?
  @Option(parsing: .unconditional, help: "With --perturb: use only the first N rows of the data.") var limit: Int?
  @Option(help: ArgumentHelp("Output images (.npy, float32).", valueName: "file")) var out: String
  @Option(help: ArgumentHelp("Output labels (.npy, int64), one per image.", valueName: "file")) var labelsOut: String
  @Option(help: ArgumentHelp("Also draw the first 10 images of each class as a PNG, one class per row (one-channel images).", valueName: "file"))
  var montage: String?
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func validate() throws {
    if perClass < 1 { throw ValidationError("--per-class must be at least 1, got \(perClass)") }
    if let perturb, !(perturb >= 0 && perturb.isFinite) { throw ValidationError("--perturb must be a finite standard deviation >= 0, got \(perturb)") }
    if perturb != nil && data == nil { throw ValidationError("--perturb encodes real images: pass them with --data (and --labels unless the data carries labels)") }
    if perturb == nil && (data != nil || labels != nil || labelColumn != nil || limit != nil) {
      throw ValidationError("--data, --labels, --label-column and --limit are for --perturb; without it images are drawn from the prior")
    }
    _ = try requestedClasses()
    if out == labelsOut { throw ValidationError("--out and --labels-out are the same file, \(out)") }
  }

  /// --classes as class numbers, in the order given; nil for every class of the model.
  func requestedClasses() throws -> [Int]? {
    guard let classes else { return nil }
    let parts = classes.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? -1) >= 0 }) else {
      throw ValidationError("--classes must be class numbers 0, 1, 2, ... separated by commas, e.g. 0,3,7, got '\(classes)'")
    }
    let numbers = parts.map { $0! }
    if let twice = numbers.first(where: { number in numbers.filter { $0 == number }.count > 1 }) {
      throw ValidationError("--classes lists class \(twice) twice")
    }
    return numbers
  }

  func run() throws {
    compute.apply()
    try checkOutput(out, formats: [.npy])
    try checkOutput(labelsOut, option: "--labels-out", formats: [.npy])
    if let montage { try checkOutput(montage, option: "--montage", formats: [.png]) }
    let cvae = try loadInferenceModel(model, file)
    guard cvae.spec.isVariational, cvae.conditionWidth > 0 else {
      throw CommandError("\(model) is a \(cvae.spec.kind.rawValue) model; ae augment images needs a conditional VAE: train one with ae train --model cvae and labelled data")
    }
    guard cvae.classCount > 0 else { throw CommandError(unlabeledConditions(cvae.spec)) }
    let drawn = try requestedClasses() ?? Array(0..<cvae.classCount)
    if let outside = drawn.first(where: { $0 >= cvae.classCount }) {
      throw ValidationError("--classes: class \(outside) is not one of the model's classes 0..<\(cvae.classCount)")
    }
    let shape = imageShape(cvae)
    if montage != nil, shape?.count != 2 {
      throw ValidationError("--montage draws one-channel images; this model's rows are \(shape.map { $0.map(String.init).joined(separator: "x") } ?? "not images") (\(cvae.inputWidth) values)")
    }
    let total = checkedProduct([drawn.count, perClass]) ?? Int.max // checkMemory refuses Int.max
    try checkMemory(rows: total, values: cvae.inputWidth + cvae.codeWidth, what: "--per-class \(perClass) for \(drawn.count) classes (images of \(cvae.inputWidth) values)")

    let source = try perturb.map { _ in try realImages(cvae, classes: drawn) }
    let images = Tensor(rows: total, cols: cvae.inputWidth)
    let generator = try ImageGenerator(model: cvae, perClass: perClass, seed: seed)
    for (index, label) in drawn.enumerated() {
      let rows = images.row(index * perClass)
      if let source, let perturb {
        try generator.perturb(source.features, rows: source.rowsOfClass[label]!, label: label, sd: perturb, into: rows)
      } else {
        try generator.sample(label: label, into: rows)
      }
      progress("class \(label): \(perClass) images (\(index + 1) of \(drawn.count) classes)")
    }

    try requireFinite(images.values, what: "generated images")
    try ShapedNPY.writeFloats(images, shape: [total] + (shape ?? [cvae.inputWidth]), to: out)
    try ShapedNPY.writeLabels(drawn.flatMap { Array(repeating: $0, count: perClass) }, to: labelsOut)
    if let montage, let shape {
      try drawMontage(images, classes: drawn.count, height: shape[0], width: shape[1], to: montage)
    }
    progress("wrote \(total) images to \(out) and their labels to \(labelsOut)")
  }

  /// The shape of one image as the output array's trailing axes: (height, width) for one
  /// channel, (height, width, channels) for more; nil when the model knows no image shape.
  func imageShape(_ model: InferenceModel) -> [Int]? {
    guard let shape = model.spec.inputShape, shape.count == 3, checkedProduct(shape) == model.inputWidth else { return nil }
    return shape[2] == 1 ? Array(shape.prefix(2)) : shape
  }

  /// The --data rows and, for each class drawn, the rows that hold it (at least one each).
  func realImages(_ model: InferenceModel, classes: [Int]) throws -> (features: Tensor, rowsOfClass: [Int: [Int]]) {
    var arguments = ["--data", data!]
    if let labels { arguments += ["--labels", labels] }
    if let labelColumn { arguments += ["--label-column", labelColumn] }
    if let limit { arguments += ["--limit", String(limit)] }
    let dataset = try DataOptions.parse(arguments).load()
    try checkWidth(dataset, model.inputWidth, what: "the model's input")
    try dataset.checkFinite()
    guard let labels = try conditionLabels(model, dataset) else { throw CommandError(unlabeledConditions(model.spec)) }
    let rowsOfClass = Dictionary(grouping: labels.indices, by: { Int(labels[$0]) })
    if let missing = classes.first(where: { rowsOfClass[$0] == nil }) {
      throw CommandError("\(dataset.name) has no images of class \(missing) to perturb; add some, or leave the class out of --classes")
    }
    return (dataset.features, rowsOfClass)
  }

  /// Up to 10 images of each class, one class per picture row, as `ae montage --sample` draws them.
  func drawMontage(_ images: Tensor, classes: Int, height: Int, width: Int, to path: String) throws {
    let shown = min(perClass, 10)
    let rows = (0..<classes).map { images.slice(rows: $0 * perClass..<$0 * perClass + shown) }
    let values = UnsafeBufferPointer(start: images.data, count: images.count)
    let low = min(values.min() ?? 0, 0), high = max(values.max() ?? 1, low + 1e-6)
    try ImageGrid.writePNG(rows: rows, height: height, width: width, range: low...high, zoom: 3, to: path)
  }

  func progress(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }
}
