import Datasets

/// The report as one JSON object, keys in a fixed order so people can read it and diff it.
extension QualityReport {
  public func json(realName: String, syntheticName: String) -> String {
    var fields: [(String, JSON)] = [
      ("real", .string(realName)), ("synthetic", .string(syntheticName)),
      ("real_rows", .number(Double(realRows))), ("synthetic_rows", .number(Double(syntheticRows))),
      ("overall", .optional(overall)), ("column_shapes", .optional(columnShapes)), ("column_pair_trends", .optional(columnPairTrends)),
      ("pair_rule", .string(Self.pairRule)),
      ("columns", .array(columns.map { column in
        .object([("column", .string(column.column)), ("kind", .string(column.kind.rawValue)),
                 ("metric", .string(column.metric)), ("score", .optional(column.score))])
      })),
      ("pairs", .array(pairs.map { pair in
        let c = pair.comparison
        return .object([("columns", .array([.string(pair.first), .string(pair.second)])), ("metric", .string(c.metric)),
                        ("score", .optional(c.score)), ("real_correlation", .optional(c.realCorrelation)),
                        ("synthetic_correlation", .optional(c.syntheticCorrelation)),
                        ("real_association", .optional(c.realAssociation)), ("contributes", .bool(c.contributes))])
      })),
    ]
    if let target {
      let scores = { (values: [String: Double]) in JSON.object(values.keys.sorted().map { ($0, .number(values[$0]!)) }) }
      fields.append(("target", .object([
        ("column", .string(target.target)), ("task", .string(target.task)), ("learner", .string(target.learner)),
        ("split", .string(target.split)), ("real_train_rows", .number(Double(target.realTrainRows))),
        ("synthetic_train_rows", .number(Double(target.syntheticTrainRows))), ("test_rows", .number(Double(target.testRows))),
        ("tstr", scores(target.tstr)), ("trtr", scores(target.trtr)),
      ])))
    }
    return JSON.object(fields).text
  }

  /// Which pairs count toward column_pair_trends, in words.
  public static let pairRule = "as SDMetrics' QualityReport: a numeric pair counts when its real |Pearson r| > \(PairTrends.correlationThreshold), any other pair when its real Cramér's V > \(PairTrends.associationThreshold); every pair's score is listed"
}

/// Just enough JSON to write the report.
indirect enum JSON {
  case string(String)
  case number(Double)
  case bool(Bool)
  case null
  case array([JSON])
  case object([(String, JSON)])

  static func optional(_ value: Double?) -> JSON { value.map(JSON.number) ?? .null }

  var text: String {
    switch self {
    case .string(let s): return JSONText.quoted(s)
    case .number(let x): return x.isFinite ? (x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)) : "null"
    case .bool(let b): return b ? "true" : "false"
    case .null: return "null"
    case .array(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
    case .object(let fields): return "{" + fields.map { JSONText.quoted($0.0) + ": " + $0.1.text }.joined(separator: ", ") + "}"
    }
  }
}
