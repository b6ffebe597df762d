import ArgumentParser
import Datasets
import Foundation
import Store
import Tabular
import Tensor
import Training

/// `ae augment fit`: a table model from a CSV.
struct AugmentFit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fit",
    abstract: "Fit a synthesizer to a CSV table (a VAE over its encoded columns, as TVAE).",
    usage: "ae augment fit <table.csv> --out <synth.h5> [--epochs <n>] [--seed <seed>] [--column <name:kind> ...]",
    discussion: """
      Each column's kind is inferred (continuous, integer, categorical, boolean, datetime); \
      --column name:kind overrides a guess. Categories become one-hot groups with softmax \
      heads; missing cells get their own slot. Every transform is stored in the model. Numbers go through a quantile map to normal scores by default; \
      --transform modes gives mode-specific normalization (a Gaussian mixture per column, the \
      mode as a one-hot and the value within it), as CTGAN and TVAE do. Example: ae augment fit penguins.csv --out penguins.h5 --seed 1
      """)

  @Argument(help: "The table: a CSV file with a header line.") var table: String
  @Option(help: ArgumentHelp("The model file to write (.h5).", valueName: "file")) var out: String
  @Option(parsing: .unconditional, help: "Passes over the table (default: 30 to 300, fewer for larger tables).") var epochs: Int?
  @Option(parsing: .unconditional, help: "Seed for the fit (0...2^64-1; default: 1).", transform: Seed.parse) var seed: UInt64 = 1
  @Option(name: .customLong("column"), parsing: .singleValue,
          help: ArgumentHelp("A column's kind, overriding the guess (repeatable): name:continuous|integer|categorical|boolean|datetime.", valueName: "name:kind"))
  var columns: [String] = []
  @Option(help: "How numbers are encoded: quantile (a quantile map to normal scores) or modes (a Gaussian mixture per column, as TVAE).") var transform: TableTransformArgument = .quantile
  @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Rows per update (default: 32 to 500, about 64 updates an epoch).") var batchSize: Int?
  @Flag(name: .shortAndLong, help: "No progress on stderr.") var quiet = false
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func validate() throws {
    if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
    if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    _ = try columnKinds()
  }

  /// The --column overrides by name.
  func columnKinds() throws -> [String: ColumnKind] {
    var kinds: [String: ColumnKind] = [:]
    for entry in columns {
      guard let colon = entry.lastIndex(of: ":"), colon != entry.startIndex else {
        throw ValidationError("--column takes name:kind, got '\(entry)'")
      }
      let name = String(entry[..<colon]), kindName = String(entry[entry.index(after: colon)...])
      guard let kind = ColumnKind(rawValue: kindName.lowercased()) else {
        throw ValidationError("--column \(entry): unknown kind '\(kindName)' (known: \(ColumnKind.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      guard kinds.updateValue(kind, forKey: name) == nil else { throw ValidationError("--column gives column '\(name)' twice") }
    }
    return kinds
  }

  func run() throws {
    compute.apply()
    try checkOutput(out, formats: [.h5])
    let progress = quiet ? nil : ProgressPrinter()
    let table = try CSV.table(self.table, columnKinds: try columnKinds())
    // Below 100 rows per update one thread for matrix products, unless --threads says
    // otherwise: the products are then too small for OpenBLAS's second thread, which cost more
    // than it gave (2,000 rows, batches of 32: 19.8 s with one thread, 36.9 s with two; 8,000
    // rows, batches of 125: 9.1 s with one, 8.2 s with two).
    if compute.threads == nil && (batchSize ?? TableSynthesizer.defaultBatchSize(rows: table.rowCount)) < 100 {
      BLAS.threads = 1
    }
    var options = TableSynthesizer.Options()
    options.transform = transform.value
    options.epochs = epochs
    options.seed = seed
    options.batchSize = batchSize
    progress?.message("fitting \(table.columns.count) columns of \(table.rowCount) rows: "
      + table.columns.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", "))
    let (model, result) = try TableSynthesizer.fit(table, options: options, progress: progress)
    try saveTrainedModel(model, history: result.history, to: out)
    print(jsonLine([
      "model": out, "rows": table.rowCount, "columns": table.columns.count, "epochs": result.history.epochs,
      "loss": result.history.loss.last, "seconds": result.history.seconds.reduce(0, +),
    ]))
  }
}

/// `--transform`: how a table's numbers are encoded.
enum TableTransformArgument: String, ExpressibleByArgument, CaseIterable {
  case modes, quantile
  var value: TableSchemaFitter.Transform { self == .modes ? .modes : .quantile }
}
