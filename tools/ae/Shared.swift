import ArgumentParser
import Datasets
import Foundation
import Layers
import Models
import Runtime
import Store
import Tensor

/// Options every command that reads data shares.
struct DataOptions: ParsableArguments {
  @Option(help: "Input data: fashion-mnist, fashion-mnist:test, a .npy (float32/float64/uint8; (rows, features), or images (rows, h, w[, c])), a .csv (numeric) or an IDX file (.gz too).")
  var data: String

  @Option(help: "Use only the first N rows.")
  var limit: Int?

  @Option(help: "CSV column holding class labels (for --model cvae); Fashion-MNIST brings its own.")
  var labelColumn: String?

  @Option(help: "Image shape of each row as HxWxC (channels fastest), for convolutional models on data that does not carry one; Fashion-MNIST is 28x28x1.")
  var imageShape: String?

  /// --image-shape as [height, width, channels].
  func parsedImageShape() throws -> [Int]? {
    guard let imageShape else { return nil }
    let parts = imageShape.lowercased().split(separator: "x").map { Int($0) }
    guard parts.count == 3, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
      throw ValidationError("--image-shape must be HxWxC with positive numbers, e.g. 28x28x1, got '\(imageShape)'")
    }
    return parts.map { $0! }
  }

  func validate() throws {
    if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
    if let shape = try parsedImageShape(), checkedProduct(shape) == nil {
      throw ValidationError("--image-shape \(imageShape!) is absurdly large")
    }
  }

  func load() throws -> Dataset {
    var dataset = try DataSource.load(data, limit: limit)
    if let labelColumn {
      guard data.lowercased().hasSuffix(".csv") else { throw DataError("\(data): --label-column applies to CSV files") }
      dataset = try CSV.read(data, labelColumn: labelColumn)
      if let limit { dataset = dataset.prefix(limit) }
    }
    guard dataset.features.rows > 0 else { throw DataError("\(data): no rows") }
    if let shape = try parsedImageShape() {
      let values = checkedProduct(shape) ?? -1
      guard values == dataset.features.cols else {
        throw DataError("\(data): --image-shape \(imageShape!) holds \(values) values but rows have \(dataset.features.cols)")
      }
      dataset.imageShape = shape
    }
    return dataset
  }
}

/// The product of sizes, or nil when it overflows or is not below 2^40 (no sane size is).
func checkedProduct(_ sizes: [Int]) -> Int? {
  var product = 1
  for size in sizes {
    let (next, overflow) = product.multipliedReportingOverflow(by: size)
    guard !overflow, size >= 0, next < 1 << 40 else { return nil }
    product = next
  }
  return product
}

/// Options of every command that reads a model file.
struct ModelFileOptions: ParsableArguments {
  @Flag(help: "Also read a model file that carries no checksum (written by h5py or another tool, not by ae). Its bytes then reach libhdf5 unchecked, and libhdf5 can crash or hang on damaged or malicious files: use this only for files you trust, or make a checked copy once with `ae seal`.")
  var unverified = false
}

/// Options that set up the machine.
struct ComputeOptions: ParsableArguments {
  @Option(help: "Threads for matrix products (default: all cores). Results are bit-identical for a fixed count.")
  var threads: Int?

  func validate() throws {
    if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be in 1...1024, got \(threads)") }
  }

  func apply() {
    if let threads { BLAS.threads = threads }
  }
}

/// A problem found after parsing (in the data or the model), reported as one `error:` line.
struct CommandError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Print `error: message` on stderr and exit with status 1: the one way commands fail.
func failing<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as ValidationError {
    throw error
  } catch let error as ExitCode {
    throw error
  } catch {
    FileHandle.standardError.write(Data("error: \(oneLine(error))\n".utf8))
    throw ExitCode.failure
  }
}

