import Datasets
import Foundation
import Layers
import Models
import Runtime
import Store
import Tensor
import TestSupport
import Testing

/// The anomaly scores and their settings: what a perfect reconstruction costs per loss, the
/// settings' trip through a file, files from before them, crafted settings, and calibration.
@Suite struct AnomalyScoreTests {
  /// The neighbour distance (16 codes per vector) against a brute force in double precision,
  /// for code widths 1 to 13, code counts that do and do not fill blocks of 16, with and
  /// without the nearest left out, and after the codes are replaced.
  @Test(arguments: [(1, 6), (3, 17), (4, 100), (8, 1000), (13, 33)])
  func neighbourDistanceIsTheMeanOfTheNearestFive(width k: Int, codes count: Int) {
    var generator = SeededRandom(seed: UInt64(k * 1000 + count))
    func random(_ n: Int) -> [Float] { (0..<n).map { _ in Float.random(in: -2...2, using: &generator) } }
    var training = AnomalySettings.TrainingCodes(mean: [Float](repeating: 0, count: k), whitening: [Float](repeating: 0, count: k * k),
                                                 neighbours: random(count * k))
    for round in 0..<2 {
      let codes = training.neighbours
      for query in 0..<20 {
        // A training code itself (distance 0 to its nearest), or a new point.
        let z = query % 4 == 0 ? Array(codes[(query * 7 % count) * k..<(query * 7 % count + 1) * k]) : random(k)
        let sorted = (0..<count).map { row in
          (0..<k).reduce(0.0) { $0 + pow(Double(z[$1]) - Double(codes[row * k + $1]), 2) }.squareRoot()
        }.sorted()
        for skipping in [false, true] {
          let chosen = sorted.prefix(skipping ? 6 : 5).dropFirst(skipping ? 1 : 0)
          let reference = chosen.reduce(0, +) / Double(chosen.count)
          let got = z.withUnsafeBufferPointer { training.neighbourDistance($0.baseAddress!, skippingNearest: skipping) }
          #expect(abs(Double(got) - reference) < 1e-5 * max(1, reference), "width \(k), \(count) codes, round \(round): \(got) against \(reference)")
        }
      }
      training.neighbours = random(count * k) // the vector layout follows the codes
    }
  }

  /// Each loss at a perfect reconstruction (logits that give back the target) equals
  /// `perfectRowLoss`, so the `excess` score of a perfect reconstruction is 0.
  @Test func perfectRowLossIsTheLossOfAPerfectReconstruction() {
    let target: [Float] = [0, 1, 0.25, 0.5, 0.9, 0.013]
    let d = target.count
    func loss(_ loss: Loss, _ activation: Activation, logits: [Float], logVariance: [Float]? = nil) -> Float {
      var out: Float = 0
      logits.withUnsafeBufferPointer { z in
        target.withUnsafeBufferPointer { t in
          logVariance.withUnsafeBufferPointerOrNil { s in
            loss.rowLosses(logits: z.baseAddress!, activation: activation, target: t.baseAddress!, rows: 1, width: d,
                           logVariance: s, into: &out)
          }
        }
      }
      return out
    }
    func perfect(_ loss: Loss, _ values: [Float], logVariance: [Float]? = nil) -> Float {
      values.withUnsafeBufferPointer { t in
        logVariance.withUnsafeBufferPointerOrNil { s in loss.perfectRowLoss(target: t.baseAddress!, width: d, logVariance: s) }
      }
    }
    // BCE: logits log(t / (1 - t)), clamped where t is 0 or 1 (the loss there tends to 0).
    let bceLogits = target.map { t in t <= 0 ? -40 : t >= 1 ? 40 : log(t / (1 - t)) }
    #expect(abs(loss(.bce, .sigmoid, logits: bceLogits) - perfect(.bce, target)) < 1e-5)
    let entropy = target.reduce(Float(0)) { sum, t in t > 0 && t < 1 ? sum - (t * log(t) + (1 - t) * log(1 - t)) : sum }
    #expect(abs(perfect(.bce, target) - entropy) < 1e-5)
    #expect(loss(.mse, .linear, logits: target) == 0 && perfect(.mse, target) == 0)
    let logVariance: [Float] = [-1, 0, 0.5, 2, -3, 1]
    #expect(abs(loss(.gaussian, .linear, logits: target, logVariance: logVariance) - perfect(.gaussian, target, logVariance: logVariance)) < 1e-5)
    // Cross-entropy over one group: logits log t give softmax t back.
    let distribution: [Float] = [0.1, 0.2, 0.3, 0.15, 0.05, 0.2]
    var crossEntropy: Float = 0
    distribution.map { log($0) }.withUnsafeBufferPointer { z in
      distribution.withUnsafeBufferPointer { t in
        Loss.categorical.rowLosses(logits: z.baseAddress!, activation: .softmax, target: t.baseAddress!, rows: 1, width: d, into: &crossEntropy)
      }
    }
    #expect(abs(crossEntropy - perfect(.categorical, distribution)) < 1e-5)
  }

