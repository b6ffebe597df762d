import ArgumentParser
import Datasets
import Foundation
import Models
import Runtime
import Tabular
import Tensor

/// `ae augment sample`: synthetic rows from a table model, streamed to a file.
struct AugmentSample: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sample",
    abstract: "Draw synthetic rows from a table model (.csv, .npy or .h5).",
    usage: "ae augment sample <synth.h5> --rows <n> [--seed <seed>] --out <out.csv|.npy|.h5> [--where <column=value> ...]",
    discussion: """
      Rows are in the table's units: integers rounded, numbers within the training range, \
      categories from the training set. --where fixes a category column's value: the model is \
      conditioned on it (no rejection). The same seed gives the same file. --shards N \
      --shard-index I writes the I-th of N contiguous shares of the same rows only (sizes \
      within one of each other): the shards' rows, concatenated in index order, are the rows \
      one process writes (each CSV shard has the header). Rows are written in \
      chunks, so any --rows runs in bounded memory; provenance goes to OUT.json (or, for .h5, \
      to the file's attributes). In .npy and .h5 files categories are their indexes; \
      `ae inspect --json` lists the labels.
      """)

  @Argument(help: "The table model (from ae augment fit).") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @Option(parsing: .unconditional, help: "How many rows.") var rows: Int
  @Option(parsing: .unconditional, help: "Seed (0...2^64-1; default: 1).", transform: Seed.parse) var seed: UInt64 = 1
  @Option(help: ArgumentHelp("Output file (.csv, .npy or .h5).", valueName: "file")) var out: String
  @Option(name: .customLong("where"), parsing: .singleValue,
          help: ArgumentHelp("Fix a category column (repeatable): column=value.", valueName: "column=value"))
  var conditions: [String] = []
  @Flag(name: .shortAndLong, help: "No progress on stderr.") var quiet = false
  @OptionGroup(title: "Shards") var shard: ShardOptions
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  /// This process's rows of the --rows: all of them, or its shard's. Row r is the same row
  /// whichever process draws it (the sampler's stream is a function of the seed and r).
  var shardRows: Range<Int> { shard.range(of: rows) }

  /// Rows per chunk: the memory bound, whatever --rows is.
  static let chunkRows = 8192

  func validate() throws {
    if rows < 1 { throw ValidationError("--rows must be at least 1, got \(rows)") }
    for entry in conditions where !entry.contains("=") {
      throw ValidationError("--where takes column=value, got '\(entry)'")
    }
  }

  func run() throws {
    compute.apply()
    let format = try checkOutput(out, formats: [.csv, .npy, .h5])
    let model = try loadInferenceModel(modelPath, file)
    guard let table = model.table else {
      throw CommandError("\(modelPath) is not a table model (make one with ae augment fit); for other VAEs use ae sample")
    }
    let fixing = try fixedValues(table)
    let started = Date()
    var sink = try makeSink(format ?? .csv, table, started: started)
    let mine = shardRows
    let chunk = max(1, min(mine.count, Self.chunkRows))
    let workspace = try model.makeWorkspace(maxRows: min(chunk, 256))
    var buffer = [Double](repeating: 0, count: chunk * table.rawWidth)
    let progress = quiet ? nil : RowProgress(total: mine.count)
    var done = 0
    try fixing.withUnsafeBufferPointer { fixing in
      try buffer.withUnsafeMutableBufferPointer { buffer in
        while done < mine.count {
          let n = min(chunk, mine.count - done)
          try model.sampleTable(rows: n, seed: seed, first: mine.lowerBound + done, fixing: fixing.baseAddress,
                                into: buffer.baseAddress!, workspace: workspace)
          try sink.write(UnsafeBufferPointer(rebasing: buffer[0..<(n * table.rawWidth)]), rowCount: n)
          done += n
          progress?.update(done)
        }
      }
    }
    try sink.finish()
    try writeProvenance(format ?? .csv, table, started: started)
    progress?.finish()
    print(jsonLine(["out": out, "rows": mine.count, "first_row": mine.lowerBound, "columns": table.rawWidth,
                    "seed": Double(seed), "seconds": Date().timeIntervalSince(started)]))
  }

  /// One value per column: the --where value (a category's index), NaN for free columns.
  func fixedValues(_ table: TableSchema) throws -> [Double] {
    var values = [Double](repeating: .nan, count: table.rawWidth)
    for entry in conditions {
      let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = String(parts[0]), text = String(parts[1])
      guard let c = table.columnIndex(named: name) else {
        throw ValidationError("--where \(entry): the model has no column '\(name)' (columns: \(table.columns.map(\.name).joined(separator: ", ")))")
      }
      let column = table.columns[c]
      guard column.condition, let categories = column.categories else {
        let names = table.columns.filter(\.condition).map(\.name)
        throw ValidationError("--where \(entry): '\(name)' is a \(column.kind.rawValue) column; --where fixes category columns the model is conditioned on: \(names.isEmpty ? "none" : names.joined(separator: ", "))")
      }
      guard let index = categoryIndex(text, column.kind, categories) else {
        throw ValidationError("--where \(entry): '\(text)' is not a value of '\(name)' (values: \(categories.prefix(20).map { $0.isEmpty ? "(missing)" : $0 }.joined(separator: ", ")))")
      }
      guard values[c].isNaN else { throw ValidationError("--where fixes '\(name)' twice") }
      values[c] = Double(index)
    }
    return values
  }

  /// The category index of a --where value: the label itself, or for booleans any spelling
  /// the CSV reader accepts (true/false, yes/no, 1/0).
  func categoryIndex(_ text: String, _ kind: TableSchema.ColumnKind, _ categories: [String]) -> Int? {
    if let index = categories.firstIndex(of: text) { return index }
    guard kind == .boolean else { return nil }
    switch text.lowercased() {
    case "true", "yes", "1": return 1
    case "false", "no", "0": return 0
    default: return nil
    }
  }

  func makeSink(_ format: OutputFormat, _ table: TableSchema, started: Date) throws -> any TableRowSink {
    switch format {
    case .npy: return try NPYTableWriter(path: out, columns: table.rawWidth, rows: shardRows.count)
    case .h5: return try HDF5TableWriter(path: out, table: table, rows: shardRows.count, provenance: provenance(table, started: started))
    default: return try CSVTableWriter(path: out, columns: table.columnInfo, decimals: table.columns.map(\.decimals))
    }
  }

  /// What made the file, for a reader months later.
  func provenance(_ table: TableSchema, started: Date) -> [String: String] {
    var fields = [
      "model": modelPath, "seed": String(seed), "rows": String(shardRows.count),
      "where": conditions.joined(separator: " "), "created": ISO8601DateFormatter().string(from: started),
      "generator": "ae augment sample \(AutoencoderVersion.string)",
    ]
    if shard.isSharded {
      // Which rows of which whole: enough to check a set of shards is complete.
      fields["shard"] = "\(shard.shardIndex ?? 0) of \(shard.shards)"
      fields["first_row"] = String(shardRows.lowerBound)
      fields["total_rows"] = String(rows)
    }
    return fields
  }

  /// The sidecar OUT.json (CSV and NPY outputs; an .h5 output carries the same as attributes).
  func writeProvenance(_ format: OutputFormat, _ table: TableSchema, started: Date) throws {
    guard format != .h5 else { return }
    var fields: [String: Any] = provenance(table, started: started)
    fields["columns"] = table.columns.map { column -> [String: Any] in
      var entry: [String: Any] = ["name": column.name, "kind": column.kind.rawValue]
      if let categories = column.categories { entry["categories"] = categories }
      return entry
    }
    let data = try JSONSerialization.data(withJSONObject: fields, options: [.prettyPrinted, .sortedKeys])
    try writeAtomically(to: out + ".json") { try data.write(to: URL(fileURLWithPath: $0)) }
  }
}

extension TableSchema {
  /// The columns as the CSV reader and writers describe them.
  var columnInfo: [ColumnInfo] {
    columns.map { ColumnInfo(name: $0.name, kind: Datasets.ColumnKind(rawValue: $0.kind.rawValue) ?? .continuous, categories: $0.categories ?? []) }
  }
}

extension TableSchema.Column {
  /// Decimal places to print: those of the rounding step for continuous columns.
  var decimals: Int? {
    guard kind == .continuous, let step else { return nil }
    return step >= 1 ? 0 : Int((-log10(step)).rounded())
  }
}
