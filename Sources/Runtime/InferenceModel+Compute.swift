import Layers
import Models

/// Encode, decode, reconstruct and score: raw rows in, codes or raw rows or scores out.
/// A workspace set to several threads splits the rows over them (Workspace+Threads.swift).
///
/// Conditional models need one condition per row: `conditions` (rows x conditionWidth
/// values) or, when the condition is one class label, `labels` (each in 0..<classCount);
/// never both. Unconditional models take neither.
extension InferenceModel {
  /// Codes (rows, codeWidth) for raw inputs (rows, inputWidth); a VAE's code is its mean.
  public func encode(
    _ x: UnsafePointer<Float>, rows: Int, conditions: UnsafePointer<Float>? = nil, labels: UnsafePointer<Int32>? = nil,
    into z: UnsafeMutablePointer<Float>, workspace: Workspace
  ) throws {
    let source = try conditionInput(conditions, labels)
    try validate("encode", x, rows: rows, what: "input", conditions: source, workspace)
    if let team = workspace.teamToSplit, rows > 1 {
      let job = ShareJob(.encode, self, workspace, rows: rows, input: x, conditions: conditions, labels: labels, output: z)
      return try split(job, team, (z, codeWidth, "codes"))
    }
    try passes("encode", rows, workspace, (z, codeWidth, "codes")) { start, n in
      let condition = conditionRows(source, start: start, rows: n, workspace)
      let head = runEncoder(x + start * inputWidth, rows: n, conditions: condition, workspace)
      (z + start * codeWidth).update(from: codes(head, rows: n, workspace), count: n * codeWidth)
    }
  }

  /// VAE: posterior means and log-variances (rows, codeWidth) each for raw inputs.
  public func encodeDistribution(
    _ x: UnsafePointer<Float>, rows: Int, conditions: UnsafePointer<Float>? = nil, labels: UnsafePointer<Int32>? = nil,
    mean: UnsafeMutablePointer<Float>, logVariance: UnsafeMutablePointer<Float>, workspace: Workspace
  ) throws {
    try check(workspace)
    guard spec.isVariational else {
      throw InferenceError(.unsupported, "a \(spec.kind.rawValue) model has no posterior distribution; only a vae or cvae has")
    }
    let source = try conditionInput(conditions, labels)
    try validate("encodeDistribution", x, rows: rows, what: "input", conditions: source, workspace)
    let k = codeWidth
    if let team = workspace.teamToSplit, rows > 1 {
      let job = ShareJob(.encodeDistribution, self, workspace, rows: rows, input: x, conditions: conditions, labels: labels,
                         output: mean, second: logVariance)
      return try split(job, team, (mean, k, "means"), (logVariance, k, "log-variances"))
    }
    try passes("encodeDistribution", rows, workspace, (mean, k, "means"), (logVariance, k, "log-variances")) { start, n in
      let condition = conditionRows(source, start: start, rows: n, workspace)
      let head = runEncoder(x + start * inputWidth, rows: n, conditions: condition, workspace)
      for r in 0..<n {
        (mean + (start + r) * k).update(from: head + r * 2 * k, count: k)
        (logVariance + (start + r) * k).update(from: head + r * 2 * k + k, count: k)
      }
    }
  }

  /// Reconstructions (rows, inputWidth) in raw units for codes (rows, codeWidth).
  public func decode(
    _ z: UnsafePointer<Float>, rows: Int, conditions: UnsafePointer<Float>? = nil, labels: UnsafePointer<Int32>? = nil,
    into x: UnsafeMutablePointer<Float>, workspace: Workspace
  ) throws {
    let source = try conditionInput(conditions, labels)
    try validate("decode", z, rows: rows, what: "code", conditions: source, workspace)
    if let team = workspace.teamToSplit, rows > 1 {
      let job = ShareJob(.decode, self, workspace, rows: rows, input: z, conditions: conditions, labels: labels, output: x)
      return try split(job, team, (x, inputWidth, "reconstructions"))
    }
    try passes("decode", rows, workspace, (x, inputWidth, "reconstructions")) { start, n in
      let condition = conditionRows(source, start: start, rows: n, workspace)
      let code = z + start * codeWidth, buffer = workspace.a
      let input = condition.map { appending($0, to: code, rows: n, width: codeWidth, into: buffer) }
        ?? { buffer.update(from: code, count: n * codeWidth); return buffer }()
      writeOutput(run(plan.decoder, from: input, rows: n, workspace), rows: n, into: x + start * inputWidth)
    }
  }

  /// Reconstructions in raw units for raw inputs.
  public func reconstruct(
    _ x: UnsafePointer<Float>, rows: Int, conditions: UnsafePointer<Float>? = nil, labels: UnsafePointer<Int32>? = nil,
    into y: UnsafeMutablePointer<Float>, workspace: Workspace
  ) throws {
    let source = try conditionInput(conditions, labels)
    try validate("reconstruct", x, rows: rows, what: "input", conditions: source, workspace)
    if let team = workspace.teamToSplit, rows > 1 {
      let job = ShareJob(.reconstruct, self, workspace, rows: rows, input: x, conditions: conditions, labels: labels, output: y)
      return try split(job, team, (y, inputWidth, "reconstructions"))
    }
    try passes("reconstruct", rows, workspace, (y, inputWidth, "reconstructions")) { start, n in
      let condition = conditionRows(source, start: start, rows: n, workspace)
      let logits = runAutoencoder(x + start * inputWidth, rows: n, conditions: condition, workspace)
      writeOutput(logits, rows: n, into: y + start * inputWidth)
    }
  }

