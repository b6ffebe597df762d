import Datasets
import Foundation
import Tensor
import Testing

/// `ae augment images`: a cvae trained on four well-separated toy classes makes images of the
/// class asked for, shaped as its input, with int64 labels; the same seed gives the same
/// files; --perturb moves real images' codes by as much noise as asked; bad requests get
/// one clear error.
@Suite(.serialized) struct AugmentImagesTests {
  let cli = CLITests()
  var directory: String { cli.directory }
  static let side = 8, classes = 4, perClassInData = 50

  /// 200 8x8 images, 50 of each class; class c is a bright 4x4 square in quadrant c (its
  /// brightness varying from image to image) over faint noise. Written as (200, 8, 8)
  /// float32 with int64 labels beside them. Returns the images' rows and their labels.
  func toyImages() throws -> (rows: [[Float]], labels: [Int]) {
    var random = SeededRandom(seed: 11)
    var rows: [[Float]] = [], labels: [Int] = []
    for index in 0..<(Self.classes * Self.perClassInData) {
      let label = index % Self.classes, brightness = random.uniform(0.6, 1)
      var image = (0..<(Self.side * Self.side)).map { _ in random.uniform(0, 0.15) }
      for y in 0..<4 {
        for x in 0..<4 { image[(y + 4 * (label / 2)) * Self.side + x + 4 * (label % 2)] += brightness }
      }
      rows.append(image)
      labels.append(label)
    }
    try writeFloatNPY(rows.flatMap { $0 }, shape: [rows.count, Self.side, Self.side], to: directory + "/toy.npy")
    try cli.writeInt64NPY(labels, to: directory + "/toy-labels.npy")
    return (rows, labels)
  }

  /// A small cvae on the toy images, with its data's arguments for --perturb.
  func trainedCVAE() throws -> (path: String, rows: [[Float]], labels: [Int], data: [String]) {
    let (rows, labels) = try toyImages()
    let data = ["--data", directory + "/toy.npy", "--labels", directory + "/toy-labels.npy"]
    let path = directory + "/cvae.h5"
    let run = try cli.ae(["train", "--model", "cvae", "--layers", "32,2", "--loss", "mse", "--epochs", "80", "--batch", "20",
                          "--lr", "3e-3", "--out", path, "--quiet"] + data)
    #expect(run.status == 0, "\(run.stderr)")
    return (path, rows, labels, data)
  }

  func augment(_ model: String, _ arguments: [String], name: String) throws -> (images: Dataset, labels: [Int]) {
    let out = directory + "/\(name).npy", labelsOut = directory + "/\(name)-labels.npy"
    let run = try cli.ae(["augment", "images", "--model", model, "--out", out, "--labels-out", labelsOut, "--threads", "1"] + arguments)
    #expect(run.status == 0, "\(run.stderr)")
    return (try NPY.read(out), try readInt64NPY(labelsOut))
  }

  @Test func samplesHaveTheModelsShapeTheirLabelsAndLookLikeTheirClass() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (model, rows, labels, _) = try trainedCVAE()
    let (images, drawnLabels) = try augment(model, ["--per-class", "30", "--seed", "4", "--montage", directory + "/m.png"], name: "a")
    #expect(images.metadata.shape == [120, Self.side, Self.side])
    #expect(drawnLabels == (0..<Self.classes).flatMap { Array(repeating: $0, count: 30) })
    #expect(FileManager.default.fileExists(atPath: directory + "/m.png"))

    // Each image is nearer its own class's mean real image than any other class's.
    let means = (0..<Self.classes).map { c in mean(rows.indices.filter { labels[$0] == c }.map { rows[$0] }) }
    let nearest = (0..<images.features.rows).filter { r in
      let image = Array(UnsafeBufferPointer(start: images.features.row(r), count: images.features.cols))
      let distances = means.map { distance(image, $0) }
      return distances.firstIndex(of: distances.min()!) == drawnLabels[r]
    }.count
    #expect(nearest >= 114, "\(nearest) of 120 images are nearest their own class's mean")

