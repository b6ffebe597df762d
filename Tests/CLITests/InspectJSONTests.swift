import Foundation
import Models
import Store
import Testing

/// `ae inspect --json` parses as JSON and describes the file: a dense, a convolutional, a
/// conditional and a table model.
@Suite(.serialized) struct InspectJSONTests {
  let cli = CLITests()
  var directory: String { cli.directory }

  func inspect(_ path: String, _ extra: String...) throws -> [String: Any] {
    let run = try cli.ae(["inspect", path, "--json"] + extra)
    #expect(run.status == 0 && run.stderr.isEmpty, "\(run.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
  }

  func layers(_ description: [String: Any]) -> [[String: Any]] { description["layers"] as? [[String: Any]] ?? [] }

  /// The keys every description has, whatever the model.
  static let keys: Set = ["file", "format", "format_version", "library_version", "checksum", "kind", "input_width", "image_shape",
                          "code_width", "classes", "condition_width", "conditions", "heads", "loss", "output_activation", "scaling", "parameters", "layers", "settings", "history",
                          "table", "spectrogram", "melody", "anomaly"]

  @Test func denseConvolutionalAndConditionalModels() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (data, _) = try cli.labeledBlobCSV()
    let common = ["--epochs", "2", "--batch", "32", "--data", data, "--label-column", "label", "--quiet"]
    let dense = directory + "/dense.h5", conv = directory + "/conv.h5", cvae = directory + "/cvae.h5"
    for (path, arguments) in [(dense, ["--layers", "32,4", "--dropout", "0.1"]),
                              (conv, ["--arch", "conv4s2,dense8", "--image-shape", "14x14x1", "--loss", "mse", "--scale", "standard"]),
                              (cvae, ["--model", "cvae", "--layers", "16,2", "--beta", "0.5"])] {
      let run = try cli.ae(["train", "--out", path] + arguments + common)
      #expect(run.status == 0, "\(run.stderr)")
    }

    let d = try inspect(dense)
    #expect(Set(d.keys) == Self.keys)
    #expect(d["file"] as? String == dense && d["format"] as? String == "autoencoder" && d["format_version"] as? Int == ModelFile.formatVersion)
    #expect(d["library_version"] as? String == AutoencoderVersion.string && d["checksum"] as? String == "verified")
    let anomaly = try #require(d["anomaly"] as? [String: Any])
    #expect(anomaly["score"] as? String == "combined" && anomaly["threshold"] is NSNull && anomaly["calibration"] is NSNull)
    #expect(d["kind"] as? String == "dense" && d["input_width"] as? Int == 196 && d["code_width"] as? Int == 4)
    #expect(d["image_shape"] is NSNull && d["classes"] is NSNull && d["condition_width"] as? Int == 0 && d["table"] is NSNull)
    #expect((d["conditions"] as? [Any])?.isEmpty == true)
    let heads = d["heads"] as? [[String: Any]]
    #expect(heads?.count == 1 && heads?.first?["width"] as? Int == 196 && heads?.first?["loss"] as? String == "bce")
    #expect(d["loss"] as? String == "bce" && d["output_activation"] as? String == "sigmoid" && d["scaling"] as? String == "unit")
    #expect(d["parameters"] as? Int == (try ModelFile.load(dense).model.parameters.count))
    #expect(layers(d).map { $0["units"] as? Int } == [32, 4, 32, 196])
    #expect(layers(d).map { $0["part"] as? String } == ["encoder", "encoder", "decoder", "decoder"])
    #expect(layers(d).first?["input_shape"] as? [Int] == [196] && layers(d).first?["kernel"] is NSNull)
    #expect(layers(d).last?["activation"] as? String == "sigmoid")
    let settings = d["settings"] as? [String: Any]
    #expect(settings?["dropout"] as? Double == 0.1 && settings?["beta"] is NSNull)
    let history = d["history"] as? [String: Any]
    #expect(history?["epochs"] as? Int == 2 && history?["last_loss"] is Double && history?["best_epoch"] is Int)

