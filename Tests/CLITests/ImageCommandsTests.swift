import Datasets
import Foundation
import Tensor
import Testing

/// `ae denoise` and `ae inpaint` on files: PNG in and out (grey and RGB), the same numbers as
/// a .npy array, known pixels kept, and one clear error for broken PNGs, masks of the wrong
/// size and NaN in arrays.
@Suite(.serialized) struct ImageCommandsTests {
  let cli = CLITests()
  var directory: String { cli.directory }

  /// A small 8x8 image model trained on 0...255 images (so PNG bytes are its units).
  func trainedModel() throws -> String {
    var random = SeededRandom(seed: 21)
    var values: [Float] = []
    for _ in 0..<200 {
      let cx = random.uniform(2, 6), cy = random.uniform(2, 6)
      for y in 0..<8 {
        for x in 0..<8 {
          let d2 = (Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)
          values.append((255 * expf32(-d2 / 6)).rounded())
        }
      }
    }
    try AugmentImagesTests().writeFloatNPY(values, shape: [200, 8, 8], to: directory + "/train.npy")
    let path = directory + "/model.h5"
    let run = try cli.ae(["train", "--layers", "16,4", "--loss", "mse", "--epochs", "3", "--data", directory + "/train.npy",
                          "--out", path, "--quiet", "--threads", "1"])
    #expect(run.status == 0, "\(run.stderr)")
    return path
  }

  func picture(height: Int, width: Int, channels: Int, seed: UInt64) -> PNGImage {
    var random = SeededRandom(seed: seed)
    return PNGImage(height: height, width: width, channels: channels,
                    pixels: (0..<height * width * channels).map { _ in UInt8(random.uniform(0, 255)) })
  }

  @Test func pngInPngOutMatchesTheArrayAndKeepsItsShape() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try trainedModel()
    for channels in [1, 3] {
      let input = picture(height: 19, width: 13, channels: channels, seed: 5)
      try input.write(to: directory + "/in.png")
      let run = try cli.ae(["denoise", model, "--in", directory + "/in.png", "--out", directory + "/out.png"])
      #expect(run.status == 0, "\(run.stderr)")
      let output = try PNGImage.read(directory + "/out.png")
      #expect(output.height == 19 && output.width == 13 && output.channels == channels)
      // The same image as an array: the PNG holds its result rounded and clipped.
      let shape = channels == 1 ? [19, 13] : [19, 13, 3]
      try AugmentImagesTests().writeFloatNPY(input.pixels.map(Float.init), shape: shape, to: directory + "/in.npy")
      let arrayRun = try cli.ae(["denoise", model, "--in", directory + "/in.npy", "--out", directory + "/out.npy"])
      #expect(arrayRun.status == 0, "\(arrayRun.stderr)")
      let array = try NPY.read(directory + "/out.npy")
      #expect(array.metadata.shape == shape)
      let expected = array.features.values.map { UInt8(min(max(($0 + 0.5).rounded(.down), 0), 255)) }
      #expect(output.pixels == expected)
      #expect(output.pixels != input.pixels, "the model changed the image")
    }
  }

  @Test func inpaintingKeepsTheKnownPixelsOfAPNG() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try trainedModel()
    let input = picture(height: 17, width: 22, channels: 1, seed: 6)
    try input.write(to: directory + "/in.png")
    var maskPixels = [UInt8](repeating: 255, count: 17 * 22)
    for y in 4..<10 { for x in 6..<15 { maskPixels[y * 22 + x] = 0 } }
    try PNGImage(height: 17, width: 22, channels: 1, pixels: maskPixels).write(to: directory + "/mask.png")
    let run = try cli.ae(["inpaint", model, "--in", directory + "/in.png", "--mask", directory + "/mask.png",
                          "--out", directory + "/filled.png", "--iterations", "5"])
    #expect(run.status == 0, "\(run.stderr)")
    let output = try PNGImage.read(directory + "/filled.png")
    #expect(maskPixels.indices.allSatisfy { maskPixels[$0] == 0 || output.pixels[$0] == input.pixels[$0] })
    #expect(maskPixels.indices.contains { maskPixels[$0] == 0 && output.pixels[$0] != input.pixels[$0] })

    try PNGImage(height: 5, width: 5, channels: 1, pixels: [UInt8](repeating: 255, count: 25)).write(to: directory + "/small.png")
    let wrong = try cli.ae(["inpaint", model, "--in", directory + "/in.png", "--mask", directory + "/small.png",
                            "--out", directory + "/filled.png"])
    cli.expectFailure(wrong, mentioning: ["small.png", "5x5", "17x22"])
  }

  @Test func brokenInputsGetOneClearError() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try trainedModel()
    try picture(height: 30, width: 30, channels: 1, seed: 7).write(to: directory + "/good.png")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/good.png"))
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: directory + "/truncated.png"))
    var corrupt = bytes
    for i in 40..<min(80, corrupt.count) { corrupt[i] ^= 0x5A }
    try corrupt.write(to: URL(fileURLWithPath: directory + "/corrupt.png"))
    try Data("not a picture".utf8).write(to: URL(fileURLWithPath: directory + "/text.png"))
    for (name, phrase) in [("truncated", "truncated or corrupt"), ("corrupt", "truncated or corrupt"), ("text", "not a PNG file")] {
      let run = try cli.ae(["denoise", model, "--in", directory + "/\(name).png", "--out", directory + "/out.png"])
      cli.expectFailure(run, mentioning: ["\(name).png", phrase])
    }
    #expect(!FileManager.default.fileExists(atPath: directory + "/out.png"))

    var values = [Float](repeating: 10, count: 100)
    values[42] = .nan
    try AugmentImagesTests().writeFloatNPY(values, shape: [10, 10], to: directory + "/nan.npy")
    cli.expectFailure(try cli.ae(["denoise", model, "--in", directory + "/nan.npy", "--out", directory + "/out.npy"]),
                      mentioning: ["nan.npy", "nan"])
    let mismatch = try cli.ae(["denoise", model, "--in", directory + "/good.png", "--out", directory + "/out.npy"])
    cli.expectUsageError(mismatch, mentioning: ["--out", ".png"])
    let iterations = try cli.ae(["inpaint", model, "--in", directory + "/good.png", "--mask", directory + "/good.png",
                                 "--out", directory + "/out.png", "--iterations", "-1"])
    cli.expectUsageError(iterations, mentioning: ["--iterations"])
  }
}
