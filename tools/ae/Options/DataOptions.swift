import ArgumentParser
import Datasets
import Foundation
import Models
import Store
import Tensor

/// Options of every command that reads data rows: where they are, how many, their labels and
/// their image shape.
struct DataOptions: ParsableArguments {
  @Option(help: "Input data: fashion-mnist, fashion-mnist:test, a .npy (float32/float64/uint8; (rows, features), or images (rows, h, w[, c])), an HDF5 dataset FILE.h5:/PATH (the same types and shapes, also int32/int64), a .csv (numeric) or an IDX file (.gz too).")
  var data: String

  @Option(parsing: .unconditional, help: "Use only the first N rows.")
  var limit: Int?

  @Option(help: "CSV column holding class labels (conditional models); Fashion-MNIST brings its own.")
  var labelColumn: String?

  @Option(help: ArgumentHelp("Class labels, one per data row, for conditional models whose data carries none: a .npy (integers) or a one-column .csv.", valueName: "file"))
  var labels: String?

  @Option(help: "Image shape of each row as HxWxC (channels fastest) or HxW (one channel), for data that does not carry one; Fashion-MNIST is 28x28x1.")
  var imageShape: String?

  @Option(help: ArgumentHelp("Rows are frames over time: TIMExCHANNELS (channels fastest), e.g. 128x16 for 128 spectrogram frames of 16 values; convolutions in --arch then run over time (conv1d).", valueName: "TxC"))
  var frames: String?

  /// --frames as [time, channels].
  func parsedFrames() throws -> [Int]? {
    guard let frames else { return nil }
    let parts = frames.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
    guard parts.count == 2, let time = parts[0], let channels = parts[1], time > 0, channels > 0,
          checkedProduct([time, channels]) != nil else {
      throw ValidationError("--frames must be TIMExCHANNELS with positive numbers, e.g. 128x16, got '\(frames)'")
    }
    return [time, channels]
  }

