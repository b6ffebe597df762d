import Models
import Tensor

/// Table models: rows drawn from the prior and returned in the table's units.
extension InferenceModel {
  /// Rows `first ..< first + rows` of the table sample for `seed`, into `out` (rows x
  /// `table.rawWidth` doubles): each column's number, its category's index, or NaN for a
  /// missing cell. Row i draws from its own streams of `seed`, so a row is the same whatever
  /// the passes, the workspace or the split of a long sample into chunks or shards.
  ///
  /// `fixing` holds one value per column, NaN for a free column: the model is conditioned on
  /// the fixed columns (no rejection), codes come from the fixed values' code statistics when
  /// the schema has them (`TableSchema.codePrior`), and the columns are set exactly. Only
  /// conditioned columns (`TableSchema.Column.condition`) can be fixed.
  public func sampleTable(
    rows: Int, seed: UInt64, first: Int = 0, fixing: UnsafePointer<Double>? = nil,
    into out: UnsafeMutablePointer<Double>, workspace: Workspace
  ) throws {
    try check(workspace, tableCall: true)
    guard let table else { throw InferenceError(.unsupported, "this is not a table model; sample it with sample") }
    guard rows >= 0, first >= 0, !first.addingReportingOverflow(rows).overflow else {
      throw InferenceError(.invalidArgument, "rows and first must be >= 0 and their sum fit in 64 bits, got \(rows) and \(first)")
    }
    let columns = table.rawWidth, k = codeWidth, c = conditionWidth, width = spec.decoderInputWidth, d = spec.inputWidth
    let condition = try conditionRow(table, fixing: fixing)
    let prior = fixing.flatMap { table.codePrior(fixing: $0, width: k) }
    try checkedPasses("sample_table", rows, workspace, (workspace.scaled, 0, "rows")) { start, n in
      let z = workspace.a
      for r in 0..<n {
        var random = SeededRandom(seed: seed, stream: 2 * UInt64(first + start + r))
        let row = z + r * width
        for j in 0..<k { row[j] = random.gaussian() }
        if let prior {
          for j in 0..<k { row[j] = prior.means[j] + prior.deviations[j] * row[j] }
        }
        // Codes from the fixed values' statistics already carry those values, as the codes of
        // the rows trained without conditions did: the condition row stays empty then.
        if c > 0 {
          if prior == nil { (row + k).update(from: condition, count: c) } else { (row + k).update(repeating: 0, count: c) }
        }
      }
      let logits = run(plan.decoder, from: z, rows: n, workspace)
      if let bad = firstNonFinite(logits, rows: n, width: d, stride: d) {
        return (start + bad.row, bad.column, logits[bad.row * d + bad.column], "network outputs")
      }
      for r in 0..<n {
        var random = SeededRandom(seed: seed, stream: 2 * UInt64(first + start + r) + 1)
        let row = out + (start + r) * columns
        table.sampleRow(logits: logits + r * d, logVariance: logVariance, random: &random, into: row)
        if let fixing {
          for j in 0..<columns where !fixing[j].isNaN { row[j] = fixing[j] }
        }
      }
      return nil
    }
  }

  /// The condition row for the fixed columns (zeros for free ones), checked.
  private func conditionRow(_ table: TableSchema, fixing: UnsafePointer<Double>?) throws -> [Float] {
    var row = [Float](repeating: 0, count: conditionWidth)
    guard let fixing else { return row }
    do {
      try row.withUnsafeMutableBufferPointer { try table.conditionRow(fixing: fixing, into: $0.baseAddress!) }
    } catch {
      throw InferenceError(.invalidArgument, "sample_table: \(error)")
    }
    return row
  }
}
