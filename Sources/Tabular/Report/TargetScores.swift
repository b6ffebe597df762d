import Tensor

/// Machine-learning efficacy: how well a model trained on the synthetic table predicts a
/// target column of the real one (train synthetic, test real: TSTR), next to the same model
/// trained on real rows (train real, test real: TRTR). The real rows with a target value are
/// shuffled with a fixed seed and split 80/20; both models are tested on the same real 20%.
/// Categorical and boolean targets: multinomial logistic regression, scored by accuracy and
/// macro-F1. Numeric targets: ridge regression, scored by R². Inputs: `FeatureEncoder`.
public struct TargetScores: Sendable {
  public static let seed: UInt64 = 11
  public static let testShare = 0.2
  /// Refused beyond these, since the models would be too slow to fit (or meaningless).
  public static let maximumClasses = 100
  public static let maximumInputs = 1000
  /// Training rows are subsampled (seeded) so one fit stays within this many multiply-adds per pass.
  static let workPerPass = 4_000_000

  public var target: String
  public var task: String
  public var learner: String
  public var split: String
  public var realTrainRows: Int
  public var syntheticTrainRows: Int
  public var testRows: Int
  /// Metric name to value, for each model.
  public var tstr: [String: Double]
  public var trtr: [String: Double]

  public init(columns: [ReportColumn], target: String) throws {
    guard let targetIndex = columns.firstIndex(where: { $0.name == target }) else {
      let names = columns.prefix(20).map { "'\($0.name)'" }.joined(separator: ", ")
      throw TabularError("no column named '\(target)' to predict (columns: \(names)\(columns.count > 20 ? ", ..." : ""))")
    }
    let targetColumn = columns[targetIndex]
    let features = columns.indices.filter { $0 != targetIndex }
    guard !features.isEmpty else { throw TabularError("'\(target)' is the only column, so there is nothing to predict it from") }
    let realInputs = features.map { columns[$0].real }, syntheticInputs = features.map { columns[$0].synthetic }

    var realRows = Self.rowsWithValue(targetColumn.real)
    var random = SeededRandom(seed: Self.seed)
    Self.shuffle(&realRows, using: &random)
    let testCount = Int((Double(realRows.count) * Self.testShare).rounded(.up))
    let testRows = Array(realRows.prefix(testCount)), realTrain = Array(realRows.dropFirst(testCount))
    var syntheticTrain = Self.rowsWithValue(targetColumn.synthetic)
    guard !testRows.isEmpty, realTrain.count >= 2 else {
      throw TabularError("the real table has \(realRows.count) rows with a value of '\(target)'; TSTR needs at least 3")
    }
    guard syntheticTrain.count >= 2 else {
      throw TabularError("the synthetic table has \(syntheticTrain.count) rows with a value of '\(target)'; TSTR needs at least 2")
    }
    Self.shuffle(&syntheticTrain, using: &random)

    self.target = target
    self.split = "real rows with a '\(target)' value shuffled (seed \(Self.seed)) and split 80/20; TSTR trains on the synthetic rows, TRTR on the real 80%, both are tested on the real 20%"
    self.testRows = testRows.count
    switch (targetColumn.real, targetColumn.synthetic) {
    case (.categorical(let realLabels), .categorical(let syntheticLabels)):
      task = "classification"
      learner = "multinomial logistic regression (L2 \(SoftmaxRegression.penalty), \(SoftmaxRegression.steps) accelerated gradient steps) on standardized numeric and one-hot categorical columns"
      let truth = testRows.map { realLabels[$0]! }
      let realFit = try Self.classify(inputs: realInputs, labels: realLabels, train: realTrain, testInputs: realInputs, test: testRows)
      let syntheticFit = try Self.classify(inputs: syntheticInputs, labels: syntheticLabels, train: syntheticTrain, testInputs: realInputs, test: testRows)
      trtr = Self.classificationScores(truth: truth, predicted: realFit.predicted)
      tstr = Self.classificationScores(truth: truth, predicted: syntheticFit.predicted)
      realTrainRows = realFit.rowsUsed
      syntheticTrainRows = syntheticFit.rowsUsed
    case (.numeric(let realValues), .numeric(let syntheticValues)):
      task = "regression"
      learner = "ridge regression (L2 \(RidgeRegression.penalty)) on standardized numeric and one-hot categorical columns"
      let truth = testRows.map { realValues[$0] }
      let realFit = try Self.regress(inputs: realInputs, targets: realValues, train: realTrain, testInputs: realInputs, test: testRows)
      let syntheticFit = try Self.regress(inputs: syntheticInputs, targets: syntheticValues, train: syntheticTrain, testInputs: realInputs, test: testRows)
      trtr = Self.regressionScores(truth: truth, predicted: realFit.predicted)
      tstr = Self.regressionScores(truth: truth, predicted: syntheticFit.predicted)
      realTrainRows = realFit.rowsUsed
      syntheticTrainRows = syntheticFit.rowsUsed
    default:
      preconditionFailure("TargetScores: the two tables' target columns differ in kind")
    }
  }