  func model() throws -> Autoencoder {
    let spec = ModelSpec.dense(inputWidth: 196, widths: [16, 4], loss: .bce, inputShape: [14, 14, 1])
    let model = try Autoencoder(spec: spec, seed: 2)
    model.scaling = Scaling.fit(TestData.blobs(count: 32, seed: 3), method: .unit)
    return model
  }

  @Test func settingsTravelWithTheFileAndOlderFilesScoreByTheirLoss() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try model()
    let normal = TestData.blobs(count: 200, seed: 8)
    model.anomaly = try InferenceModel(model).calibrated(on: normal, rule: .contamination, level: 0.05)
    #expect(model.anomaly.score == .excess)
    let calibration = try #require(model.anomaly.calibration)
    #expect(calibration.rows == 200 && calibration.quantiles.count == 101 && model.anomaly.threshold == calibration.quantiles[95])
    // The threshold lies where it should: 10 of the 200 normal rows score above it.
    let scores = try InferenceModel(model).score(normal)
    #expect(scores.filter { Double($0) > model.anomaly.threshold! }.count == 10)

    try ModelFile.save(model, to: directory + "/m.h5")
    #expect(try ModelFile.load(directory + "/m.h5").model.anomaly == model.anomaly)
    #expect(try InferenceModel.load(path: directory + "/m.h5").anomaly == model.anomaly)

