import Datasets
import Foundation
import Testing

/// `ae compress` and `ae decompress`: the file's size and the figures printed are the real
/// ones, decompressing gives what the codes decode to within the quantization's error, and a
/// file from another model, a damaged file and bad options give one-line errors.
@Suite(.serialized) struct CompressCommandsTests {
  let cli = CLITests()
  var directory: String { cli.directory }

  func json(_ text: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
  }

  func train(_ out: String, _ data: String, seed: Int = 1) throws {
    let run = try cli.ae("train", "--layers", "32,4", "--epochs", "20", "--batch", "32", "--seed", String(seed), "--data", data,
                         "--out", out, "--quiet")
    #expect(run.status == 0, "\(run.stderr)")
  }

  @Test func compressThenDecompressGivesTheRowsItReports() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try cli.blobCSV(), model = directory + "/m.h5"
    try train(model, data)
    #expect(try cli.ae("reconstruct", model, "--data", data, "--out", directory + "/y.npy").status == 0)
    let raw = try CSV.read(data).dataset.features, reconstructed = try NPY.read(directory + "/y.npy").features
    var previousMSE = Double.infinity
    for bits in [2, 8, 16] {
      let codes = directory + "/codes-\(bits).bin"
      let compress = try cli.ae("compress", model, "--data", data, "--bits", String(bits), "--out", codes)
      #expect(compress.status == 0, "\(compress.stderr)")
      let figures = try json(compress.stdout)
      let size = try FileManager.default.attributesOfItem(atPath: codes)[.size] as? Int ?? -1
      #expect(figures["rows"] as? Int == 200 && figures["dims"] as? Int == 4 && figures["bits"] as? Int == bits)
      #expect(figures["bytes"] as? Int == size)
      #expect(abs((figures["bytes_per_row"] as? Double ?? 0) - Double(size) / 200) < 1e-3)
      // Without deflate the payload is exactly 200 rows x 4 values x bits.
      if figures["deflated"] as? Bool == false { #expect(size == 40 + 8 * 4 + (200 * 4 * bits + 7) / 8) }

      let decompress = try cli.ae("decompress", model, "--in", codes, "--out", directory + "/x.npy")
      #expect(decompress.status == 0, "\(decompress.stderr)")
      #expect(try json(decompress.stdout)["rows"] as? Int == 200)
      let decoded = try NPY.read(directory + "/x.npy").features
      #expect(decoded.rows == 200 && decoded.cols == 196)
      // compress's mse is that of these rows against the input.
      let mse = zip(decoded.values, raw.values).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) / Double(raw.count)
      let printed = figures["mse"] as? Double ?? -1
      #expect(abs(mse - printed) <= 1e-4 * max(mse, 1e-6), "mse \(mse), printed \(printed)")
      let range = Double(raw.values.max()! - raw.values.min()!)
      #expect(abs((figures["psnr"] as? Double ?? 0) - 10 * log10(range * range / mse)) < 1e-3)
      // More bits, closer to the unquantized reconstruction; 16 bits all but equal to it.
      let gap = zip(decoded.values, reconstructed.values).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) / Double(raw.count)
      #expect(gap < previousMSE, "bits \(bits): \(gap) from the reconstruction, \(previousMSE) with fewer bits")
      previousMSE = gap
      if bits == 16 { #expect(gap < 1e-6, "16-bit codes decode \(gap) from the float codes") }
    }
  }

  @Test func foreignAndDamagedFilesGiveOneLineErrors() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try cli.blobCSV(), model = directory + "/m.h5", other = directory + "/other.h5", codes = directory + "/codes.bin"
    try train(model, data)
    try train(other, data, seed: 2)
    #expect(try cli.ae("compress", model, "--data", data, "--bits", "6", "--out", codes).status == 0)
    cli.expectFailure(try cli.ae("decompress", other, "--in", codes, "--out", directory + "/x.npy"),
                      mentioning: ["codes.bin", "another model"])
    let bytes = try Data(contentsOf: URL(fileURLWithPath: codes))
    try bytes.prefix(100).write(to: URL(fileURLWithPath: directory + "/short.bin"))
    cli.expectFailure(try cli.ae("decompress", model, "--in", directory + "/short.bin", "--out", directory + "/x.npy"),
                      mentioning: ["short.bin", "truncated"])
    cli.expectFailure(try cli.ae("decompress", model, "--in", model, "--out", directory + "/x.npy"), mentioning: ["wrong magic"])
    cli.expectFailure(try cli.ae("decompress", model, "--in", directory + "/missing.bin", "--out", directory + "/x.npy"),
                      mentioning: ["missing.bin"])
    cli.expectFailure(try cli.ae("decompress", model, "--in", directory, "--out", directory + "/x.npy"),
                      mentioning: ["not a regular file"])
    #expect(!FileManager.default.fileExists(atPath: directory + "/x.npy"))
  }

  @Test func badOptionsAreUsageErrors() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = try cli.blobCSV(), model = directory + "/m.h5"
    try train(model, data)
    for bits in ["0", "17", "33"] {
      cli.expectUsageError(try cli.ae("compress", model, "--data", data, "--bits", bits, "--out", directory + "/c.bin"),
                           mentioning: ["--bits", bits])
    }
    cli.expectUsageError(try cli.ae("compress", model, "--data", data, "--clip", "0.5", "--out", directory + "/c.bin"),
                         mentioning: ["--clip"])
    cli.expectUsageError(try cli.ae("compress", model, "--data", data, "--out", directory), mentioning: ["directory"])
    cli.expectUsageError(try cli.ae("decompress", model, "--in", directory + "/c.bin", "--out", directory + "/x.bin"),
                         mentioning: ["x.bin"])
    #expect(!FileManager.default.fileExists(atPath: directory + "/c.bin"))
  }
}