    // The same seed gives the same files; another seed other images.
    let again = try augment(model, ["--per-class", "30", "--seed", "4"], name: "b")
    #expect(again.images.features.values == images.features.values && again.labels == drawnLabels)
    #expect(try augment(model, ["--per-class", "30", "--seed", "5"], name: "c").images.features.values != images.features.values)
    // --classes picks classes in its order; each class's images do not depend on the others.
    let some = try augment(model, ["--per-class", "30", "--seed", "4", "--classes", "3,1"], name: "d")
    #expect(some.labels == Array(repeating: 3, count: 30) + Array(repeating: 1, count: 30))
    #expect(some.images.features.values == Array(images.features.values[(90 * 64)...] + images.features.values[(30 * 64)..<(60 * 64)]))
  }

  @Test func perturbingMovesRealImagesAsMuchAsAsked() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (model, rows, labels, data) = try trainedCVAE()
    // Output i of class c comes from class c's (i mod 50)-th real image: 60 cycles past the end.
    let perClass = 60
    let sources = (0..<Self.classes).flatMap { c in
      let ofClass = rows.indices.filter { labels[$0] == c }
      return (0..<perClass).map { ofClass[$0 % ofClass.count] }
    }
    func meanDistance(_ noise: String) throws -> (Double, Dataset) {
      let (images, drawnLabels) = try augment(model, ["--per-class", String(perClass), "--perturb", noise] + data, name: "p\(noise)")
      #expect(images.metadata.shape == [Self.classes * perClass, Self.side, Self.side])
      #expect(drawnLabels == sources.map { labels[$0] })
      let total = (0..<images.features.rows).map { r in
        distance(Array(UnsafeBufferPointer(start: images.features.row(r), count: images.features.cols)), rows[sources[r]])
      }.reduce(0, +)
      return (total / Double(images.features.rows), images)
    }
    // No noise: the sources' reconstructions, as ae reconstruct gives them.
    let (none, unmoved) = try meanDistance("0")
    try writeFloatNPY(sources.flatMap { rows[$0] }, shape: [sources.count, Self.side * Self.side], to: directory + "/sources.npy")
    try cli.writeInt64NPY(sources.map { labels[$0] }, to: directory + "/sources-labels.npy")
    let reconstruct = try cli.ae("reconstruct", model, "--data", directory + "/sources.npy", "--labels", directory + "/sources-labels.npy",
                                 "--threads", "1", "--out", directory + "/y.npy")
    #expect(reconstruct.status == 0, "\(reconstruct.stderr)")
    let reconstructed = try NPY.read(directory + "/y.npy").features.values
    let worst = zip(unmoved.features.values, reconstructed).map { abs($0 - $1) }.max() ?? 1
    #expect(worst <= 1e-5, "perturb 0 differs from the reconstructions by \(worst)")
    // Small noise stays near the source (as near as its reconstruction); large noise moves
    // the images much farther from where no noise puts them.
    let (small, nudged) = try meanDistance("0.05"), (_, moved) = try meanDistance("2")
    #expect(small < none * 1.1 + 0.01, "mean distance to the source: \(small) with noise 0.05, \(none) with none")
    let smallShift = meanRowDistance(nudged.features, unmoved.features), largeShift = meanRowDistance(moved.features, unmoved.features)
    #expect(largeShift > 5 * smallShift, "mean distance to the unperturbed images: \(largeShift) with noise 2, \(smallShift) with noise 0.05")
  }

  @Test func badRequestsGetOneClearError() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (model, _, labels, data) = try trainedCVAE()
    let outputs = ["--out", directory + "/x.npy", "--labels-out", directory + "/y.npy"]
    func images(_ arguments: [String], outputs custom: [String]? = nil) throws -> CLITests.Run {
      try cli.ae(["augment", "images", "--model", model] + arguments + (custom ?? outputs))
    }
    cli.expectUsageError(try images(["--per-class", "0"]), mentioning: ["--per-class must be at least 1, got 0"])
    cli.expectUsageError(try images(["--per-class", "5", "--perturb", "0.1"]), mentioning: ["--perturb encodes real images", "--data"])
    cli.expectUsageError(try images(["--per-class", "5"] + data), mentioning: ["--data, --labels", "are for --perturb"])
    cli.expectUsageError(try images(["--per-class", "5", "--perturb", "-1"] + data), mentioning: ["--perturb must be a finite standard deviation"])
    cli.expectUsageError(try images(["--per-class", "5", "--classes", "0,9"]), mentioning: ["class 9 is not one of the model's classes 0..<4"])
    cli.expectUsageError(try images(["--per-class", "5", "--classes", "1,x"]), mentioning: ["--classes must be class numbers"])
    cli.expectUsageError(try images(["--per-class", "5", "--classes", "1,1"]), mentioning: ["--classes lists class 1 twice"])
    for huge in ["100000000000", String(Int.max)] {
      cli.expectFailure(try images(["--per-class", huge]), mentioning: ["--per-class \(huge) for 4 classes", "GB of memory"])
    }
    // Outputs: a directory, a device, the wrong suffix, a picture of what is not an image.
    cli.expectUsageError(try images(["--per-class", "5"], outputs: ["--out", directory, "--labels-out", directory + "/y.npy"]),
                         mentioning: ["is a directory"])
    cli.expectUsageError(try images(["--per-class", "5"], outputs: ["--out", directory + "/x.npy", "--labels-out", "/dev/null"]),
                         mentioning: ["--labels-out /dev/null", "refusing to replace"])
    cli.expectUsageError(try images(["--per-class", "5"], outputs: ["--out", directory + "/x.csv", "--labels-out", directory + "/y.npy"]),
                         mentioning: ["'.csv' is not a suffix this command writes; use .npy"])
    cli.expectUsageError(try images(["--per-class", "5", "--montage", directory + "/m.jpg"]), mentioning: ["--montage", "use .png"])
    #expect(!FileManager.default.fileExists(atPath: directory + "/x.npy"), "nothing is written on a refused request")

    // Labels out of the model's range, and a class the data lacks.
    try cli.writeInt64NPY(labels.map { _ in 7 }, to: directory + "/seven.npy")
    cli.expectFailure(try images(["--per-class", "5", "--perturb", "0.1", "--data", directory + "/toy.npy", "--labels", directory + "/seven.npy"]),
                      mentioning: ["row 0 has label 7", "classes 0..<4"])
    try cli.writeInt64NPY(labels.map { $0 == 2 ? 1 : $0 }, to: directory + "/no-two.npy")
    cli.expectFailure(try images(["--per-class", "5", "--perturb", "0.1", "--data", directory + "/toy.npy", "--labels", directory + "/no-two.npy"]),
                      mentioning: ["no images of class 2", "--classes"])
    #expect(try images(["--per-class", "5", "--perturb", "0.1", "--classes", "0,1", "--data", directory + "/toy.npy",
                        "--labels", directory + "/no-two.npy"]).status == 0)
    // A model that is not conditional.
    let vae = directory + "/vae.h5"
    #expect(try cli.ae("train", "--model", "vae", "--layers", "8,2", "--epochs", "1", "--data", directory + "/toy.npy", "--out", vae, "--quiet").status == 0)
    cli.expectFailure(try cli.ae(["augment", "images", "--model", vae, "--per-class", "5"] + outputs),
                      mentioning: ["vae.h5 is a vae model", "needs a conditional VAE"])
  }

  // MARK: Helpers

  func mean(_ rows: [[Float]]) -> [Float] {
    (0..<rows[0].count).map { j in rows.map { $0[j] }.reduce(0, +) / Float(rows.count) }
  }

  func meanRowDistance(_ a: Tensor, _ b: Tensor) -> Double {
    let row = { (t: Tensor, r: Int) in Array(UnsafeBufferPointer(start: t.row(r), count: t.cols)) }
    return (0..<a.rows).map { distance(row(a, $0), row(b, $0)) }.reduce(0, +) / Double(a.rows)
  }

  func distance(_ a: [Float], _ b: [Float]) -> Double {
    zip(a, b).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +).squareRoot()
  }

  /// A float32 array of `shape` as numpy saves it.
  func writeFloatNPY(_ values: [Float], shape: [Int], to path: String) throws {
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", "))), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    var bytes = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
    values.withUnsafeBytes { bytes += $0 }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  /// An int64 vector from a format-1 .npy, checking its header says so.
  func readInt64NPY(_ path: String) throws -> [Int] {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let length = Int(bytes[8]) | Int(bytes[9]) << 8
    let header = String(decoding: bytes[10..<(10 + length)], as: UTF8.self)
    #expect(header.contains("'descr': '<i8'") && header.contains("'shape': ("), "\(header)")
    let count = (bytes.count - 10 - length) / 8
    #expect(header.contains("'shape': (\(count),)"), "\(header)")
    return (0..<count).map { i in
      bytes[(10 + length + 8 * i)..<(10 + length + 8 * i + 8)].reversed().reduce(0) { $0 << 8 | Int($1) }
    }
  }
}