  /// Anomaly scores, as `anomaly.score` says: each row's reconstruction loss summed over the
  /// output heads (BCE, squared error, Gaussian NLL or cross-entropy per head) on the
  /// pipeline's values (`loss`), that minus the loss of a perfect reconstruction (`excess`),
  /// the mean squared error in the data's units (`mse`), the code's Mahalanobis distance to
  /// the training codes (`code`) or its distance to the nearest of them (`neighbours`), or
  /// the three of `excess`, `code` and `neighbours` standardised and summed (`combined`).
  public func score(
    _ x: UnsafePointer<Float>, rows: Int, conditions: UnsafePointer<Float>? = nil, labels: UnsafePointer<Int32>? = nil,
    into scores: UnsafeMutablePointer<Float>, workspace: Workspace
  ) throws {
    let source = try conditionInput(conditions, labels)
    try validate("score", x, rows: rows, what: "input", conditions: source, workspace)
    if let team = workspace.teamToSplit, rows > 1 {
      let job = ShareJob(.score, self, workspace, rows: rows, input: x, conditions: conditions, labels: labels, output: scores)
      return try split(job, team, (scores, 1, "scores"))
    }
    try passes("score", rows, workspace, (scores, 1, "scores")) { start, n in
      let condition = conditionRows(source, start: start, rows: n, workspace)
      let code = codes(runEncoder(x + start * inputWidth, rows: n, conditions: condition, workspace), rows: n, workspace)
      if let training = anomaly.codes, anomaly.score.usesCode {
        codeScores(code, rows: n, training, workspace, into: scores + start)
      }
      guard anomaly.score.usesReconstruction else { return }
      let logits = runDecoder(code, rows: n, conditions: condition, workspace)
      scoreRows(logits, input: x + start * inputWidth, rows: n, workspace, into: scores + start)
    }
  }

  /// The code's part of each of `n` rows' scores (codes in a ping-pong buffer, left as they
  /// are): its Mahalanobis distance, its distance to the nearest training codes, or for
  /// `combined` both standardised (`scoreRows` adds the reconstruction's part). A row at a
  /// time, so each row's score is the same whatever the batch.
  func codeScores(_ code: UnsafeMutablePointer<Float>, rows n: Int, _ training: AnomalySettings.TrainingCodes,
                  _ workspace: Workspace, into scores: UnsafeMutablePointer<Float>) {
    let k = codeWidth
    let scratch = code == workspace.a ? workspace.b : workspace.a
    for r in 0..<n {
      let z = UnsafePointer(code + r * k)
      switch anomaly.score {
      case .code: scores[r] = training.mahalanobis(z, scratch: scratch)
      case .neighbours: scores[r] = training.neighbourDistance(z)
      default:
        scores[r] = anomaly.standardisation!.codePart(code: training.mahalanobis(z, scratch: scratch),
                                                      neighbours: training.neighbourDistance(z))
      }
    }
  }

  /// The scores of `n` rows from the decoder's logits (and the rows, raw and in `workspace.scaled`).
  @inline(__always)
  func scoreRows(_ logits: UnsafeMutablePointer<Float>, input x: UnsafePointer<Float>, rows n: Int, _ workspace: Workspace,
                 into scores: UnsafeMutablePointer<Float>) {
    let d = spec.inputWidth
    switch anomaly.score {
    case .code, .neighbours:
      return
    case .loss, .excess:
      OutputHeads.rowLosses(heads, logits: logits, target: workspace.scaled, rows: n, width: d, logVariance: logVariance, into: scores)
      if anomaly.score == .excess {
        OutputHeads.subtractPerfectLosses(heads, target: workspace.scaled, rows: n, width: d, logVariance: logVariance, from: scores)
      }
    case .combined:
      // `scores` holds the code's part; the excess goes to the buffer the logits are not in.
      let excess = logits == workspace.a ? workspace.b : workspace.a
      OutputHeads.rowLosses(heads, logits: logits, target: workspace.scaled, rows: n, width: d, logVariance: logVariance, into: excess)
      OutputHeads.subtractPerfectLosses(heads, target: workspace.scaled, rows: n, width: d, logVariance: logVariance, from: excess)
      let standardisation = anomaly.standardisation!
      for r in 0..<n { scores[r] += standardisation.excessPart(excess[r]) }
    case .mse:
      // Reconstructions in the data's units, in the ping-pong buffer the logits are not in.
      let y = logits == workspace.a ? workspace.b : workspace.a
      writeOutput(logits, rows: n, into: y)
      let raw = inputWidth
      for r in 0..<n {
        var sum: Float = 0
        for j in 0..<raw {
          let difference = y[r * raw + j] - x[r * raw + j]
          sum += difference * difference
        }
        scores[r] = sum / Float(raw)
      }
    }
  }

  /// The condition source of a call that may take condition rows or labels, not both.
  func conditionInput(_ conditions: UnsafePointer<Float>?, _ labels: UnsafePointer<Int32>?) throws -> ConditionInput {
    guard conditions == nil || labels == nil else {
      throw InferenceError(.invalidArgument, "pass condition rows or labels, not both")
    }
    return ConditionInput(conditions: conditions, labels: labels)
  }
}
