import ArgumentParser
import Baselines
import Charts
import Datasets
import Foundation
import Runtime
import Tensor
import Training

/// The charts of `ae plot`: each reads what it shows and hands it to the Charts module.
extension Plot {
  /// Fashion-MNIST's class names, for the latent legend.
  static let fashionClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

  /// history: the training and validation loss per epoch.
  func historyChart() throws -> String {
    let (model, history) = try loadModel(modelPath, file)
    guard history.epochs > 0 else { throw CommandError("\(modelPath): the file holds no training history to draw") }
    let epochs = (1...history.epochs).map(Double.init)
    var series = [Series(name: "training loss", x: epochs, y: history.loss)]
    if !history.validationLoss.isEmpty {
      series.append(Series(name: "validation loss", x: Array(epochs.prefix(history.validationLoss.count)), y: history.validationLoss))
    }
    let spec = model.spec
    let loss = spec.isVariational ? "negative ELBO" : "\(spec.loss.rawValue) loss"
    return LineChart(title: title ?? "Loss per epoch: \(modelName) (\(spec.kind.rawValue))", xLabel: "epoch",
                     yLabel: "\(loss) per sample\(log ? " (log scale)" : "")", series: series, yScale: log ? .log : .linear,
                     integerX: true).svg()
  }

  /// latent: the codes of the data, projected to two dimensions by PCA when wider, by class.
  func latentChart() throws -> String {
    let model = try loadInferenceModel(modelPath, file)
    let dataset = try loadData()
    try checkWidth(dataset, model.inputWidth, what: "the model's input")
    try dataset.checkFinite()
    let rows = dataset.features.rows
    let codes = Tensor(rows: rows, cols: model.codeWidth)
    try withLabelPointer(try conditionLabels(model, dataset)) { labels in
      try model.encode(dataset.features.data, rows: rows, labels: labels, into: codes.data,
                       workspace: model.makeWorkspace(maxRows: min(rows, 256)))
    }
    let k = model.codeWidth
    let x: [Double], y: [Double], xLabel: String, yLabel: String, how: String
    switch k {
    case 1:
      x = (0..<rows).map { Double(codes[$0, 0]) }
      y = (0..<rows).map(Double.init)
      (xLabel, yLabel, how) = ("code", "row", "1-d code")
    case 2:
      x = (0..<rows).map { Double(codes[$0, 0]) }
      y = (0..<rows).map { Double(codes[$0, 1]) }
      (xLabel, yLabel, how) = ("code 1", "code 2", "2-d code")
    default:
      guard rows >= 3 else { throw CommandError("\(dataset.name): PCA of \(k)-d codes to 2-d needs at least 3 rows, got \(rows)") }
      let projection: (codes: Tensor, shares: [Double])
      do { projection = try principalPlane(codes) } catch { throw CommandError("\(dataset.name): PCA of the codes: \(oneLine(error))") }
      x = (0..<rows).map { Double(projection.codes[$0, 0]) }
      y = (0..<rows).map { Double(projection.codes[$0, 1]) }
      let percent = projection.shares.map { String(format: "%.0f", 100 * $0) }
      (xLabel, yLabel, how) = ("principal component 1 (\(percent[0]) % of the variance)",
                               "principal component 2 (\(percent[1]) %)", "\(k)-d codes by PCA")
    }
    let names = (data ?? "").hasPrefix("fashion-mnist") && labels == nil && labelColumn == nil ? Self.fashionClasses : []
    return ScatterChart(title: title ?? "Latent space: \(modelName), \(how), \(rows) rows of \(dataset.name)", xLabel: xLabel,
                        yLabel: yLabel, x: x, y: y, classes: dataset.labels, classNames: names).svg()
  }