    // A file without /anomaly (every file before 0.5) scores by its loss, as it did: the
    // dense BCE model of format 1, whose mean loss on its data is its objective.
    let old = FormatOneTests.directory + "/dense.h5"
    let trained = try ModelFile.load(old).model
    #expect(trained.anomaly == .legacy)
    let runtime = try InferenceModel.load(path: old)
    #expect(runtime.threshold == nil && runtime.anomaly == .legacy)
    let data = try NPY.read(FormatOneTests.directory + "/data.npy").features
    let losses = try runtime.score(data)
    let objective = try trained.evaluate(data).objective
    #expect(abs(losses.reduce(0.0) { $0 + Double($1) } / Double(losses.count) - objective) < 1e-4 * objective)
  }

  @Test func craftedSettingsAreRefused() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let hostile = HostileFileTests()
    let model = try model()
    func crafted(_ json: String) throws -> String {
      try hostile.sealedFile(model, in: directory) { file in try file.openGroup("anomaly").setAttribute("anomaly", json) }
    }
    let increasing = (0..<101).map(String.init).joined(separator: ",")
    let decreasing = (0..<101).reversed().map(String.init).joined(separator: ",")
    hostile.expectRefusal(try crafted(#"{"score": "brightness"}"#), mentioning: ["anomaly", "not anomaly settings"])
    hostile.expectRefusal(try crafted("not json"), mentioning: ["not anomaly settings"])
    hostile.expectRefusal(try crafted(#"{"score": "excess", "threshold": 1, "calibration": {"rule": "quantile", "level": 1.5, "rows": 9, "quantiles": [\#(increasing)]}}"#),
                          mentioning: ["level is between 0 and 1"])
    hostile.expectRefusal(try crafted(#"{"score": "excess", "threshold": 1, "calibration": {"rule": "quantile", "level": 0.5, "rows": 9, "quantiles": [\#(decreasing)]}}"#),
                          mentioning: ["quantiles are not finite and increasing"])
    hostile.expectRefusal(try crafted(#"{"score": "excess", "threshold": 1, "calibration": {"rule": "quantile", "level": 0.5, "rows": 9, "quantiles": [1, 2]}}"#),
                          mentioning: ["holds 101 quantiles, not 2"])
    hostile.expectRefusal(try crafted(#"{"score": "excess", "calibration": {"rule": "quantile", "level": 0.5, "rows": 9, "quantiles": [\#(increasing)]}}"#),
                          mentioning: ["without a threshold"])
    _ = try ModelFile.load(try crafted(#"{"score": "mse", "threshold": 3.5}"#)) // a usable one loads
  }

  /// The `code` score is the squared Mahalanobis distance to the training codes' Gaussian: on
  /// the rows it was fitted to, the whitened codes have mean 0 and identity covariance (so
  /// the distances average k (n-1)/n), and a row's distance matches one computed here in
  /// double precision from the covariance's inverse.
  @Test func codeScoreIsTheMahalanobisDistanceToTheTrainingCodes() throws {
    // A linear code: every direction varies, so the covariance is invertible without the ridge.
    let spec = ModelSpec.dense(inputWidth: 196, widths: [16, 4], codeActivation: .linear, loss: .bce, inputShape: [14, 14, 1])
    let model = try Autoencoder(spec: spec, seed: 2)
    model.scaling = Scaling.fit(TestData.blobs(count: 32, seed: 3), method: .unit)
    let rows = TestData.blobs(count: 300, seed: 5)
    let runtime = try InferenceModel(model)
    let settings = try runtime.withTrainingStatistics(on: rows)
    let codes = try #require(settings.codes)
    let k = runtime.codeWidth
    #expect(codes.width == k && codes.whitening.count == k * k)
    let distances = try runtime.scoring(with: settings.scoring(by: .code)).score(rows)
    let mean = distances.reduce(0.0) { $0 + Double($1) } / Double(rows.rows)
    #expect(abs(mean - Double(k) * 299 / 300) < 1e-3 * Double(k))

    // Reference: d = (z - mu)' S^-1 (z - mu), S the sample covariance, solved by Gauss-Jordan.
    let z = try runtime.encode(rows)
    var mu = [Double](repeating: 0, count: k)
    for r in 0..<z.rows { for j in 0..<k { mu[j] += Double(z.row(r)[j]) / Double(z.rows) } }
    var covariance = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    for r in 0..<z.rows {
      for i in 0..<k { for j in 0..<k { covariance[i][j] += (Double(z.row(r)[i]) - mu[i]) * (Double(z.row(r)[j]) - mu[j]) / Double(z.rows - 1) } }
    }
    for r in [0, 17, 250] {
      var system = covariance.enumerated().map { i, row in row + [Double(z.row(r)[i]) - mu[i]] }
      for c in 0..<k {
        let pivot = (c..<k).max { abs(system[$0][c]) < abs(system[$1][c]) }!
        system.swapAt(c, pivot)
        for i in 0..<k where i != c {
          let factor = system[i][c] / system[c][c]
          for j in c...k { system[i][j] -= factor * system[c][j] }
        }
      }
      let reference = (0..<k).reduce(0.0) { $0 + (Double(z.row(r)[$1]) - mu[$1]) * system[$1][k] / system[$1][$1] }
      #expect(abs(Double(distances[r]) - reference) < 1e-3 * max(1, reference), "row \(r): \(distances[r]) against \(reference)")
    }

    // `neighbours`: the mean distance to the 5 nearest training codes, by brute force here.
    let neighbours = try runtime.scoring(with: settings.scoring(by: .neighbours)).score(rows)
    #expect(codes.neighbourRows == rows.rows)
    for r in [3, 150] {
      let sorted = (0..<z.rows).map { other in
        (0..<k).reduce(0.0) { $0 + pow(Double(z.row(r)[$1]) - Double(z.row(other)[$1]), 2) }.squareRoot()
      }.sorted()
      // The row's own code is among the training codes: its nearest is itself, at 0.
      let reference = sorted.prefix(5).reduce(0, +) / 5
      #expect(abs(Double(neighbours[r]) - reference) < 1e-4 * max(1, reference), "row \(r): \(neighbours[r]) against \(reference)")
    }

    // `combined` is excess, code and neighbours, each standardised by the training rows' median and spread.
    let standardisation = try #require(settings.standardisation)
    let excess = try runtime.scoring(with: settings.scoring(by: .excess)).score(rows)
    let combined = try runtime.scoring(with: settings.scoring(by: .combined)).score(rows)
    for r in [0, 99, 299] {
      let expected = (Double(excess[r]) - standardisation.excessMedian) / standardisation.excessSpread
        + (Double(distances[r]) - standardisation.codeMedian) / standardisation.codeSpread
        + (Double(neighbours[r]) - standardisation.neighboursMedian) / standardisation.neighboursSpread
      #expect(abs(Double(combined[r]) - expected) < 1e-4 * max(1, abs(expected)))
    }
    let sortedExcess = excess.sorted()
    #expect(abs(Double(sortedExcess[149] + sortedExcess[150]) / 2 - standardisation.excessMedian) < 1e-4 * abs(standardisation.excessMedian) + 1e-6)
  }

  /// The code statistics travel with the file, scores computed after loading equal those
  /// before, and a row far from the training data scores far above every training row.
  @Test func codeStatisticsTravelWithTheFile() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try model()
    let rows = TestData.blobs(count: 200, seed: 8)
    model.anomaly = try InferenceModel(model).withTrainingStatistics(on: rows).scoring(by: .code)
    model.anomaly = try InferenceModel(model).calibrated(on: rows, rule: .quantile, level: 0.99)
    try ModelFile.save(model, to: directory + "/m.h5")
    let loaded = try InferenceModel.load(path: directory + "/m.h5")
    #expect(loaded.anomaly == model.anomaly && loaded.anomaly.codes != nil && loaded.anomaly.standardisation != nil)
    #expect(try loaded.score(rows) == (try InferenceModel(model).score(rows)))
    let outlier = Tensor(rows: 1, cols: rows.cols, values: (0..<rows.cols).map { $0 % 2 == 0 ? 1 : 0 })
    let trainingScores = try loaded.score(rows)
    #expect(try loaded.score(outlier)[0] > trainingScores.max()!)
  }

  /// Training rows whose codes never vary (here: one row repeated) still give finite
  /// statistics: the ridge has a floor, so the whitening does not overflow to infinity.
  @Test func codesThatNeverVaryGiveFiniteScores() throws {
    let model = try model()
    let one = TestData.blobs(count: 1, seed: 4)
    let same = Tensor(rows: 12, cols: one.cols)
    for r in 0..<12 { same.row(r).update(from: one.row(0), count: one.cols) }
    let settings = try InferenceModel(model).withTrainingStatistics(on: same)
    let scored = try InferenceModel(model).scoring(with: settings.scoring(by: .combined))
    #expect(try scored.score(same).allSatisfy(\.isFinite))
    let other = TestData.blobs(count: 5, seed: 9)
    let code = try InferenceModel(model).scoring(with: settings.scoring(by: .code)).score(other)
    #expect(code.allSatisfy { $0.isFinite && $0 >= 0 }, "\(code)")
  }

  /// A score beyond the float range (here: from a crafted median of 1e300) is refused as not
  /// finite, as every result that overflows is: never a silent infinity.
  @Test func scoresBeyondTheFloatRangeAreRefused() throws {
    let model = try model()
    let rows = TestData.blobs(count: 20, seed: 4)
    var settings = try InferenceModel(model).withTrainingStatistics(on: rows).scoring(by: .combined)
    settings.standardisation!.excessMedian = 1e300
    #expect(throws: InferenceError.self) { try InferenceModel(model).scoring(with: settings).score(rows) }
  }

  @Test func craftedCodeStatisticsAreRefused() throws {
    let directory = TestData.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let hostile = HostileFileTests()
    let model = try model()
    let k = model.spec.codeWidth
    let fitted = try InferenceModel(model).withTrainingStatistics(on: TestData.blobs(count: 50, seed: 1))
    func saved(_ settings: AnomalySettings) throws -> String {
      model.anomaly = settings
      return try hostile.sealedFile(model, in: directory) { _ in }
    }
    var wide = fitted
    wide.codes = .init(mean: [Float](repeating: 0, count: k + 1), whitening: [Float](repeating: 0, count: (k + 1) * (k + 1)),
                       neighbours: [Float](repeating: 0, count: 10 * (k + 1)))
    hostile.expectRefusal(try saved(wide), mentioning: ["code_neighbours", "shape"])
    var notFinite = fitted
    notFinite.codes!.whitening[3] = .nan
    hostile.expectRefusal(try saved(notFinite), mentioning: ["statistics are not finite"])
    var few = fitted
    few.codes!.neighbours = Array(few.codes!.neighbours.prefix(3 * k))
    hostile.expectRefusal(try saved(few), mentioning: ["fewer than 6 neighbour codes"])
    var missing = fitted.scoring(by: .code)
    missing.codes = nil
    hostile.expectRefusal(try saved(missing), mentioning: ["code score needs the training codes' statistics"])
    var spread = fitted.scoring(by: .combined)
    spread.standardisation!.codeSpread = 0
    hostile.expectRefusal(try saved(spread), mentioning: ["positive spreads"])
    _ = try ModelFile.load(try saved(fitted.scoring(by: .combined))) // a usable one loads
  }
}

extension Optional where Wrapped == [Float] {
  /// The array's buffer pointer, or nil for nil.
  func withUnsafeBufferPointerOrNil<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let self else { return body(nil) }
    return self.withUnsafeBufferPointer { body($0.baseAddress) }
  }
}
