import Datasets
import Foundation
import Models
import Store
import Tensor
import Testing

/// Runs the built `ae` tool the way a user does and checks what it prints and returns.
@Suite(.serialized) struct CLITests {
  struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// The `ae` binary: $AE_BINARY, else the newest build beside this package.
  static let binary: String = {
    if let path = ProcessInfo.processInfo.environment["AE_BINARY"] { return path }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let candidates = ["release", "debug"].map { root.path + "/.build/\($0)/ae" }
    let existing = candidates.filter { FileManager.default.fileExists(atPath: $0) }
    func modified(_ p: String) -> Date {
      (try? FileManager.default.attributesOfItem(atPath: p)[.modificationDate] as? Date) ?? .distantPast
    }
    return existing.max { modified($0) < modified($1) } ?? candidates[0]
  }()

  func ae(_ arguments: String...) throws -> Run { try ae(arguments) }

  func ae(_ arguments: [String]) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.binary)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationReason == .exit, "ae \(arguments.joined(separator: " ")) crashed")
    return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
               stderr: String(decoding: errData, as: UTF8.self))
  }

  let directory: String = {
    let path = NSTemporaryDirectory() + "/ae-cli-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  /// 200 rows of 14x14 blob images as CSV, in 0...1.
  func blobCSV() throws -> String {
    let path = directory + "/blobs.csv"
    let side = 14
    var random = SeededRandom(seed: 3)
    var text = (0..<(side * side)).map { "p\($0)" }.joined(separator: ",") + "\n"
    for _ in 0..<200 {
      let cx = random.uniform(3, 11), cy = random.uniform(3, 11)
      var row: [String] = []
      for y in 0..<side {
        for x in 0..<side {
          let d2 = (Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)
          row.append(String(expf32(-d2 / 8)))
        }
      }
      text += row.joined(separator: ",") + "\n"
    }
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// The command failed while working: exit status 1 and one `error:` line containing every phrase.
  func expectFailure(_ run: Run, mentioning phrases: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run.status == 1, "exit status \(run.status); stderr: \(run.stderr)", sourceLocation: sourceLocation)
    let lines = run.stderr.split(separator: "\n")
    #expect(lines.count == 1 && lines[0].hasPrefix("error: "), "stderr: \(run.stderr)", sourceLocation: sourceLocation)
    for phrase in phrases { #expect(run.stderr.contains(phrase), "stderr: \(run.stderr)", sourceLocation: sourceLocation) }
  }

  /// The command was refused as a usage mistake: exit status 64, an `error:` line containing
  /// every phrase, then one `usage: ae COMMAND ...` line, and nothing on stdout.
  func expectUsageError(_ run: Run, mentioning phrases: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run.status == 64, "exit status \(run.status); stderr: \(run.stderr)", sourceLocation: sourceLocation)
    let lines = run.stderr.split(separator: "\n")
    #expect(lines.count == 2 && lines[0].hasPrefix("error: ") && lines[1].hasPrefix("usage: ae "), "stderr: \(run.stderr)",
            sourceLocation: sourceLocation)
    #expect(run.stdout.isEmpty, "stdout: \(run.stdout)", sourceLocation: sourceLocation)
    for phrase in phrases { #expect(lines.first?.contains(phrase) == true, "stderr: \(run.stderr)", sourceLocation: sourceLocation) }
  }

  @Test func trainEncodeDecodeReconstructEvalInspect() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try blobCSV()
    let model = directory + "/m.h5"
    let train = try ae("train", "--layers", "32,4", "--epochs", "100", "--lr", "3e-3", "--batch", "32", "--data", data, "--out", model, "--quiet")
    #expect(train.status == 0, "\(train.stderr)")
    #expect(train.stdout.contains("\"epochs\": 100"))

    #expect(try ae("encode", model, "--data", data, "--out", directory + "/z.npy").status == 0)
    let codes = try NPY.read(directory + "/z.npy").features
    #expect(codes.rows == 200 && codes.cols == 4)
    #expect(try ae("decode", model, "--data", directory + "/z.npy", "--out", directory + "/x.npy").status == 0)
    #expect(try ae("reconstruct", model, "--data", data, "--out", directory + "/y.npy").status == 0)
    let decoded = try NPY.read(directory + "/x.npy").features, reconstructed = try NPY.read(directory + "/y.npy").features
    #expect(decoded.rows == 200 && decoded.cols == 196)
    #expect(decoded.values == reconstructed.values)

    let eval = try ae("eval", model, "--data", data)
    let figures = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as! [String: Any]
    #expect(figures["samples"] as? Int == 200)
    // Better than always answering the mean image (in the model's unit scaling).
    let raw = try CSV.read(data).dataset.features
    let scaling = Scaling.fit(raw, method: .unit)
    scaling.apply(to: raw)
    var meanBaseline = 0.0
    for j in 0..<raw.cols {
      let column = (0..<raw.rows).map { Double(raw[$0, j]) }
      let mean = column.reduce(0, +) / Double(raw.rows)
      meanBaseline += column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
    }
    meanBaseline /= Double(raw.count)
    let mse = figures["mse"] as? Double ?? 1
    #expect(mse < 0.5 * meanBaseline, "model MSE \(mse), mean-image MSE \(meanBaseline)")
    let inspect = try ae("inspect", model)
    #expect(inspect.stdout.contains("dense 196-32-4-32-196"))
    #expect(inspect.stdout.contains("history:    100 epochs"))
  }

  /// `--frames TxC` makes --arch's convolutions run over time; inspect --json names them.
  @Test func framesGiveConvolutionsOverTime() throws {
    let data = try blobCSV() // 196 values a row: 49 frames of 4
    let model = directory + "/frames.h5"
    let trained = try ae("train", "--arch", "conv4k3s2,dense6", "--frames", "49x4", "--epochs", "2", "--data", data, "--out", model, "--quiet")
    #expect(trained.status == 0, "\(trained.stderr)")
    let description = try ae("inspect", model, "--json")
    #expect(description.stdout.contains("conv1d") && description.stdout.contains("conv1d_transpose"), "\(description.stdout)")
    expectUsageError(try ae("train", "--arch", "conv4s2,dense6", "--frames", "50x4", "--data", data, "--quiet"),
                     mentioning: ["--frames 50x4 holds 200 values"])
    expectUsageError(try ae("train", "--frames", "49x4", "--image-shape", "14x14", "--data", data, "--quiet"),
                     mentioning: ["--image-shape and --frames"])
  }

  @Test func resumingFromACheckpointGivesTheSameModel() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try blobCSV()
    let common = ["--layers", "16,4", "--batch", "32", "--dropout", "0.1", "--data", data, "--quiet", "--seed", "5"]
    _ = try run(["train", "--epochs", "3", "--out", directory + "/straight.h5"] + common)
    _ = try run(["train", "--epochs", "1", "--checkpoint", directory + "/ckpt", "--out", directory + "/part.h5"] + common)
    _ = try run(["train", "--epochs", "3", "--resume", directory + "/ckpt", "--out", directory + "/resumed.h5"] + common)
    for name in ["straight", "resumed"] {
      #expect(try ae("encode", directory + "/\(name).h5", "--data", data, "--out", directory + "/\(name).npy").status == 0)
    }
    #expect(try NPY.read(directory + "/straight.npy").features.values == NPY.read(directory + "/resumed.npy").features.values)
  }

  func run(_ arguments: [String]) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.binary)
    process.arguments = arguments
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "ae \(arguments.joined(separator: " ")) failed")
    return Run(status: process.terminationStatus, stdout: "", stderr: "")
  }

  @Test func badModelFilesGiveOneLineErrors() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try blobCSV()
    let model = directory + "/good.h5"
    _ = try run(["train", "--layers", "8", "--epochs", "1", "--data", data, "--out", model, "--quiet"])
    let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: directory + "/cut.h5"))
    expectFailure(try ae("inspect", directory + "/cut.h5"), mentioning: ["cut.h5"])

    let foreign = try HDF5Group.create(file: directory + "/foreign.h5")
    try foreign.write("images", floats: [1, 2, 3, 4], shape: [2, 2])
    try foreign.finish()
    expectFailure(try ae("eval", directory + "/foreign.h5", "--data", data), mentioning: ["foreign.h5", "no checksum", "--unverified", "ae seal"])
    expectFailure(try ae("eval", "--unverified", directory + "/foreign.h5", "--data", data),
                  mentioning: ["foreign.h5", "not an autoencoder model file"])
    expectFailure(try ae("inspect", data), mentioning: ["blobs.csv", "not an HDF5 file"])
  }

  @Test func badDataGivesOneLineErrors() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let text = directory + "/text.csv"
    try Data("a,b\n1,2\n3,oops\n".utf8).write(to: URL(fileURLWithPath: text))
    expectFailure(try ae("train", "--layers", "1", "--data", text, "--quiet"), mentioning: ["text.csv", "line 3, column 2", "'oops' is not a number"])

    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 2, 1, 1), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    let npy = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + [UInt8](repeating: 0, count: 32)
    try Data(npy).write(to: URL(fileURLWithPath: directory + "/rank3.npy"))
    expectFailure(try ae("train", "--layers", "1", "--data", directory + "/rank3.npy", "--quiet"), mentioning: ["rank3.npy", "rank 5", "2-D"])

    let data = try blobCSV()
    expectFailure(try ae("train", "--data", directory + "/nothing.npy", "--quiet"), mentioning: ["nothing.npy", "no such file"])
    // Options that do not fit the data are usage mistakes: the fix is in the command line.
    expectUsageError(try ae("train", "--layers", "256,200", "--data", data, "--quiet"),
                     mentioning: ["code has 200 units", "196 values", "undercomplete"])
    // Convolutions need an image shape: the data's, or one given that fits its rows.
    expectUsageError(try ae("train", "--arch", "conv4s2,dense8", "--data", data, "--quiet"),
                     mentioning: ["convolutions need shaped rows", "--image-shape"])
    expectUsageError(try ae("train", "--arch", "conv4s2,dense8", "--image-shape", "10x10x1", "--data", data, "--quiet"),
                     mentioning: ["10x10x1 holds 100 values", "have 196"])
  }

  /// Each is refused by the options' own checks or by the model spec's `problems()`, before
  /// the data (which does not exist) is read.
  @Test func badArgumentsAreRejectedBeforeAnyWork() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let refused: [([String], String)] = [
      (["--layers", "256,x"], "--layers must be positive whole numbers"),
      (["--noise", "gaussian:0.3"], "input noise belongs to denoising models"),
      (["--model", "sparse"], "a sparse model needs an L1 activity weight or a KL sparsity target"),
      (["--model", "sparse", "--sparsity", "kl:2:1"], "the KL sparsity target must be in (0, 1), got 2.0"),
      (["--contractive", "5"], "the contractive weight belongs to contractive models"),
      (["--model", "contractive", "--contractive", "-1"], "a contractive model needs a positive contractive weight"),
      (["--dropout", "1"], "dropout must be in [0, 1)"),
      (["--loss", "bce", "--output-activation", "tanh"], "the bce loss needs a sigmoid output"),
      (["--model", "vae", "--beta", "-1"], "beta must be >= 0"),
      (["--arch", "dense8,conv4s2"], "convolutions must come before dense layers"),
      (["--image-shape", "28x28x1x2"], "--image-shape must be HxWxC or HxW"),
      (["--lr", "-0.1"], "--lr must be positive, got -0.1"),
      (["--model", "vae", "--pretrain", "greedy"], "--pretrain greedy needs a dense, non-VAE model"),
      (["--pretrain", "layerwise"], "'layerwise' is invalid for '--pretrain <pretrain>'"),
    ]
    for (arguments, phrase) in refused {
      expectUsageError(try ae(["train"] + arguments + ["--data", "whatever.csv"]), mentioning: [phrase])
    }
  }
}
