import Datasets
import Foundation
import Tensor
import Testing

/// `--shards N --shard-index I` on `ae score`, `encode` and `augment sample`: the shards'
/// outputs, concatenated in index order, are what one process writes for all the rows;
/// more shards than rows leave empty (but valid) files; misuse gets a clear error.
@Suite(.serialized) struct ShardTests {
  let cli = CLITests()
  var directory: String { cli.directory }

  func succeed(_ arguments: [String]) throws {
    let run = try cli.ae(arguments)
    #expect(run.status == 0, "ae \(arguments.joined(separator: " ")): \(run.stderr)")
  }

  /// The data bytes of a .npy file (after its header).
  func npyData(_ path: String) throws -> Data {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
    return bytes.subdata(in: (10 + headerLength)..<bytes.count)
  }

  @Test func scoreAndEncodeShardsConcatenateToTheWhole() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (data, _) = try cli.labeledBlobCSV()
    let dense = directory + "/dense.h5", cvae = directory + "/cvae.h5"
    try succeed(["train", "--data", data, "--label-column", "label", "--out", dense, "--layers", "16,4", "--epochs", "2", "--quiet"])
    try succeed(["train", "--data", data, "--label-column", "label", "--out", cvae, "--model", "cvae", "--layers", "16,2",
                 "--epochs", "2", "--quiet"])
    // 7 shards of the rows: sizes differ by one, so the split points are not round numbers.
    for (command, model) in [("score", dense), ("encode", cvae)] {
      let whole = directory + "/\(command)-all.npy"
      try succeed([command, model, "--data", data, "--label-column", "label", "--out", whole])
      var parts: [Float] = []
      for index in 0..<7 {
        let out = directory + "/\(command)-\(index).npy"
        try succeed([command, model, "--data", data, "--label-column", "label", "--out", out, "--shards", "7",
                     "--shard-index", String(index)])
        parts += try NPY.read(out).features.values
      }
      let expected = try NPY.read(whole).features.values
      #expect(parts.count == expected.count && !expected.isEmpty)
      // Each row is computed alone of the others; only the pass's batch shape differs, which
      // on some BLAS kernels moves the last bits.
      let worst = zip(parts, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
      #expect(worst <= 1e-5, "\(command): shards differ from the whole by \(worst)")
    }
  }

  /// From a .npy a shard reads only its rows; the concatenation is still the whole, and a
  /// labels file goes with its rows.
  @Test func npyShardsReadTheirRowsAndLabels() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (csv, labels) = try cli.labeledBlobCSV()
    let table = try CSV.read(csv, labelColumn: "label")
    let npy = directory + "/rows.npy", labelFile = directory + "/labels.npy"
    try NPY.write(table.features, to: npy)
    try cli.writeInt64NPY(labels, to: labelFile)
    let cvae = directory + "/cvae.h5"
    try succeed(["train", "--data", csv, "--label-column", "label", "--out", cvae, "--model", "cvae", "--layers", "16,2",
                 "--epochs", "2", "--quiet"])
    let whole = directory + "/all.npy"
    try succeed(["score", cvae, "--data", npy, "--labels", labelFile, "--out", whole])
    var parts: [Float] = []
    for index in 0..<3 {
      let out = directory + "/part-\(index).npy"
      try succeed(["score", cvae, "--data", npy, "--labels", labelFile, "--out", out, "--shards", "3", "--shard-index", String(index)])
      parts += try NPY.read(out).features.values
    }
    let expected = try NPY.read(whole).features.values
    let worst = zip(parts, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
    #expect(parts.count == expected.count && worst <= 1e-5)
  }

  @Test func augmentSampleShardsAreTheWholeFile() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let csv = directory + "/table.csv"
    var random = SeededRandom(seed: 2)
    var text = "x,kind,n\n"
    for i in 0..<300 { text += "\(String(format: "%.2f", random.gaussian())),\(["a", "b", "c"][i % 3]),\(i % 10)\n" }
    try text.write(toFile: csv, atomically: true, encoding: .utf8)
    let model = directory + "/synth.h5"
    try succeed(["augment", "fit", csv, "--out", model, "--epochs", "3", "--seed", "1", "--quiet"])

    func sample(_ out: String, rows: Int = 50, _ extra: [String] = []) throws {
      try succeed(["augment", "sample", model, "--rows", String(rows), "--seed", "9", "--out", out, "--quiet"] + extra)
    }
    try sample(directory + "/all.csv")
    try sample(directory + "/all.npy")
    var lines: [Substring] = [], bytes = Data()
    for index in 0..<4 {
      let shard = ["--shards", "4", "--shard-index", String(index)]
      try sample(directory + "/part\(index).csv", shard)
      try sample(directory + "/part\(index).npy", shard)
      let text = try String(contentsOfFile: directory + "/part\(index).csv", encoding: .utf8)
      lines += text.split(separator: "\n").dropFirst() // each shard has the header
      bytes += try npyData(directory + "/part\(index).npy")
      let provenance = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/part\(index).csv.json"))) as? [String: Any]
      #expect(provenance?["shard"] as? String == "\(index) of 4" && provenance?["total_rows"] as? String == "50")
    }
    let whole = try String(contentsOfFile: directory + "/all.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(lines == Array(whole), "the shards' rows are not the whole file's")
    #expect(bytes == (try npyData(directory + "/all.npy")))

    // 2 rows in 3 shards: the last shard is empty, and still a valid file of 0 rows.
    let empty = ["--shards", "3", "--shard-index", "2"]
    try sample(directory + "/empty.csv", rows: 2, empty)
    try sample(directory + "/empty.npy", rows: 2, empty)
    try sample(directory + "/empty.h5", rows: 2, empty)
    #expect(try String(contentsOfFile: directory + "/empty.csv", encoding: .utf8) == "x,kind,n\n")
    let header = String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory + "/empty.npy")).prefix(128), as: UTF8.self)
    #expect(header.contains("'shape': (0, 3)"), "\(header)")
  }

  @Test func misuseGetsAClearError() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try cli.blobCSV(), model = directory + "/m.h5", out = directory + "/s.npy"
    try succeed(["train", "--data", data, "--out", model, "--layers", "8,2", "--epochs", "1", "--quiet"])
    let truth = directory + "/truth.csv"
    try (Array(repeating: "0", count: 199) + ["1"]).joined(separator: "\n").write(toFile: truth, atomically: true, encoding: .utf8)
    let cases: [([String], String)] = [
      (["--shards", "2"], "needs --shard-index"),
      (["--shards", "2", "--shard-index", "2"], "--shard-index must be 0...1"),
      (["--shards", "0", "--shard-index", "0"], "--shards must be at least 1"),
      (["--shards", "2", "--shard-index", "-1"], "--shard-index must be 0...1"),
      (["--shards", "2", "--shard-index", "0", "--truth", truth], "all the rows at once"),
    ]
    for (extra, message) in cases {
      let run = try cli.ae(["score", model, "--data", data, "--out", out] + extra)
      #expect(run.status != 0 && run.stderr.contains(message), "\(extra): \(run.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out))
    }
  }
}