  /// Fit a classifier on `train` rows of `inputs`/`labels` and predict the `test` rows of `testInputs`.
  static func classify(inputs: [ReportColumn.Values], labels: [String?], train: [Int],
                       testInputs: [ReportColumn.Values], test: [Int]) throws -> (predicted: [String], rowsUsed: Int) {
    let classNames = Array(Set(train.map { labels[$0]! })).sorted()
    guard classNames.count <= maximumClasses else {
      throw TabularError("the target has \(classNames.count) classes; TSTR classifies at most \(maximumClasses) (is it really categorical?)")
    }
    let encoder = try encoder(inputs: inputs, rows: train)
    let used = Array(train.prefix(max(2, workPerPass / (encoder.width * max(classNames.count, 2)))))
    let classIndex = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
    let model = SoftmaxRegression(inputs: encoder.encode(columns: inputs, rows: used), width: encoder.width,
                                  labels: used.map { classIndex[labels[$0]!]! }, classes: classNames.count)
    let predicted = model.predict(encoder.encode(columns: testInputs, rows: test), width: encoder.width)
    return (predicted.map { classNames[$0] }, used.count)
  }

  /// Fit a regression on `train` rows and predict the `test` rows of `testInputs`.
  static func regress(inputs: [ReportColumn.Values], targets: [Double], train: [Int],
                      testInputs: [ReportColumn.Values], test: [Int]) throws -> (predicted: [Double], rowsUsed: Int) {
    let encoder = try encoder(inputs: inputs, rows: train)
    let used = Array(train.prefix(max(2, workPerPass * 10 / (encoder.width * encoder.width))))
    let model = try RidgeRegression(inputs: encoder.encode(columns: inputs, rows: used), width: encoder.width, targets: used.map { targets[$0] })
    return (model.predict(encoder.encode(columns: testInputs, rows: test), width: encoder.width), used.count)
  }

  static func encoder(inputs: [ReportColumn.Values], rows: [Int]) throws -> FeatureEncoder {
    let encoder = FeatureEncoder(columns: inputs, rows: rows)
    guard encoder.width <= maximumInputs else {
      throw TabularError("the other columns make \(encoder.width) model inputs; TSTR handles at most \(maximumInputs) (drop some columns)")
    }
    return encoder
  }

  /// Accuracy, and macro-F1 over every label that is true or predicted (as scikit-learn; a
  /// label never predicted or never true has F1 0).
  public static func classificationScores(truth: [String], predicted: [String]) -> [String: Double] {
    var truePositives: [String: Double] = [:], trueCounts: [String: Double] = [:], predictedCounts: [String: Double] = [:]
    for (actual, guess) in zip(truth, predicted) {
      trueCounts[actual, default: 0] += 1
      predictedCounts[guess, default: 0] += 1
      if actual == guess { truePositives[actual, default: 0] += 1 }
    }
    let labels = Set(trueCounts.keys).union(predictedCounts.keys).sorted()
    let f1 = labels.map { label -> Double in
      let hits = truePositives[label, default: 0], total = trueCounts[label, default: 0] + predictedCounts[label, default: 0]
      return total > 0 ? 2 * hits / total : 0
    }
    let correct = truePositives.values.reduce(0, +)
    return ["accuracy": correct / Double(truth.count), "macro_f1": f1.reduce(0, +) / Double(labels.count)]
  }

  /// R² = 1 - residual sum of squares / total sum of squares (about the test mean); absent
  /// when the test targets are all equal.
  public static func regressionScores(truth: [Double], predicted: [Double]) -> [String: Double] {
    let mean = truth.reduce(0, +) / Double(truth.count)
    let total = truth.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    let residual = zip(truth, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    return total > 0 ? ["r2": 1 - residual / total] : [:]
  }

  /// The rows whose value is present.
  static func rowsWithValue(_ values: ReportColumn.Values) -> [Int] {
    switch values {
    case .numeric(let numbers): numbers.indices.filter { !numbers[$0].isNaN }
    case .categorical(let labels): labels.indices.filter { labels[$0] != nil }
    }
  }

  /// Fisher-Yates, written out so the split is the same on every platform and Swift version.
  static func shuffle(_ rows: inout [Int], using random: inout SeededRandom) {
    guard rows.count > 1 else { return }
    for i in stride(from: rows.count - 1, to: 0, by: -1) {
      rows.swapAt(i, Int(random.next() % UInt64(i + 1)))
    }
  }
}
