import Datasets
import Foundation
import Models
import Store
import Tensor
import Testing

/// The inference commands run the runtime (`InferenceModel`): their results match what the
/// training model computed before (within 1e-5), `ae score` gives each row's score, and
/// conditional models take their labels from the data or from --labels.
@Suite(.serialized) struct RuntimeCommandTests {
  let cli = CLITests()
  var directory: String { cli.directory }

  func expectClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "\(what): \(a.count) values, expected \(b.count)", sourceLocation: sourceLocation)
    let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    #expect(worst <= tolerance, "\(what): differs by \(worst)", sourceLocation: sourceLocation)
  }

  func table(_ path: String) throws -> Tensor {
    path.hasSuffix(".csv") ? try CSV.read(path).dataset.features : try NPY.read(path).features
  }

  func train(_ arguments: [String], data: String, out: String) throws {
    let run = try cli.ae(["train"] + arguments + ["--epochs", "2", "--batch", "32", "--data", data, "--out", out, "--quiet"])
    #expect(run.status == 0, "\(run.stderr)")
  }

  /// The training model's codes for raw rows (conditional models: with these labels).
  func trainingCodes(_ model: Autoencoder, _ raw: Tensor, labels: [Int]? = nil) throws -> [Float] {
    let scaled = try model.pipeline.forward(raw)
    guard let labels else { return model.encodeScaled(scaled).values }
    let head = model.encoder.forward(try model.conditioned(scaled, try model.conditions(labels: labels)), training: false)
    let k = model.spec.codeWidth
    return (0..<head.rows).flatMap { r in (0..<k).map { head[r, $0] } } // a VAE's code is its mean
  }

  /// --precision runs the model at bfloat16 or int8: reconstructions close to float32's, not
  /// equal; commands that run the training model refuse it.
  @Test func reducedPrecisionFromTheCommandLine() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try cli.blobCSV()
    let path = directory + "/model.h5"
    try train(["--layers", "32,4"], data: data, out: path)
    #expect(try cli.ae("reconstruct", path, "--data", data, "--out", directory + "/y.npy").status == 0)
    let exact = try table(directory + "/y.npy").values
    let scale = exact.map { abs($0) }.max()!
    for precision in ["bfloat16", "int8"] {
      let run = try cli.ae("reconstruct", path, "--data", data, "--precision", precision, "--out", directory + "/\(precision).npy")
      #expect(run.status == 0, "\(run.stderr)")
      let reduced = try table(directory + "/\(precision).npy").values
      let worst = zip(exact, reduced).map { abs($0 - $1) }.max()!
      #expect(worst > 0 && worst < 0.05 * scale, "\(precision): largest change \(worst) of outputs up to \(scale)")
    }
    let refused = try cli.ae("eval", path, "--data", data, "--precision", "int8")
    #expect(refused.status != 0 && refused.stderr.contains("reads the training model, at float32"), "\(refused.stderr)")
    let inspect = try cli.ae("inspect", path, "--precision", "bfloat16")
    #expect(inspect.status != 0 && inspect.stderr.contains("reads the training model"), "\(inspect.stderr)")
  }

  /// encode gives the training model's codes (what it gave before it ran the runtime),
  /// reconstruct gives the training model's figures (ae eval's mse), decode(encode) is reconstruct.
  @Test func encodeDecodeReconstructMatchTheTrainingModel() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try cli.blobCSV()
    let raw = try CSV.read(data).dataset.features
    for (name, arguments) in [("dense", ["--layers", "32,4"]), ("conv", ["--arch", "conv4s2,dense8", "--image-shape", "14x14x1"]),
                              ("vae", ["--model", "vae", "--layers", "16,2", "--loss", "mse"])] {
      let path = directory + "/\(name).h5"
      try train(arguments, data: data, out: path)
      let (model, _) = try ModelFile.load(path)
      #expect(try cli.ae("encode", path, "--data", data, "--out", directory + "/z.npy").status == 0)
      let codes = try table(directory + "/z.npy")
      expectClose(codes.values, try trainingCodes(model, raw), "\(name) codes")
      #expect(try cli.ae("decode", path, "--data", directory + "/z.npy", "--out", directory + "/x.csv").status == 0)
      #expect(try cli.ae("reconstruct", path, "--data", data, "--out", directory + "/y.npy").status == 0)
      let reconstructed = try table(directory + "/y.npy")
      expectClose(try table(directory + "/x.csv").values, reconstructed.values, "\(name) decoded codes")
      // The mean squared error of the reconstructions, in the model's scaled units, is ae eval's
      // (a VAE's eval decodes sampled codes, its reconstructions the means: not comparable).
      guard name != "vae" else { continue }
      let eval = try JSONSerialization.jsonObject(with: Data(try cli.ae("eval", path, "--data", data).stdout.utf8)) as? [String: Any]
      let target = raw.copy(), output = reconstructed.copy()
      model.scaling.apply(to: target)
      model.scaling.apply(to: output)
      let mse = zip(target.values, output.values).map { Double(($0 - $1) * ($0 - $1)) }.reduce(0, +) / Double(raw.count)
      expectClose([Float(mse)], [Float(eval?["mse"] as? Double ?? -1)], tolerance: 1e-4, "\(name) mse against ae eval")
    }
  }

  /// Each row's score, one per line, as the model was trained to give it (`--score`): its
  /// loss (squared error summed over features for mse with no scaling, BCE from the
  /// reconstruction's probabilities for bce with unit scaling), the excess over a perfect
  /// reconstruction (BCE less the row's own entropy; squared error unchanged), or the mean
  /// squared error in the data's units.
  @Test func scoreWritesEachRowsScore() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try cli.blobCSV()
    let raw = try CSV.read(data).dataset.features
    let cases: [(file: String, loss: String, score: String)] = [
      ("mse", "mse", "excess"), ("bce-loss", "bce", "loss"), ("bce-excess", "bce", "excess"), ("bce-mse", "bce", "mse"),
    ]
    for (file, loss, score) in cases {
      let path = directory + "/\(file).h5"
      let lossOptions = loss == "mse" ? ["--loss", "mse", "--scale", "none", "--output-activation", "linear"] : []
      try train(["--layers", "16,4", "--score", score] + lossOptions, data: data, out: path)
      #expect(try cli.ae("score", path, "--data", data, "--out", directory + "/s.csv").status == 0)
      let lines = try String(contentsOfFile: directory + "/s.csv", encoding: .utf8).split(separator: "\n")
      #expect(lines.count == raw.rows && lines.allSatisfy { Float($0) != nil }, "\(lines.prefix(3))")
      let scores = lines.map { Float($0)! }
      #expect(try cli.ae("score", path, "--data", data, "--out", directory + "/s.npy").status == 0)
      #expect(try table(directory + "/s.npy").values == scores)

      let (model, _) = try ModelFile.load(path)
      #expect(model.anomaly.score.rawValue == score)
      #expect(try cli.ae("reconstruct", path, "--data", data, "--out", directory + "/y.npy").status == 0)
      let reconstruction = try table(directory + "/y.npy")
      let target = raw.copy(), output = reconstruction.copy()
      model.scaling.apply(to: target)
      model.scaling.apply(to: output)
      let expected = (0..<raw.rows).map { r in
        Float((0..<raw.cols).reduce(0.0) { sum, j in
          let t = Double(target[r, j]), y = Double(output[r, j]), p = min(max(y, 1e-12), 1 - 1e-12)
          switch (loss, score) {
          case ("mse", _): return sum + (t - y) * (t - y)
          case (_, "mse"):
            let difference = Double(raw[r, j]) - Double(reconstruction[r, j])
            return sum + difference * difference / Double(raw.cols)
          default:
            let bce = -(t * log(p) + (1 - t) * log(1 - p))
            let entropy = t > 0 && t < 1 ? -(t * log(t) + (1 - t) * log(1 - t)) : 0
            return sum + (score == "excess" ? bce - entropy : bce)
          }
        })
      }
      // BCE from logits (the runtime) and from probabilities (here) differ in the last digits.
      expectClose(scores, expected, tolerance: loss == "mse" || score == "mse" ? 1e-5 : 1e-4, "\(file) scores")
      if file == "bce-loss" {
        // --score excess on a loss model: the same rows less each row's entropy.
        #expect(try cli.ae("score", path, "--data", data, "--score", "excess", "--out", directory + "/e.npy").status == 0)
        let entropies = (0..<raw.rows).map { r in
          (0..<raw.cols).reduce(Float(0)) { sum, j in
            let t = target[r, j]
            return t > 0 && t < 1 ? sum - (t * log(t) + (1 - t) * log(1 - t)) : sum
          }
        }
        expectClose(try table(directory + "/e.npy").values, zip(expected, entropies).map { $0 - $1 }, tolerance: 1e-4, "--score excess")
      }
    }
  }

  /// The rows, then the same rows mirrored (1 - x: far from anything a model of them saw), as
  /// an .npy file, and the truth (0 for the rows, 1 for their mirrors) as a .csv file.
  func mirroredRowsAndTruth(_ raw: Tensor) throws -> (data: String, truth: String) {
    let mixed = Tensor(rows: 2 * raw.rows, cols: raw.cols)
    for r in 0..<raw.rows {
      for j in 0..<raw.cols { mixed[r, j] = raw[r, j]; mixed[raw.rows + r, j] = 1 - raw[r, j] }
    }
    let mixedPath = directory + "/mixed.npy", truthPath = directory + "/truth.csv"
    try NPY.write(mixed, to: mixedPath)
    try ((0..<raw.rows).map { _ in "0" } + (0..<raw.rows).map { _ in "1" }).joined(separator: "\n")
      .write(toFile: truthPath, atomically: true, encoding: .utf8)
    return (mixedPath, truthPath)
  }

  /// `--calibrate` stores the validation rows' score quantile as a threshold; `ae score` then
  /// labels rows, and `--truth` gives AUROC and friends (rows of another blob are the anomalies).
  @Test func calibratedModelsLabelRowsAndTruthGivesTheFigures() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try cli.blobCSV()
    let path = directory + "/calibrated.h5"
    try train(["--layers", "16,4", "--calibrate", "0.9", "--validation", "0.3"], data: data, out: path)
    let (model, _) = try ModelFile.load(path)
    let threshold = try #require(model.anomaly.threshold)
    let calibration = try #require(model.anomaly.calibration)
    #expect(calibration.rule == .quantile && calibration.level == 0.9 && calibration.quantiles.count == 101)
    #expect(calibration.quantiles[90] == threshold)

    // Normal rows, then the same rows mirrored (1 - x: far from anything the model saw).
    let raw = try CSV.read(data).dataset.features
    let (mixedPath, truthPath) = try mirroredRowsAndTruth(raw)
    let run = try cli.ae("score", path, "--data", mixedPath, "--out", directory + "/s.csv", "--truth", truthPath)
    #expect(run.status == 0, "\(run.stderr)")
    let rows = try String(contentsOfFile: directory + "/s.csv", encoding: .utf8).split(separator: "\n").map {
      $0.split(separator: ",").map { Double($0)! }
    }
    #expect(rows.count == 2 * raw.rows && rows.allSatisfy { $0.count == 2 && $0[1] == ($0[0] > threshold ? 1 : 0) })
    let figures = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let auroc = try #require(figures["auroc"] as? Double), recall = try #require(figures["recall"] as? Double)
    #expect(auroc > 0.9 && recall > 0.5, "\(figures)")
    #expect(figures["rows"] as? Int == 2 * raw.rows && figures["anomalies"] as? Int == raw.rows)
    // About 10 % of normal rows lie above the 90 % quantile of held-out normal rows.
    let flaggedNormal = rows.prefix(raw.rows).filter { $0[1] == 1 }.count
    #expect(flaggedNormal > raw.rows / 50 && flaggedNormal < raw.rows / 4, "\(flaggedNormal) of \(raw.rows) normal rows flagged")

    cli.expectUsageError(try cli.ae("train", "--data", data, "--calibrate", "1.5", "--out", path), mentioning: ["--calibrate"])
    let wrongCount = directory + "/short.csv"
    try "0\n1\n".write(toFile: wrongCount, atomically: true, encoding: .utf8)
    // Another score than the model's own: its threshold does not apply, so no label column.
    let other = try cli.ae("score", path, "--data", mixedPath, "--score", "mse", "--out", directory + "/m.csv", "--truth", truthPath)
    #expect(other.status == 0 && other.stdout.contains(#""score": "mse""#) && other.stdout.contains(#""threshold": null"#), "\(other.stdout)")
    let otherRows = try String(contentsOfFile: directory + "/m.csv", encoding: .utf8).split(separator: "\n")
    #expect(otherRows.count == 2 * raw.rows && otherRows.allSatisfy { !$0.contains(",") })
    let short = try cli.ae("score", path, "--data", mixedPath, "--out", directory + "/s.csv", "--truth", wrongCount)
    #expect(short.status == 1 && short.stderr.contains("2 truth labels for \(2 * raw.rows) data rows"), "\(short.stderr)")
  }

  /// `--score combined`, `code` and `neighbours`: the model stores its training codes' mean,
  /// whitening and a sample, `ae score --score code` gives |W (code - mean)|^2 of the codes
  /// `ae encode` writes, and each score tells mirrored rows from normal ones.
  @Test func codeScoresUseTheStoredTrainingCodes() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try cli.blobCSV()
    let path = directory + "/combined.h5"
    try train(["--layers", "16,4", "--score", "combined", "--contamination", "0.1", "--validation", "0.3"], data: data, out: path)
    let (model, _) = try ModelFile.load(path)
    let codes = try #require(model.anomaly.codes)
    #expect(model.anomaly.score == .combined && model.anomaly.threshold != nil && model.anomaly.standardisation != nil)

    let raw = try CSV.read(data).dataset.features
    let (mixedPath, truthPath) = try mirroredRowsAndTruth(raw)
    for score in ["combined", "code", "neighbours"] {
      let run = try cli.ae("score", path, "--data", mixedPath, "--score", score, "--out", directory + "/\(score).npy", "--truth", truthPath)
      #expect(run.status == 0, "\(run.stderr)")
      let figures = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
      #expect((figures["auroc"] as? Double ?? 0) > 0.9, "\(score): \(figures)")
      // A model without conditions takes --labels as the truth (the issue's spelling).
      let labelled = try cli.ae("score", path, "--data", mixedPath, "--score", score, "--out", directory + "/l.npy", "--labels", truthPath)
      #expect(labelled.stdout == run.stdout, "\(labelled.stdout) against \(run.stdout)")
    }
    #expect(try cli.ae("encode", path, "--data", mixedPath, "--out", directory + "/z.npy").status == 0)
    let z = try table(directory + "/z.npy"), k = codes.width
    let expected = (0..<z.rows).map { r in
      Float((0..<k).reduce(0.0) { sum, i in
        let projection = (0..<k).reduce(0.0) { $0 + Double(codes.whitening[i * k + $1]) * Double(z[r, $1] - codes.mean[$1]) }
        return sum + projection * projection
      })
    }
    expectClose(try table(directory + "/code.npy").values, expected, tolerance: 1e-4, "--score code")

    // A model from before the code statistics: a clear refusal, not a crash.
    let formatOne = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path + "/Fixtures/format1/dense.h5"
    let old = try cli.ae("score", formatOne, "--data", mixedPath, "--score", "code", "--out", directory + "/o.npy")
    #expect(old.status == 1 && old.stderr.contains("needs the training codes' statistics"), "\(old.stderr)")
  }

  /// A table as docs/ANOMALY.md describes it: a CSV with a header, 8 numeric columns on very
  /// different scales (thousands to thousandths), each row two hidden factors plus a little
  /// noise. `anomalies` rows are shifted by 6 standard deviations in 3 of the columns.
  func tableCSV(_ name: String, normal: Int, anomalies: Int, seed: UInt64) throws -> String {
    let base: [Double] = [5000, 0.002, 20, 100, 50, -3, 1500, 0.1]
    let scale: [Double] = [1000, 0.001, 5, 10, 8, 0.5, 200, 0.02]
    let weights: [(Double, Double)] = [(1, 0), (0, 1), (0.7, 0.7), (0.8, -0.6), (-0.5, 0.9), (0.3, 0.4), (1, 1), (-1, 0.5)]
    var random = SeededRandom(seed: seed)
    var text = "flow_lph,ratio,temp_c,pressure_kpa,count,offset,power_w,share\n"
    for row in 0..<(normal + anomalies) {
      let a = Double(random.gaussian()), b = Double(random.gaussian())
      let values = (0..<8).map { j -> Double in
        let spread = (weights[j].0 * weights[j].0 + weights[j].1 * weights[j].1 + 0.01).squareRoot()
        let shift = row >= normal && [1, 4, 6].contains(j) ? 6 * spread : 0
        return base[j] + scale[j] * (weights[j].0 * a + weights[j].1 * b + 0.1 * Double(random.gaussian()) + shift)
      }
      text += values.map { String($0) }.joined(separator: ",") + "\n"
    }
    let path = directory + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// docs/ANOMALY.md's table recipe end to end: `ae train --data normal.csv --scale standard
  /// --loss mse --output-activation linear --contamination 0.05 --out m.h5` (the default
  /// layers for a table of 8 columns: 16,2), then `ae score m.h5 --data new.csv --out s.csv
  /// --truth`: a threshold is stored, the shifted rows stand out (AUROC), each row's label is
  /// its score against the threshold, and about 5 % of normal rows are flagged.
  @Test func tableRecipeOfTheAnomalyGuide() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let normal = try tableCSV("normal.csv", normal: 600, anomalies: 0, seed: 11)
    let new = try tableCSV("new.csv", normal: 400, anomalies: 40, seed: 12)
    let truth = directory + "/truth.csv"
    try ((0..<400).map { _ in "0" } + (0..<40).map { _ in "1" }).joined(separator: "\n").write(toFile: truth, atomically: true, encoding: .utf8)
    let model = directory + "/m.h5"
    let recipe = ["train", "--data", normal, "--scale", "standard", "--loss", "mse", "--output-activation", "linear", "--contamination", "0.05"]
    // A code as wide as the 8 columns is refused, naming --layers; without --layers a table
    // this narrow gets a narrow model (16,2).
    cli.expectUsageError(try cli.ae(recipe + ["--layers", "256,32", "--out", model, "--quiet"]), mentioning: ["--layers", "only 8 values"])
    let trained = try cli.ae(recipe + ["--epochs", "30", "--out", model, "--quiet"])
    #expect(trained.status == 0, "\(trained.stderr)")
    let (loaded, _) = try ModelFile.load(model)
    #expect(loaded.spec.codeWidth == 2 && loaded.spec.encoder.map(\.units) == [16, 2], "\(loaded.spec.encoder.map(\.units))")
    let threshold = try #require(loaded.anomaly.threshold)
    let calibration = try #require(loaded.anomaly.calibration)
    #expect(calibration.rule == .contamination && calibration.level == 0.05 && threshold.isFinite)
    #expect(loaded.scaling.method == .standard)

    let run = try cli.ae("score", model, "--data", new, "--out", directory + "/s.csv", "--truth", truth)
    #expect(run.status == 0, "\(run.stderr)")
    let figures = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    #expect((figures["auroc"] as? Double ?? 0) > 0.9, "\(figures)")
    #expect((figures["recall"] as? Double ?? 0) > 0.8, "\(figures)")
    #expect(figures["rows"] as? Int == 440 && figures["anomalies"] as? Int == 40, "\(figures)")
    let rows = try String(contentsOfFile: directory + "/s.csv", encoding: .utf8).split(separator: "\n").map {
      $0.split(separator: ",").map { Double($0)! }
    }
    #expect(rows.count == 440 && rows.allSatisfy { $0.count == 2 && $0[1] == ($0[0] > threshold ? 1 : 0) }, "\(rows.prefix(3))")
    // About 5 % of rows like the training rows lie above the threshold (20 of 400; loose bounds).
    let flaggedNormal = rows.prefix(400).filter { $0.count == 2 && $0[1] == 1 }.count
    #expect(flaggedNormal >= 4 && flaggedNormal <= 60, "\(flaggedNormal) of 400 normal rows flagged")
  }

  @Test func conditionalModelsTakeLabelsFromTheDataOrAFile() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (data, labels) = try cli.labeledBlobCSV()
    let cvae = directory + "/cvae.h5"
    try train(["--model", "cvae", "--layers", "16,2", "--loss", "mse", "--label-column", "label"], data: data, out: cvae)
    let (model, _) = try ModelFile.load(cvae)
    let raw = try CSV.read(data, labelColumn: "label").features
    writeLabelFiles(labels)

    // encode and score: the labels come with the data (its label column), or from --labels.
    #expect(try cli.ae("encode", cvae, "--data", data, "--label-column", "label", "--out", directory + "/z.npy").status == 0)
    let codes = try table(directory + "/z.npy")
    expectClose(codes.values, try trainingCodes(model, raw, labels: labels), "cvae codes")
    #expect(try cli.ae("encode", cvae, "--data", directory + "/pixels.npy", "--labels", directory + "/labels.npy", "--out", directory + "/z2.npy").status == 0)
    #expect(try table(directory + "/z2.npy").values == codes.values)
    #expect(try cli.ae("reconstruct", cvae, "--data", data, "--label-column", "label", "--out", directory + "/y.npy").status == 0)
    let reconstructed = try table(directory + "/y.npy")
    cli.expectFailure(try cli.ae("encode", cvae, "--data", directory + "/z.npy", "--out", directory + "/zz.npy"),
                      mentioning: ["rows have 2 values"])
    cli.expectFailure(try cli.ae("decode", cvae, "--data", directory + "/z.npy", "--out", directory + "/x.npy"),
                      mentioning: ["z.npy", "needs a class label per row", "--labels FILE"])
    // decode: the labels from a file, .npy (int64, as numpy saves them) or .csv.
    for file in ["labels.npy", "labels.csv"] {
      let run = try cli.ae("decode", cvae, "--data", directory + "/z.npy", "--labels", directory + "/" + file, "--out", directory + "/x.npy")
      #expect(run.status == 0, "\(run.stderr)")
      expectClose(try table(directory + "/x.npy").values, reconstructed.values, "cvae decoded with \(file)")
    }
    // The labels matter: other classes decode the same codes differently.
    try cli.writeInt64NPY(labels.map { ($0 + 1) % 4 }, to: directory + "/shifted.npy")
    #expect(try cli.ae("decode", cvae, "--data", directory + "/z.npy", "--labels", directory + "/shifted.npy", "--out", directory + "/x.npy").status == 0)
    #expect(try table(directory + "/x.npy").values != reconstructed.values)
    cli.expectFailure(try cli.ae("decode", cvae, "--data", directory + "/z.npy", "--labels", directory + "/short.npy", "--out", directory + "/x.npy"),
                      mentioning: ["short.npy", "3 labels for 200 rows"])
    cli.expectFailure(try cli.ae("decode", cvae, "--data", directory + "/z.npy", "--labels", directory + "/big.npy", "--out", directory + "/x.npy"),
                      mentioning: ["row 0 has label 9", "classes 0..<4"])
    #expect(try cli.ae("score", cvae, "--data", directory + "/pixels.npy", "--labels", directory + "/labels.npy", "--out", directory + "/s.csv").status == 0)
    #expect(try cli.ae("score", cvae, "--data", data, "--label-column", "label", "--out", directory + "/t.csv").status == 0)
    #expect(try String(contentsOfFile: directory + "/s.csv", encoding: .utf8) == String(contentsOfFile: directory + "/t.csv", encoding: .utf8))
    cli.expectUsageError(try cli.ae("score", cvae, "--data", data, "--label-column", "label", "--labels", directory + "/labels.npy", "--out", directory + "/t.csv"),
                         mentioning: ["--label-column and --labels both give labels"])

    // sample and montage draw by class.
    #expect(try cli.ae("sample", cvae, "--count", "3", "--class", "2", "--out", directory + "/s.npy").status == 0)
    // Without --class, the classes are drawn from the seed too.
    let drawn = try cli.ae("sample", cvae, "--count", "3", "--out", directory + "/u.npy")
    #expect(drawn.status == 0 && (try? table(directory + "/u.npy").rows) == 3, "\(drawn.stderr)")
    let montage = try cli.ae("montage", cvae, "--data", data, "--label-column", "label", "--image-shape", "14x14", "--sample", "--class", "1",
                             "--out", directory + "/m.png")
    #expect(montage.status == 0, "\(montage.stderr)")
    #expect(try cli.ae("montage", cvae, "--data", data, "--label-column", "label", "--image-shape", "14x14", "--out", directory + "/r.png").status == 0)
  }

  /// The label files the conditional test reads, and the pixels without their label column.
  func writeLabelFiles(_ labels: [Int]) {
    #expect(throws: Never.self) {
      try cli.writeInt64NPY(labels, to: directory + "/labels.npy")
      try cli.writeInt64NPY([1, 2, 3], to: directory + "/short.npy")
      try cli.writeInt64NPY(labels.map { _ in 9 }, to: directory + "/big.npy")
      try Data(("label\n" + labels.map(String.init).joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/labels.csv"))
      try NPY.write(try CSV.read(directory + "/labeled.csv", labelColumn: "label").features, to: directory + "/pixels.npy")
    }
  }

  /// A cvae interpolates between rows of Fashion-MNIST with the labels the data carries: each
  /// end is encoded with its own label, the path decoded as the first row's class (or --class).
  @Test func conditionalInterpolationUsesTheDataLabels() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    guard DataSource.hasFashionMNIST else {
      print("RuntimeCommandTests.conditionalInterpolationUsesTheDataLabels skipped: Fashion-MNIST is not installed")
      return
    }
    let cvae = directory + "/cvae.h5"
    try train(["--model", "cvae", "--layers", "32,2", "--loss", "bce", "--limit", "1000"], data: "fashion-mnist", out: cvae)
    let test = ["--data", "fashion-mnist:test", "--limit", "10"]
    let run = try cli.ae(["interpolate", cvae, "--from", "0", "--to", "1", "--steps", "4", "--out", directory + "/p.npy"] + test)
    #expect(run.status == 0, "\(run.stderr)")
    let path = try table(directory + "/p.npy")
    #expect(path.rows == 4 && path.cols == 784)
    // The first step is the first row's code decoded with its label: its reconstruction.
    #expect(try cli.ae(["reconstruct", cvae, "--out", directory + "/y.npy"] + test).status == 0)
    let reconstructed = try table(directory + "/y.npy")
    expectClose(Array(path.values.prefix(784)), Array(reconstructed.values.prefix(784)), "the path's first step")
    #expect(try cli.ae(["interpolate", cvae, "--from", "0", "--to", "1", "--steps", "4", "--class", "3", "--out", directory + "/q.npy"] + test).status == 0)
    #expect(try table(directory + "/q.npy").values != path.values)
    cli.expectFailure(try cli.ae("interpolate", cvae, "--data", directory + "/p.npy", "--out", directory + "/r.npy"),
                      mentioning: ["p.npy", "needs a class label per row", "--labels FILE"])
  }
}
