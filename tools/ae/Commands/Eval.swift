import ArgumentParser
import Datasets
import Models

/// `ae eval`: test-set figures as one JSON line, from the training model (which knows the
/// loss's parts: reconstruction, KL, objective).
struct Eval: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print a model's reconstruction errors on data as one JSON line.",
    usage: "ae eval <model.h5> --data <data> [<options>]",
    discussion: "bce is nats per sample (summed over features), mse is per value; both in the model's scaled units.")

  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup(title: "Model file") var file: ModelFileOptions
  @OptionGroup(title: "Data") var dataOptions: DataOptions
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func run() throws {
    compute.apply()
    let (model, _) = try loadModel(modelPath, file)
    let dataset = try dataOptions.load()
    try checkWidth(dataset, model.spec.inputWidth, what: "the model")
    try dataset.checkFinite()
    let e = try model.evaluate(dataset.features, conditions: try trainingLabels(model, dataset).map { try model.conditions(labels: $0) })
    try requireFinite([e.objective, e.mse, e.bce ?? 0, e.negativeELBO ?? 0].map { Float($0) }, what: "evaluation")
    if model.spec.isVariational {
      print(jsonLine(["samples": e.samples, "neg_elbo": e.negativeELBO, "reconstruction": e.reconstruction,
                      "kl": e.kl, "bce": e.bce, "mse": e.mse, "objective": e.objective]))
    } else {
      print(jsonLine(["samples": e.samples, "bce": e.bce, "mse": e.mse, "objective": e.objective]))
    }
  }

  /// The labels a conditional training model needs (nil for other models), checked against its classes.
  func trainingLabels(_ model: Autoencoder, _ dataset: Dataset) throws -> [Int]? {
    guard model.spec.conditionWidth > 0 else { return nil }
    let classes = model.spec.labelClasses
    guard classes > 0 else { throw CommandError(unlabeledConditions(model.spec)) }
    guard let labels = dataset.labels else {
      throw DataError("\(dataset.name): a conditional (cvae) model needs a class label per row; this data carries none: pass --labels FILE (.npy or .csv), or --label-column NAME for a CSV")
    }
    if let bad = labels.firstIndex(where: { !(0..<classes).contains($0) }) {
      throw DataError("\(dataset.name): row \(bad) has label \(labels[bad]); the model knows classes 0..<\(classes)")
    }
    return labels
  }
}