  /// The rows' coordinates on the codes' first two principal components, and the share of the
  /// codes' total variance each holds.
  func principalPlane(_ codes: Tensor) throws -> (codes: Tensor, shares: [Double]) {
    let pca = try PCA(fitting: codes, components: 2)
    let n = codes.rows, d = codes.cols
    var total = 0.0
    for j in 0..<d {
      let column = (0..<n).map { Double(codes[$0, j]) }
      let mean = column.reduce(0, +) / Double(n)
      total += column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
    }
    let projected = pca.project(codes)
    return (projected, pca.explainedVariance.map { total > 0 ? $0 / total : 0 })
  }

  /// The model, its anomaly scores of the data, and the truth when given (checked: 0 or 1, one per row).
  func scoresAndTruth() throws -> (model: InferenceModel, scores: [Float], truth: [Int]?) {
    let known = try truth.map { path in
      let values = try LabelFile.read(path)
      guard values.allSatisfy({ $0 <= 1 }) else { throw CommandError("\(path): truth labels are 0 (normal) or 1 (anomaly)") }
      return values
    }
    let model = try loadInferenceModel(modelPath, file)
    let dataset = try loadData()
    try checkWidth(dataset, model.inputWidth, what: "the model's input")
    try dataset.checkFinite()
    let rows = dataset.features.rows
    if let known, let path = truth, known.count != rows {
      throw CommandError("\(path): \(known.count) truth labels for \(rows) data rows")
    }
    var scores = [Float](repeating: 0, count: rows)
    try withLabelPointer(try conditionLabels(model, dataset)) { labels in
      try scores.withUnsafeMutableBufferPointer { buffer in
        try model.score(dataset.features.data, rows: rows, labels: labels, into: buffer.baseAddress!,
                        workspace: model.makeWorkspace(maxRows: min(rows, 256)))
      }
    }
    return (model, scores, known)
  }

  /// scores: a histogram of the scores, normal and anomalous rows apart when the truth is known,
  /// with the model's threshold.
  func scoresChart() throws -> String {
    let (model, scores, known) = try scoresAndTruth()
    let values = scores.map(Double.init)
    let groups: [HistogramGroup]
    if let known {
      let normal = values.indices.filter { known[$0] == 0 }.map { values[$0] }
      let anomalies = values.indices.filter { known[$0] != 0 }.map { values[$0] }
      groups = [HistogramGroup(name: "normal (\(normal.count) rows)", values: normal),
                HistogramGroup(name: "anomaly (\(anomalies.count) rows)", values: anomalies)]
    } else {
      groups = [HistogramGroup(name: "all \(values.count) rows", values: values)]
    }
    return HistogramChart(title: title ?? "Anomaly scores: \(modelName) on \(data ?? "")", xLabel: "anomaly score (\(model.anomaly.score.rawValue))",
                          groups: groups, bins: bins, threshold: model.threshold, share: known != nil,
                          upperLimit: HistogramChart.tailLimit(values)).svg()
  }

  /// roc: the ROC curve of the scores against the truth, with the threshold's point.
  func rocChart() throws -> String {
    let (model, scores, known) = try scoresAndTruth()
    guard let known,
          let curve = ROCCurve(name: modelName, scores: scores.map(Double.init), truth: known),
          let metrics = DetectionMetrics(scores: scores, truth: known, threshold: model.threshold) else {
      throw CommandError("\(truth ?? "--truth"): the truth holds only one class; a ROC curve needs anomalies and normal rows")
    }
    var point: (label: String, falsePositiveRate: Double, truePositiveRate: Double)?
    if let threshold = model.threshold, let recall = metrics.recall {
      let normal = scores.indices.filter { known[$0] == 0 }
      let flagged = normal.filter { Double(scores[$0]) > threshold }.count
      point = (String(format: "threshold %.4g: %.0f %% found, %.1f %% false alarms", threshold, 100 * recall,
                      100 * Double(flagged) / Double(normal.count)),
               Double(flagged) / Double(normal.count), recall)
    }
    return ROCChart(title: title ?? "ROC: \(modelName) on \(data ?? "")", curves: [curve], operatingPoint: point).svg()
  }
}