/// An error's text on one line. libhdf5's file-driver errors carry a dump (time, buffer
/// address, sizes) around the system's reason, over two lines; only the reason is kept.
/// A temporary file of `writeAtomically` (`DIR/.NAME.tmp-PID-RANDOM`, removed on failure) is
/// named by the file it was for.
func oneLine(_ error: Error) -> String {
  var text = "\(error)".replacing(#/\.([^/\s]+)\.tmp-\d+-\d+/#) { String($0.output.1) }
  if let dump = text.firstMatch(of: #/: time = [^\n]*\n?.*errno = (\d+), error message = '([^']*)'.*/#) {
    text.replaceSubrange(dump.range, with: ": \(dump.output.2) (errno \(dump.output.1))")
  }
  return text.split(whereSeparator: \.isNewline).joined(separator: " ")
}

/// Load a model file for a command (checksum required unless `unverified`).
func loadModel(_ path: String, _ options: ModelFileOptions) throws -> (model: Autoencoder, history: TrainingHistory) {
  try explainingUnverified(path) { try ModelFile.load(path, verify: !options.unverified) }
}

/// Load a model file for inference (checksum required unless `unverified`).
func loadInferenceModel(_ path: String, _ options: ModelFileOptions) throws -> InferenceModel {
  try explainingUnverified(path) { try InferenceModel.load(path: path, verify: !options.unverified) }
}

/// A file without a checksum is refused with what the user can do about it, in ae's terms.
func explainingUnverified<T>(_ path: String, _ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as StoreError where error.kind == .unverified {
    throw CommandError("\(path): the file carries no checksum, so it was not written by ae (h5py or another tool?); if you trust it, pass --unverified, or make a checked copy with `ae seal \(path)`")
  }
}

/// Refuse `rows` rows of `values` floats, `copies` times over (the rows, and their bytes on the
/// way to a file), when they cannot fit in this machine's memory, before allocating them: a
/// typo such as `-n 100000000000` is an error, not an abort.
func checkMemory(rows: Int, values: Int, copies: Int = 3, what: String) throws {
  let memory = Int(sysconf(Int32(_SC_PHYS_PAGES))) &* Int(sysconf(Int32(_SC_PAGESIZE)))
  guard let bytes = checkedProduct([rows, values, 4, copies]), bytes <= memory else {
    let needed = Double(rows) * Double(values) * Double(4 * copies) / 1e9
    throw CommandError("\(what) needs about \(String(format: "%.3g", needed)) GB of memory; this machine has \(String(format: "%.3g", Double(memory) / 1e9)) GB")
  }
}

/// The labels a conditional model needs (nil for other models), checked against its classes.
func labelsFor(_ model: Autoencoder, _ dataset: Dataset) throws -> [Int]? {
  guard let classes = model.spec.classes, model.spec.conditionWidth > 0 else { return nil }
  guard let labels = dataset.labels else {
    throw DataError("\(dataset.name): a cvae model needs class labels (Fashion-MNIST has them; for CSV pass --label-column)")
  }
  if let bad = labels.firstIndex(where: { !(0..<classes).contains($0) }) {
    throw DataError("\(dataset.name): row \(bad) has label \(labels[bad]); the model knows classes 0..<\(classes)")
  }
  return labels
}

/// Check that data fits a model, naming both widths.
func checkWidth(_ dataset: Dataset, _ expected: Int, what: String) throws {
  guard dataset.features.cols == expected else {
    throw DataError("\(dataset.name): rows have \(dataset.features.cols) values; \(what) expects \(expected)")
  }
}

/// Write a result table as .npy or .csv, chosen by the extension, through `writeAtomically`
/// (which refuses to replace anything but a regular file).
func writeTable(_ tensor: Tensor, to path: String) throws {
  try requireFinite(tensor.values, what: "result")
  var text = ""
  if path.lowercased().hasSuffix(".csv") {
    for r in 0..<tensor.rows {
      text += (0..<tensor.cols).map { String(tensor[r, $0]) }.joined(separator: ",") + "\n"
    }
  }
  try writeAtomically(to: path) { temporary in
    if path.lowercased().hasSuffix(".csv") {
      do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
      } catch {
        throw CommandError("\(path): cannot write the file: \(error.localizedDescription)")
      }
    } else {
      do {
        try NPY.write(tensor, to: temporary)
      } catch {
        throw CommandError(oneLine(error).replacingOccurrences(of: temporary, with: path))
      }
    }
  }
}

/// Check every output path before the work that fills it (see `checkReplaceable`).
func checkOutputs(_ paths: String?...) throws {
  for case let path? in paths { try checkReplaceable(path) }
}

/// One JSON object on one line, keys in a stable order.
func jsonLine(_ pairs: KeyValuePairs<String, Any?>) -> String {
  let body = pairs.map { key, value -> String in
    let text: String
    switch value {
    case let v as Double: text = v.isFinite ? String(format: "%.6g", v) : "null"
    case let v as Int: text = String(v)
    case let v as String: text = "\"" + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    case let v as Bool: text = v ? "true" : "false"
    default: text = "null"
    }
    return "\"\(key)\": \(text)"
  }
  return "{" + body.joined(separator: ", ") + "}"
}

extension Activation: ExpressibleByArgument {}
extension Loss: ExpressibleByArgument {}
extension ModelKind: ExpressibleByArgument {}
extension Scaling.Method: ExpressibleByArgument {}

/// Results that overflowed float32 are an error, never written or printed as if they were
/// numbers (a model file's weights may be finite and still multiply up beyond float32).
func requireFinite(_ values: [Float], what: String) throws {
  guard let bad = values.firstIndex(where: { !$0.isFinite }) else { return }
  throw CommandError("the \(what) does not fit in 32-bit floats (value \(bad) is \(values[bad])): the model's weights or the data are far outside the range it was trained on; nothing was written")
}