  /// --image-shape as [height, width, channels].
  func parsedImageShape() throws -> [Int]? {
    guard let imageShape else { return nil }
    var parts = imageShape.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
    if parts.count == 2 { parts.append(1) }
    guard parts.count == 3, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
      throw ValidationError("--image-shape must be HxWxC or HxW with positive numbers, e.g. 28x28x1, got '\(imageShape)'")
    }
    return parts.map { $0! }
  }

  func validate() throws {
    if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
    if let shape = try parsedImageShape(), checkedProduct(shape) == nil {
      throw ValidationError("--image-shape \(imageShape!) is absurdly large")
    }
    if labelColumn != nil && labels != nil { throw ValidationError("--label-column and --labels both give labels: pass one") }
    if imageShape != nil && frames != nil { throw ValidationError("--image-shape and --frames both give the rows' shape: pass one") }
    _ = try parsedFrames()
  }

  /// The rows, with the labels and image shape the options add. A shape that does not fit
  /// the rows is a usage mistake (the fix is the option); what is wrong in the files is not.
  func load() throws -> Dataset {
    if isHDF5 {
      guard labelColumn == nil else { throw ValidationError("--label-column applies to CSV files; \(data) is an HDF5 dataset (pass --labels)") }
      return try load(hdf5Rows: nil)
    }
    var dataset = try DataSource.load(data, limit: limit)
    if let labelColumn {
      guard data.lowercased().hasSuffix(".csv") else { throw ValidationError("--label-column applies to CSV files; \(data) is not one") }
      dataset = try CSV.read(data, labelColumn: labelColumn)
      if let limit { dataset = dataset.prefix(limit) }
    }
    guard dataset.features.rows > 0 else { throw DataError("\(data): no rows") }
    if let labels {
      // One label per row; with --limit, the first labels of a longer file.
      let read = try LabelFile.read(labels), rows = dataset.features.rows
      guard read.count == rows || (limit != nil && read.count > rows) else {
        throw DataError("\(labels): \(read.count) labels for \(rows) rows of \(dataset.name)")
      }
      dataset.labels = Array(read.prefix(rows))
    }
    try applyShapes(&dataset)
    return dataset
  }

  /// The --image-shape and --frames options applied to the rows.
  func applyShapes(_ dataset: inout Dataset) throws {
    if let shape = try parsedImageShape() {
      let values = checkedProduct(shape) ?? -1
      guard values == dataset.features.cols else {
        throw ValidationError("--image-shape \(imageShape!) holds \(values) values but the rows of \(dataset.name) have \(dataset.features.cols)")
      }
      dataset.imageShape = shape
    }
    if let shape = try parsedFrames() {
      guard shape[0] * shape[1] == dataset.features.cols else {
        throw ValidationError("--frames \(frames ?? "") holds \(shape[0] * shape[1]) values but the rows of \(dataset.name) have \(dataset.features.cols)")
      }
      dataset.imageShape = shape // (time, channels): the spec's input shape for convolutions over time
    }
  }

  /// One shard's rows: from a .npy only those rows are read (in place, with pread), so N
  /// shard processes read the file once between them; other data is loaded whole and sliced.
  func load(shard: ShardOptions) throws -> Dataset {
    if isHDF5 && shard.isSharded && labelColumn == nil && limit == nil { return try load(hdf5Rows: shard) }
    guard shard.isSharded, data.lowercased().hasSuffix(".npy"), labelColumn == nil, limit == nil else {
      let whole = try load()
      return whole.rows(shard.range(of: whole.features.rows))
    }
    let source = try NPYRows(data)
    return try load(shard.range(of: source.rows), of: source, storedShape: source.header.shape, limited: false) // 1 MiB at a time
  }

  /// Rows `range` of a source read in place (a .npy with pread, an HDF5 dataset by its reader
  /// process), with their labels and the shape options; `storedShape` is the array's own.
  /// `limited`: the rows are the first --limit, so a longer label file is cut to them.
  private func load(_ range: Range<Int>, of source: RowSource, storedShape: [Int], limited: Bool) throws -> Dataset {
    let features = Tensor(rows: range.count, cols: source.width)
    if !range.isEmpty { try source.read(first: range.lowerBound, count: range.count, into: features.data) }
    var dataset = Dataset(features: features, imageShape: source.imageShape, isByteData: source.isByteData, name: data,
                          metadata: DatasetMetadata(shape: [range.count] + storedShape.dropFirst()))
    if let labels {
      let read = try LabelFile.read(labels)
      guard read.count == source.rows || (limited && read.count > range.count) else {
        throw DataError("\(labels): \(read.count) labels for \(source.rows) rows of \(data)")
      }
      dataset.labels = Array(read[range])
    }
    try applyShapes(&dataset)
    return dataset
  }
}

extension DataOptions {
  /// Whether --data names an HDF5 dataset (FILE.h5:/PATH).
  var isHDF5: Bool { HDF5Rows.split(data) != nil }

  /// The rows for `ae train --stream`: an HDF5 dataset through its own reader process, else a
  /// .npy file or a folder of shards.
  func rowSource() throws -> RowSource {
    isHDF5 ? try HDF5RowReader(data) : try RowSources.open(data)
  }

  /// An HDF5 dataset's rows in memory: all of them (the first --limit), or one shard's.
  private func load(hdf5Rows shard: ShardOptions?) throws -> Dataset {
    let source = try HDF5RowReader(data)
    let range = shard?.range(of: source.rows) ?? 0..<min(limit ?? source.rows, source.rows)
    guard shard != nil || !range.isEmpty else { throw DataError("\(data): no rows") }
    // Two copies: the rows and what the command makes of them. (A chunked file can declare far
    // more values than it stores: the size is checked before the rows are allocated.)
    try checkMemory(rows: range.count, values: source.width, copies: 2, what: "reading \(range.count) rows of \(source.width) values from \(data)")
    return try load(range, of: source, storedShape: source.shape, limited: shard == nil && limit != nil)
  }
}

/// The product of sizes, or nil when it overflows or is not below 2^40 (no sane size is).
func checkedProduct(_ sizes: [Int]) -> Int? { ModelSpec.checkedProduct(sizes, limit: (1 << 40) - 1) }
