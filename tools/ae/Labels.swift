import Datasets
import Models
import Runtime

/// The class labels a conditional model needs, one per row of `dataset` (nil for other
/// models): the data's own (Fashion-MNIST, a CSV's --label-column) or --labels FILE, each
/// checked against the model's classes.
func conditionLabels(_ model: InferenceModel, _ dataset: Dataset) throws -> [Int32]? {
  guard model.conditionWidth > 0 else { return nil }
  guard model.classCount > 0 else { throw CommandError(unlabeledConditions(model.spec)) }
  guard let labels = dataset.labels else {
    throw DataError("\(dataset.name): a conditional (cvae) model needs a class label per row; this data carries none: pass --labels FILE (.npy or .csv), or --label-column NAME for a CSV")
  }
  if let bad = labels.firstIndex(where: { !(0..<model.classCount).contains($0) }) {
    throw DataError("\(dataset.name): row \(bad) has label \(labels[bad]); the model knows classes 0..<\(model.classCount)")
  }
  return labels.map { Int32($0) }
}

/// Check that data fits a model, naming both widths.
func checkWidth(_ dataset: Dataset, _ expected: Int, what: String) throws {
  guard dataset.features.cols == expected else {
    throw DataError("\(dataset.name): rows have \(dataset.features.cols) values; \(what) expects \(expected)")
  }
}

/// Call `body` with a pointer to the labels, or nil for none.
func withLabelPointer<T>(_ labels: [Int32]?, _ body: (UnsafePointer<Int32>?) throws -> T) rethrows -> T {
  guard let labels else { return try body(nil) }
  return try labels.withUnsafeBufferPointer { try body($0.baseAddress) }
}

/// Why a model conditioned on more than one class label cannot be run from ae yet.
func unlabeledConditions(_ spec: ModelSpec) -> String {
  let groups = spec.conditionGroups.map { "\($0.name) (\($0.kind.rawValue), \($0.width))" }.joined(separator: ", ")
  return "this model's conditions are \(groups), not one class label; ae takes class labels only (use the C library or Python for condition rows)"
}
