import Datasets
import Foundation
import Models
import Tensor
import Testing
import Tabular

/// The table schema's two directions agree: a row encoded to network values and decoded from
/// logits that point at its slots comes back as the same row, for every kind and both
/// number transforms; and the fitting rules (steps, missing slots, refusals) hold.
@Suite struct TableCodecTests {
  /// A small table of every kind, with missing cells, from CSV text.
  static func mixedTable() throws -> Table {
    var text = "name,size,count,flag,day,colour\n"
    let colours = ["red", "green", "blue"]
    for i in 0..<60 {
      let size = i % 7 == 0 ? "" : String(format: "%.2f", Double(i % 10) * 1.25 + (i < 30 ? 0 : 20))
      let flag = i % 11 == 0 ? "" : (i % 2 == 0 ? "true" : "false")
      let colour = i % 13 == 0 ? "" : colours[i % 3]
      text += "n\(i % 4),\(size),\(i * 3),\(flag),2024-01-\(String(format: "%02d", 1 + i % 28)),\(colour)\n"
    }
    return try CSV.table(bytes: Array(text.utf8), name: "mixed.csv")
  }

  /// Logits that make the sampler pick the encoded row's slots: values as they are, each
  /// one-hot group's hot slot far above the rest.
  func pointingLogits(_ encoded: UnsafePointer<Float>, _ schema: TableSchema) -> [Float] {
    var logits = [Float](repeating: 0, count: schema.networkWidth)
    var o = 0
    for column in schema.columns {
      if column.hasValue { logits[o] = encoded[o] }
      let start = o + (column.hasValue ? 1 : 0)
      for j in 0..<column.groupWidth { logits[start + j] = encoded[start + j] == 1 ? 100 : -100 }
      o += column.width
    }
    return logits
  }

  @Test(arguments: TableSchemaFitter.Transform.allCases)
  func encodedRowsDecodeToTheSameRows(transform: TableSchemaFitter.Transform) throws {
    let table = try Self.mixedTable()
    let schema = try TableSchemaFitter.fit(table, transform: transform, seed: 1)
    let d = schema.networkWidth, columns = table.columns.count
    var encoded = [Float](repeating: 0, count: table.rowCount * d)
    try table.values.withUnsafeBufferPointer { try schema.encode($0.baseAddress!, rows: table.rowCount, into: &encoded) }
    var random = SeededRandom(seed: 9)
    var decoded = [Double](repeating: 0, count: columns)
    for r in 0..<table.rowCount {
      let logits = encoded.withUnsafeBufferPointer { pointingLogits($0.baseAddress! + r * d, schema) }
      schema.sampleRow(logits: logits, logVariance: nil, random: &random, into: &decoded)
      for c in 0..<columns {
        let original = table[r, c], back = decoded[c]
        if original.isNaN {
          #expect(back.isNaN, "row \(r), column \(table.columns[c].name): missing came back as \(back)")
        } else {
          // Quantile maps interpolate between knots: within 1e-6 of the column's range.
          let tolerance = transform == .quantile ? 1e-6 * 40 : 1e-9
          #expect(abs(back - original) <= tolerance, "row \(r), column \(table.columns[c].name): \(original) came back as \(back)")
        }
      }
    }
  }

  @Test func fittingKeepsKindsMissingSlotsAndSteps() throws {
    let table = try Self.mixedTable()
    let schema = try TableSchemaFitter.fit(table)
    let byName = Dictionary(uniqueKeysWithValues: schema.columns.map { ($0.name, $0) })
    #expect(byName["name"]?.kind == .categorical && byName["name"]?.condition == true)
    #expect(byName["size"]?.kind == .continuous && byName["size"]?.missing == true && byName["size"]?.step == 0.01)
    #expect(byName["count"]?.kind == .integer && byName["count"]?.step == 1 && byName["count"]?.missing == false)
    #expect(byName["flag"]?.kind == .boolean && byName["flag"]?.groupWidth == 3)
    #expect(byName["day"]?.kind == .datetime && byName["day"]?.step == 86_400)
    #expect(byName["colour"]?.categories?.contains("") == true, "a categorical's missing cells are its category \"\"")
    #expect(schema.problems().isEmpty)
    #expect(schema.heads.reduce(0) { $0 + $1.width } == schema.networkWidth)
  }

  @Test func refusesColumnsItCannotModel() throws {
    let empty = try CSV.table(bytes: Array("a,b\n1,\n2,\n3,\n".utf8), name: "t.csv", columnKinds: ["b": .continuous])
    #expect(throws: TabularError.self) { try TableSchemaFitter.fit(empty) }
    do { _ = try TableSchemaFitter.fit(empty) } catch { #expect("\(error)".contains("'b' has no values")) }

    var text = "id,x\n"
    for i in 0...TableSchemaFitter.maximumCategories { text += "id\(i),\(i % 5)\n" }
    let ids = try CSV.table(bytes: Array(text.utf8), name: "ids.csv")
    do {
      _ = try TableSchemaFitter.fit(ids)
      Issue.record("an identifier column was accepted")
    } catch {
      #expect("\(error)".contains("'id' has \(TableSchemaFitter.maximumCategories + 1) distinct values"), "\(error)")
    }
  }

  @Test func aCategorySeenOnceIsKept() throws {
    let table = try CSV.table(bytes: Array("c,x\na,1\na,2\nb,3\na,4\nrare,5\n".utf8), name: "t.csv")
    let schema = try TableSchemaFitter.fit(table)
    #expect(schema.columns[0].categories == ["a", "b", "rare"])
  }

  @Test func craftedSchemasAreRefused() {
    var column = TableSchema.Column(name: "x", kind: .continuous, minimum: 0, maximum: 1, step: nil,
                                    modes: .init(weights: [1], means: [0], deviations: [-1]))
    #expect(!TableSchema(columns: [column]).problems().isEmpty, "a negative deviation")
    column.modes = .init(weights: [1, 1], means: [0], deviations: [1])
    #expect(!TableSchema(columns: [column]).problems().isEmpty, "modes of unequal lengths")
    column.modes = nil
    column.quantiles = [0, 2, 1]
    #expect(!TableSchema(columns: [column]).problems().isEmpty, "unsorted knots")
    column.quantiles = [0, 1]
    column.minimum = .nan
    #expect(!TableSchema(columns: [column]).problems().isEmpty, "a NaN range")
    let category = TableSchema.Column(name: "c", kind: .categorical, categories: [], condition: true)
    #expect(!TableSchema(columns: [category]).problems().isEmpty, "no categories")
    let duplicate = TableSchema.Column(name: "c", kind: .boolean, categories: ["false", "true"])
    #expect(!TableSchema(columns: [duplicate, duplicate]).problems().isEmpty, "a name used twice")
    #expect(TableSchema(columns: [duplicate]).problems().isEmpty)
  }

  @Test func fixingAColumnThatIsNotAConditionIsRefused() throws {
    let schema = try TableSchemaFitter.fit(try Self.mixedTable())
    var fixed = [Double](repeating: .nan, count: schema.rawWidth)
    fixed[1] = 3 // size: a number
    var row = [Float](repeating: 0, count: schema.conditions.reduce(0) { $0 + $1.width })
    #expect(throws: ModelError.self) { try schema.conditionRow(fixing: fixed, into: &row) }
    fixed[1] = .nan
    fixed[0] = 7 // name: only 4 categories
    #expect(throws: ModelError.self) { try schema.conditionRow(fixing: fixed, into: &row) }
    fixed[0] = 2
    try schema.conditionRow(fixing: fixed, into: &row)
    #expect(row[0..<4] == [0, 0, 1, 0])
  }
}