    let c = try inspect(conv)
    #expect(Set(c.keys) == Self.keys)
    #expect(c["kind"] as? String == "dense" && c["image_shape"] as? [Int] == [14, 14, 1] && c["code_width"] as? Int == 8)
    #expect(c["loss"] as? String == "mse" && c["scaling"] as? String == "standard")
    #expect(c["parameters"] as? Int == (try ModelFile.load(conv).model.parameters.count))
    let first = layers(c).first ?? [:], last = layers(c).last ?? [:]
    #expect(first["kind"] as? String == "conv2d" && first["kernel"] as? [Int] == [3, 3] && first["stride"] as? [Int] == [2, 2]
            && first["padding"] as? [Int] == [1, 1])
    #expect(first["input_shape"] as? [Int] == [14, 14, 1] && first["output_shape"] as? [Int] == [7, 7, 4] && first["units"] as? Int == 196)
    #expect(last["kind"] as? String == "conv2d_transpose" && last["input_shape"] as? [Int] == [7, 7, 4] && last["output_shape"] as? [Int] == [14, 14, 1])

    let v = try inspect(cvae)
    #expect(Set(v.keys) == Self.keys)
    #expect(v["kind"] as? String == "cvae" && v["classes"] as? Int == 4 && v["code_width"] as? Int == 2 && v["condition_width"] as? Int == 4)
    let condition = (v["conditions"] as? [[String: Any]])?.first
    #expect(condition?["kind"] as? String == "one_hot" && condition?["width"] as? Int == 4)
    // The label joins the encoder's input and the code.
    #expect(layers(v).first?["input_shape"] as? [Int] == [196 + 4])
    #expect(layers(v).first(where: { $0["part"] as? String == "decoder" })?["input_shape"] as? [Int] == [2 + 4])
    #expect(layers(v).filter { $0["part"] as? String == "encoder" }.last?["units"] as? Int == 4) // mean and log-variance of 2
    let vaeSettings = v["settings"] as? [String: Any]
    #expect(vaeSettings?["beta"] as? Double == 0.5 && vaeSettings?["kl_warmup_epochs"] as? Int == 0)

    // The text stays the default.
    let text = try cli.ae("inspect", dense)
    #expect(text.stdout.hasPrefix("model:      \(dense)\n") && text.stdout.contains("layers:     dense 196-32-4-32-196"))
  }

  /// A table model from `ae augment fit`: --json lists every column with its kind, categories
  /// and whether sampling can fix it; the text says it is a table model and lists the first 20
  /// categories of a column.
  @Test func tableModel() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var text = "city,flag,count,x\n"
    for i in 0..<300 {
      text += "c\(String(format: "%02d", i % 25)),\(i % 3 == 0 ? "true" : "false"),\(i % 11),\(Double(i % 17) / 4)\n"
    }
    let csv = directory + "/table.csv", model = directory + "/table.h5"
    try Data(text.utf8).write(to: URL(fileURLWithPath: csv))
    let fit = try cli.ae("augment", "fit", csv, "--out", model, "--epochs", "2", "--quiet")
    #expect(fit.status == 0, "\(fit.stderr)")

    let t = try inspect(model)
    #expect(Set(t.keys) == Self.keys)
    let columns = (t["table"] as? [String: Any])?["columns"] as? [[String: Any]] ?? []
    #expect(columns.map { $0["name"] as? String } == ["city", "flag", "count", "x"])
    #expect(columns.map { $0["kind"] as? String } == ["categorical", "boolean", "integer", "continuous"])
    #expect(columns.map { $0["condition"] as? Bool } == [true, true, false, false])
    #expect(columns[0]["categories"] as? [String] == (0..<25).map { String(format: "c%02d", $0) })
    #expect(columns[1]["categories"] as? [String] == ["false", "true"] && columns[2]["categories"] is NSNull)
    #expect(columns[2]["minimum"] as? Double == 0 && columns[2]["maximum"] as? Double == 10 && columns[3]["maximum"] as? Double == 4)
    // The conditions are the table's fixable columns: one-hot groups of their categories.
    #expect((t["conditions"] as? [[String: Any]])?.map { $0["name"] as? String } == ["city", "flag"])

    let described = try cli.ae("inspect", model)
    #expect(described.status == 0, "\(described.stderr)")
    let lines = described.stdout.split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.hasPrefix("table:      4 columns, a table model") && $0.contains("2 can be fixed") })
    let city = lines.first { $0.hasPrefix("  city ") } ?? ""
    #expect(city.contains("categorical, condition: c00, c01") && city.contains("c19 (+5 more)") && !city.contains("c20"), "\(city)")
    #expect(lines.contains { $0.hasPrefix("  count ") && $0.contains("integer: 0.0...10.0") })
    #expect(!lines.contains { $0.hasPrefix("classes:") }, "a table's conditions are its columns, not classes")
  }
}
