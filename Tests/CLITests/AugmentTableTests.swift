import Datasets
import Foundation
import Tensor
import Testing

/// `ae augment fit` and `ae augment sample` as a user runs them: a table model from a CSV,
/// rows in the table's units, the same file for the same seed, --where fixing a column and
/// moving the others with it, and a clear error for each misuse.
@Suite(.serialized) struct AugmentTableTests {
  let cli = CLITests()
  var directory: String { cli.directory }

  /// Two groups that differ: in group A `x` is near 0 and `n` small, in group B `x` near 10
  /// and `n` large; `flag` follows the group; some cells missing.
  func groupsCSV() throws -> String {
    let path = directory + "/groups.csv"
    var random = SeededRandom(seed: 5)
    var text = "group,x,n,flag,when\n"
    for i in 0..<400 {
      let b = i % 2 == 1
      let x = (b ? 10 : 0) + random.gaussian()
      let n = Int((b ? 50 : 5) + 2 * random.gaussian())
      let flag = i % 17 == 0 ? "" : (b != (random.uniform() < 0.1) ? "true" : "false")
      text += "\(b ? "B" : "A"),\(String(format: "%.3f", x)),\(n),\(flag),2024-0\(1 + i % 9)-15\n"
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func fit(_ csv: String, _ extra: [String] = []) throws -> String {
    let model = directory + "/synth.h5"
    let run = try cli.ae(["augment", "fit", csv, "--out", model, "--seed", "3", "--quiet"] + extra)
    #expect(run.status == 0, "\(run.stderr)")
    return model
  }

  @Test func samplesKeepKindsRangesAndCategories() throws {
    let csv = try groupsCSV()
    let model = try fit(csv)
    let out = directory + "/rows.csv"
    let run = try cli.ae("augment", "sample", model, "--rows", "500", "--seed", "7", "--out", out, "--quiet")
    #expect(run.status == 0, "\(run.stderr)")
    let real = try CSV.table(csv), synthetic = try CSV.table(out, columnKinds: Dictionary(uniqueKeysWithValues: real.columns.map { ($0.name, $0.kind) }))
    #expect(synthetic.rowCount == 500)
    #expect(synthetic.columnNames == real.columnNames)
    #expect(Set(synthetic.columns[0].categories).isSubset(of: ["A", "B"]))
    let (low, high) = (0..<real.rowCount).reduce((Double.infinity, -Double.infinity)) { r, i in (min(r.0, real[i, 1]), max(r.1, real[i, 1])) }
    for r in 0..<synthetic.rowCount {
      let x = synthetic[r, 1], n = synthetic[r, 2]
      #expect(x.isNaN || (low...high).contains(x), "x \(x) outside the training range \(low)...\(high)")
      #expect(n.isNaN || n == n.rounded(), "n \(n) is not a whole number")
    }
    // The model learned the relation between the columns: rows of group B have the larger x,
    // as in the real table (a sampler of independent columns would give equal means).
    var sums = [0.0, 0.0], counts = [0.0, 0.0]
    for r in 0..<synthetic.rowCount where !synthetic[r, 1].isNaN {
      let g = synthetic.category(row: r, column: 0) == "B" ? 1 : 0
      sums[g] += synthetic[r, 1]
      counts[g] += 1
    }
    #expect(counts[0] > 100 && counts[1] > 100, "both groups are sampled: \(counts)")
    #expect(sums[1] / counts[1] - sums[0] / counts[0] > 6, "group means \(sums[0] / counts[0]) and \(sums[1] / counts[1])")
    let provenance = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json"))) as? [String: Any]
    #expect(provenance?["seed"] as? String == "7" && provenance?["rows"] as? String == "500")
  }

  @Test func theSameSeedGivesTheSameFile() throws {
    let model = try fit(try groupsCSV())
    var files: [Data] = []
    for name in ["a", "b"] {
      let out = directory + "/\(name).csv"
      let run = try cli.ae("augment", "sample", model, "--rows", "9000", "--seed", "11", "--out", out, "--quiet")
      #expect(run.status == 0, "\(run.stderr)")
      files.append(try Data(contentsOf: URL(fileURLWithPath: out)))
    }
    #expect(files[0] == files[1])
    let other = directory + "/c.csv"
    _ = try cli.ae("augment", "sample", model, "--rows", "9000", "--seed", "12", "--out", other, "--quiet")
    #expect(try Data(contentsOf: URL(fileURLWithPath: other)) != files[0])
  }

  @Test func whereFixesAColumnAndConditionsTheOthers() throws {
    let model = try fit(try groupsCSV())
    let out = directory + "/b.csv"
    let run = try cli.ae("augment", "sample", model, "--rows", "300", "--seed", "2", "--out", out, "--where", "group=B", "--quiet")
    #expect(run.status == 0, "\(run.stderr)")
    let rows = try CSV.table(out)
    #expect(rows.columns[0].categories == ["B"], "every row is in group B")
    let xs = (0..<rows.rowCount).map { rows[$0, 1] }.filter { !$0.isNaN }
    #expect(xs.reduce(0, +) / Double(xs.count) > 7, "x follows the fixed group (real mean 10)")
  }

  @Test func npyAndHDF5OutputsHoldTheSameRows() throws {
    let model = try fit(try groupsCSV())
    let npy = directory + "/rows.npy", h5 = directory + "/rows.h5"
    for out in [npy, h5] {
      let run = try cli.ae("augment", "sample", model, "--rows", "50", "--seed", "4", "--out", out, "--quiet")
      #expect(run.status == 0, "\(run.stderr)")
    }
    // float64 (rows, columns) in the header; NaN cells (missing) are data, so NPY.read, which
    // refuses non-finite features, is not the reader here.
    let bytes = try Data(contentsOf: URL(fileURLWithPath: npy))
    let header = String(decoding: bytes.prefix(128), as: UTF8.self)
    #expect(header.contains("'descr': '<f8'") && header.contains("'shape': (50, 5)"), "\(header)")
    #expect(bytes.count >= 50 * 5 * 8 && bytes.count <= 50 * 5 * 8 + 256)
    #expect(FileManager.default.fileExists(atPath: h5) && FileManager.default.fileExists(atPath: npy + ".json"))
  }

  @Test func misuseGivesClearErrors() throws {
    let csv = try groupsCSV()
    let model = try fit(csv)
    let out = directory + "/x.csv"
    let cases: [([String], String)] = [
      (["augment", "sample", model, "--rows", "5", "--out", out, "--where", "x=3"], "'x' is a continuous column"),
      (["augment", "sample", model, "--rows", "5", "--out", out, "--where", "nope=1"], "no column 'nope'"),
      (["augment", "sample", model, "--rows", "5", "--out", out, "--where", "group=C"], "'C' is not a value of 'group'"),
      (["augment", "sample", model, "--rows", "0", "--out", out], "--rows must be at least 1"),
      (["augment", "sample", model, "--rows", "5", "--out", directory], "is a directory"),
      (["augment", "fit", csv, "--out", directory + "/m.h5", "--column", "x:colour"], "unknown kind 'colour'"),
      (["augment", "fit", csv, "--out", directory + "/m.h5", "--column", "nope:integer"], "no column by that name"),
    ]
    for (arguments, message) in cases {
      let run = try cli.ae(arguments)
      #expect(run.status != 0 && run.stderr.contains(message), "ae \(arguments.joined(separator: " ")): \(run.stderr)")
    }
    let headerOnly = directory + "/header.csv"
    try "a,b\n".write(toFile: headerOnly, atomically: true, encoding: .utf8)
    let run = try cli.ae("augment", "fit", headerOnly, "--out", directory + "/m.h5")
    #expect(run.status == 1 && run.stderr.contains("no data rows"), "\(run.stderr)")
    // A model that is not a table model.
    let plain = directory + "/plain.h5"
    let train = try cli.ae("train", "--data", try cli.blobCSV(), "--layers", "8,2", "--epochs", "1", "--out", plain, "--quiet")
    #expect(train.status == 0, "\(train.stderr)")
    let wrong = try cli.ae("augment", "sample", plain, "--rows", "5", "--out", out)
    #expect(wrong.status == 1 && wrong.stderr.contains("not a table model"), "\(wrong.stderr)")
  }

  @Test func hostileTablesGetAnErrorOrAStatedFallback() throws {
    // An identifier column: 100,000 distinct strings.
    var ids = "id,x\n"
    for i in 0..<100_000 { ids += "user\(i),\(i % 7)\n" }
    let idPath = directory + "/ids.csv"
    try ids.write(toFile: idPath, atomically: true, encoding: .utf8)
    let refused = try cli.ae("augment", "fit", idPath, "--out", directory + "/ids.h5")
    #expect(refused.status == 1 && refused.stderr.contains("'id' has 100000 distinct values"), "\(refused.stderr)")
    // Ragged rows and a column with every cell missing.
    for (text, message) in [("a,b\n1,2\n3\n", "has 1 columns; expected 2"), ("a,b\n1,\n2,\n", "'b' has no values")] {
      let path = directory + "/bad.csv"
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      let run = try cli.ae("augment", "fit", path, "--out", directory + "/bad.h5", "--column", "b:continuous")
      #expect(run.status == 1 && run.stderr.contains(message), "\(run.stderr)")
    }
    // Bytes that are not UTF-8: read as U+FFFD (the stated fallback), never a crash.
    let path = directory + "/latin1.csv"
    try Data("name,x\n".utf8 + [0xFF, 0x41] + Data(",1\nok,2\nok,3\n".utf8)).write(to: URL(fileURLWithPath: path))
    let model = directory + "/latin1.h5", out = directory + "/latin1-rows.csv"
    let fit = try cli.ae("augment", "fit", path, "--out", model, "--epochs", "2", "--quiet")
    #expect(fit.status == 0, "\(fit.stderr)")
    let sample = try cli.ae("augment", "sample", model, "--rows", "20", "--out", out, "--quiet")
    #expect(sample.status == 0, "\(sample.stderr)")
    #expect(Set(try CSV.table(out).columns[0].categories).isSubset(of: ["\u{FFFD}A", "ok"]))
  }
}
