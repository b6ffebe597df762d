import Datasets
import Foundation
import Models
import Runtime
import Store
import Tensor
import Testing
import Tabular

/// A table model survives its file: the schema round-trips and sampling from the loaded model
/// gives the same rows bit for bit; a file whose schema was crafted (unsound numbers, a
/// schema that does not fit the network, conditions the network lacks) is refused on load.
@Suite struct TableModelFileTests {
  let directory: String = {
    let path = NSTemporaryDirectory() + "/ae-table-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  func trainedModel() throws -> Autoencoder {
    var options = TableSynthesizer.Options()
    options.epochs = 3
    options.seed = 2
    return try TableSynthesizer.fit(try TableCodecTests.mixedTable(), options: options).model
  }

  func sample(_ model: InferenceModel, rows: Int = 64) throws -> [Double] {
    var out = [Double](repeating: 0, count: rows * (model.table?.rawWidth ?? 0))
    try model.sampleTable(rows: rows, seed: 5, into: &out, workspace: model.makeWorkspace(maxRows: rows))
    return out
  }

  @Test func aSavedTableModelSamplesTheSameRows() throws {
    let model = try trainedModel()
    let path = directory + "/table.h5"
    try ModelFile.save(model, to: path)
    let loaded = try InferenceModel.load(path: path)
    #expect(loaded.table == model.pipeline.table)
    let before = try sample(try InferenceModel(model)), after = try sample(loaded)
    #expect(before.count == after.count)
    #expect(zip(before, after).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "the loaded model samples other rows")
  }

  /// Save `model` with its schema changed by `edit`, load it, and expect a refusal naming `message`.
  func expectRefused(_ message: String, _ edit: (inout TableSchema) -> Void) throws {
    let model = try trainedModel()
    var schema = try #require(model.pipeline.table)
    edit(&schema)
    model.pipeline = Pipeline([.table(schema)])
    let path = directory + "/crafted.h5"
    try ModelFile.save(model, to: path)
    do {
      _ = try InferenceModel.load(path: path)
      Issue.record("a crafted schema (\(message)) was accepted")
    } catch {
      #expect("\(error)".contains(message), "\(error)")
    }
  }

  @Test func craftedSchemasInAFileAreRefused() throws {
    let sizeIndex = 1 // 'size', a number column of mixedTable
    try expectRefused("deviations must be finite") { schema in
      schema.columns[sizeIndex].quantiles = nil
      schema.columns[sizeIndex].modes = .init(weights: [1], means: [0], deviations: [-1])
    }
    try expectRefused("makes rows of") { schema in
      var column = schema.columns[0]
      column.categories?.append("extra")
      let means = column.codeMeans ?? [], deviations = column.codeDeviations ?? []
      column.codeMeans = means + [means[0]]
      column.codeDeviations = deviations + [deviations[0]]
      schema.columns[0] = column
    }
    try expectRefused("code statistics belong to a condition column") { schema in schema.columns[0].codeMeans?.removeLast() }
    try expectRefused("deviations finite and > 0") { schema in schema.columns[0].codeDeviations?[0][0] = -1 }
    try expectRefused("a finite range") { schema in schema.columns[sizeIndex].minimum = (schema.columns[sizeIndex].maximum ?? 0) + 1 }
    try expectRefused("does not match its network") { schema in
      schema.columns[0].condition = false
      schema.columns[0].codeMeans = nil
      schema.columns[0].codeDeviations = nil
    }
  }
}

/// Calibration gives each number the data's distribution whatever the network learned: after
/// only 3 epochs, the sampled column's Kolmogorov-Smirnov distance to the data is small, and
/// removing the calibration makes it larger.
@Suite struct TableCalibrationTests {
  /// The two-sample KS statistic of the non-missing values.
  func ks(_ a: [Double], _ b: [Double]) -> Double {
    let x = a.filter { !$0.isNaN }.sorted(), y = b.filter { !$0.isNaN }.sorted()
    var i = 0, j = 0, worst = 0.0
    while i < x.count && j < y.count {
      let v = min(x[i], y[j])
      while i < x.count && x[i] <= v { i += 1 }
      while j < y.count && y[j] <= v { j += 1 }
      worst = max(worst, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
    }
    return worst
  }

  func sampledColumn(_ model: Autoencoder, _ column: Int, rows: Int) throws -> [Double] {
    let runtime = try InferenceModel(model), width = model.pipeline.table?.rawWidth ?? 0
    var out = [Double](repeating: 0, count: rows * width)
    try runtime.sampleTable(rows: rows, seed: 8, into: &out, workspace: runtime.makeWorkspace(maxRows: 256))
    return stride(from: column, to: out.count, by: width).map { out[$0] }
  }

  @Test func calibratedNumbersFollowTheData() throws {
    let table = try TableCodecTests.mixedTable()
    var options = TableSynthesizer.Options()
    options.epochs = 3
    let model = try TableSynthesizer.fit(table, options: options).model
    let size = 1, data = (0..<table.rowCount).map { table[$0, size] }
    #expect(model.pipeline.table?.columns[size].calibration != nil)
    let calibrated = ks(try sampledColumn(model, size, rows: 4000), data)
    var schema = try #require(model.pipeline.table)
    schema.columns[size].calibration = nil
    model.pipeline = Pipeline([.table(schema)])
    let raw = ks(try sampledColumn(model, size, rows: 4000), data)
    #expect(calibrated < 0.1, "KS \(calibrated) with calibration")
    #expect(calibrated < raw, "KS \(calibrated) with calibration, \(raw) without")
  }
}
