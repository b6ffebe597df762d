/// How well scores separate anomalies (truth 1) from normal rows (truth 0), as scikit-learn
/// defines the figures: `roc_auc_score` (ties count half), `average_precision_score`, and the
/// precision and recall of calling every row above a threshold an anomaly.
public struct DetectionMetrics: Equatable, Sendable {
  public var auroc: Double
  public var averagePrecision: Double
  /// At the threshold, when there is one (nil precision: nothing was flagged).
  public var precision: Double?
  public var recall: Double?
  public var anomalies: Int
  public var rows: Int

  /// Nil unless both classes occur (no AUROC exists otherwise).
  public init?(scores: [Float], truth: [Int], threshold: Double? = nil) {
    precondition(scores.count == truth.count, "one truth label per score")
    let positives = truth.filter { $0 != 0 }.count, negatives = truth.count - positives
    guard positives > 0, negatives > 0 else { return nil }
    rows = truth.count
    anomalies = positives
    // Descending scores; tied scores form one step of the curves.
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var truePositives = 0, falsePositives = 0, area = 0.0, precisionSum = 0.0, previousRecall = 0.0
    var i = 0
    while i < order.count {
      var j = i, stepPositives = 0, stepNegatives = 0
      while j < order.count && scores[order[j]] == scores[order[i]] {
        if truth[order[j]] != 0 { stepPositives += 1 } else { stepNegatives += 1 }
        j += 1
      }
      // ROC: the area under this step (a trapezoid over the tied rows).
      area += Double(stepNegatives) * (Double(truePositives) + Double(stepPositives) / 2)
      truePositives += stepPositives
      falsePositives += stepNegatives
      let recall = Double(truePositives) / Double(positives)
      precisionSum += (recall - previousRecall) * Double(truePositives) / Double(truePositives + falsePositives)
      previousRecall = recall
      i = j
    }
    auroc = area / (Double(positives) * Double(negatives))
    averagePrecision = precisionSum
    if let threshold {
      let flagged = scores.indices.filter { Double(scores[$0]) > threshold }
      let hits = flagged.filter { truth[$0] != 0 }.count
      precision = flagged.isEmpty ? nil : Double(hits) / Double(flagged.count)
      recall = Double(hits) / Double(positives)
    }
  }
}
