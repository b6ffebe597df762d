import ArgumentParser
import Baselines
import Datasets
import Foundation
import Models

/// `ae pca`: the linear baseline.
struct PCACommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pca",
    abstract: "Fit PCA with k components and print its reconstruction MSE as one JSON line.",
    usage: "ae pca [--components <k>] --data <data> [<options>]",
    discussion: "Data is scaled as ae train scales it, so the figures compare with ae eval's mse.")

  @Option(parsing: .unconditional, help: "Number of components.") var components: Int = 32
  @Option(help: "Data to measure on (default: fashion-mnist:test for fashion-mnist, else the training data).") var test: String?
  @Option(help: "Input scaling: unit, standard or none.") var scale: Scaling.Method = .unit
  @OptionGroup(title: "Data") var dataOptions: DataOptions
  @OptionGroup(title: "Machine") var compute: ComputeOptions

  func validate() throws {
    if components < 1 { throw ValidationError("--components must be at least 1, got \(components)") }
  }

  func run() throws {
    compute.apply()
    let train = try dataOptions.load()
    try train.checkFinite()
    let testSource = test ?? (dataOptions.data.hasPrefix("fashion-mnist") ? "fashion-mnist:test" : nil)
    let testSet = try testSource.map { try DataSource.load($0) } ?? train
    try checkWidth(testSet, train.features.cols, what: "the PCA fitted on \(train.name)")
    let scaling = Scaling.fit(train.features, method: scale, isByteData: train.isByteData)
    let trainScaled = train.features.copy(), testScaled = testSet.features.copy()
    scaling.apply(to: trainScaled)
    scaling.apply(to: testScaled)
    let start = Date()
    let pca = try PCA(fitting: trainScaled, components: components)
    let seconds = Date().timeIntervalSince(start)
    print(jsonLine(["components": components, "samples": testSet.features.rows, "mse": pca.meanSquaredError(testScaled),
                    "train_mse": pca.meanSquaredError(trainScaled), "fit_seconds": seconds]))
  }
}
