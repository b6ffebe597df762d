import Foundation
import Models
import Runtime
import Tensor
import Testing
import Training

/// Denoising and inpainting whole images with an image model: tile placement, blending,
/// channels, and a trained denoiser that actually cleans and fills images bigger than its tile.
@Suite(.serialized) struct ImageRestorationTests {
  /// An untrained 8x8x`channels` image model (random weights: any function will do).
  func untrainedModel(channels: Int = 1, seed: UInt64 = 3) throws -> InferenceModel {
    let width = 64 * channels
    let spec = ModelSpec.dense(inputWidth: width, widths: [16, 8], inputShape: [8, 8, channels])
    return try InferenceModel(try Autoencoder(spec: spec, seed: seed))
  }

  /// Smooth random images in 0...1: a few low sinusoids, the kind of field a small model can learn.
  func smoothImage(height: Int, width: Int, _ random: inout SeededRandom) -> [Float] {
    let waves = (0..<3).map { _ in (random.uniform(-0.6, 0.6), random.uniform(-0.6, 0.6), random.uniform(0, 6.3)) }
    var image = [Float](repeating: 0, count: height * width)
    for y in 0..<height {
      for x in 0..<width {
        let v = waves.reduce(Float(0)) { $0 + sinf($1.0 * Float(y) + $1.1 * Float(x) + $1.2) } / 6
        image[y * width + x] = 0.5 + v
      }
    }
    return image
  }

  func noisy(_ image: [Float], sigma: Float, _ random: inout SeededRandom) -> [Float] {
    image.map { min(max($0 + sigma * random.gaussian(), 0), 1) }
  }

  func meanSquaredError(_ a: [Float], _ b: [Float], where keep: (Int) -> Bool = { _ in true }) -> Double {
    var sum = 0.0, count = 0
    for i in a.indices where keep(i) {
      sum += Double((a[i] - b[i]) * (a[i] - b[i]))
      count += 1
    }
    return sum / Double(max(count, 1))
  }

  /// A denoising model of 8x8 tiles trained on crops of smooth fields with Gaussian noise.
  func trainedDenoiser() throws -> InferenceModel {
    var random = SeededRandom(seed: 5)
    let rows = 3000
    let data = Tensor(rows: rows, cols: 64)
    for r in 0..<rows {
      let crop = smoothImage(height: 8, width: 8, &random)
      for j in 0..<64 { data[r, j] = crop[j] }
    }
    let spec = ModelSpec.dense(inputWidth: 64, widths: [64, 16], inputShape: [8, 8, 1], kind: .denoising,
                               noise: Corruption(kind: .gaussian, level: 0.2))
    let model = try Autoencoder(spec: spec, seed: 1)
    let options = TrainingOptions(epochs: 40, batchSize: 64, optimizer: OptimizerSettings(kind: .adam, learningRate: 3e-3), seed: 1)
    _ = try Trainer(model: model, options: options).fit(data)
    return try InferenceModel(model)
  }

  @Test func tilesOverlapAndTheLastSitsFlushWithTheEdge() {
    let axis = TileAxis(size: 64, tile: 28)
    #expect(axis.starts == [0, 21, 36])
    #expect(TileAxis(size: 28, tile: 28).starts == [0])
    #expect(TileAxis(size: 5, tile: 28).starts == [0])
    #expect(TileAxis(size: 5, tile: 28).source(0, 27) == 4, "past the edge, the edge pixel repeats")
    for size in [9, 10, 17, 30, 100] {
      let axis = TileAxis(size: size, tile: 8)
      #expect(axis.starts.last == size - 8)
      #expect(zip(axis.starts, axis.starts.dropFirst()).allSatisfy { $1 > $0 && $1 - $0 <= 6 }, "stride at most 3/4 of a tile: \(axis.starts)")
    }
  }

  @Test func blendingWeightsArePositiveSymmetricAndPeakInTheMiddle() {
    let axis = TileAxis(size: 40, tile: 8)
    let weights = (0..<8).map(axis.weight)
    #expect(weights.allSatisfy { $0 > 0 })
    for i in 0..<4 { #expect(abs(weights[i] - weights[7 - i]) < 1e-6) }
    #expect(weights[3] > weights[1] && weights[1] > weights[0])
  }

  /// A model whose every output is the same constant c: whatever the tiling and the weights,
  /// the blended image must be c everywhere, so the weights are normalised by their sum.
  @Test func aConstantModelGivesTheConstantEverywhere() throws {
    let spec = ModelSpec.dense(inputWidth: 64, widths: [16, 8], inputShape: [8, 8, 1])
    let trained = try Autoencoder(spec: spec, seed: 1)
    trained.parameters.values.update(repeating: 0, count: trained.parameters.count)
    let c: Float = 0.3
    let bias = trained.parameters.values + trained.parameters.count - 64 // the output layer's bias comes last
    bias.update(repeating: logf(c / (1 - c)), count: 64)
    let model = try InferenceModel(trained)
    var random = SeededRandom(seed: 2)
    for (height, width) in [(23, 31), (8, 20), (5, 3)] {
      let image = (0..<height * width).map { _ in random.uniform(0, 1) }
      var out = [Float](repeating: -1, count: image.count)
      try model.denoiseImage(image, height: height, width: width, channels: 1, into: &out)
      #expect(out.allSatisfy { abs($0 - c) < 1e-5 }, "\(height)x\(width): \(out.prefix(5))")
    }
  }

  @Test func anImageOfOneTileComesOutAsReconstructGivesIt() throws {
    for channels in [1, 3] {
      let model = try untrainedModel(channels: channels)
      var random = SeededRandom(seed: 9)
      let image = (0..<64 * channels).map { _ in random.uniform(0, 1) }
      let plain = try model.reconstruct(Tensor(rows: 1, cols: image.count, values: image)).values
      var tiled = [Float](repeating: 0, count: image.count)
      try model.denoiseImage(image, height: 8, width: 8, channels: channels, into: &tiled)
      #expect(tiled == plain, "\(channels) channel(s)")
    }
  }

  /// A 1-channel model takes RGB channel by channel: each channel of the result is that
  /// channel cleaned alone. A 3-channel model refuses a grey image with a message.
  @Test func channelsGoThroughAOneChannelModelOneByOne() throws {
    let model = try untrainedModel()
    var random = SeededRandom(seed: 4)
    let (height, width) = (13, 19)
    let rgb = (0..<height * width * 3).map { _ in random.uniform(0, 1) }
    var together = [Float](repeating: 0, count: rgb.count)
    try model.denoiseImage(rgb, height: height, width: width, channels: 3, into: &together)
    for c in 0..<3 {
      let plane = (0..<height * width).map { rgb[$0 * 3 + c] }
      var alone = [Float](repeating: 0, count: plane.count)
      try model.denoiseImage(plane, height: height, width: width, channels: 1, into: &alone)
      let gap = (0..<plane.count).map { abs(alone[$0] - together[$0 * 3 + c]) }.max()!
      #expect(gap < 1e-5, "channel \(c): \(gap)")
    }
    let colour = try untrainedModel(channels: 3)
    var out = [Float](repeating: 0, count: 100)
    #expect { try colour.denoiseImage([Float](repeating: 0.5, count: 100), height: 10, width: 10, channels: 1, into: &out) } throws: {
      "\($0)".contains("repeat its grey channel three times")
    }
  }

  @Test func badImagesAreRefusedWithAReason() throws {
    let model = try untrainedModel()
    var out = [Float](repeating: 0, count: 100)
    var image = [Float](repeating: 0.5, count: 100)
    image[37] = .nan
    #expect { try model.denoiseImage(image, height: 10, width: 10, channels: 1, into: &out) } throws: {
      ($0 as? InferenceError)?.kind == .nonFinite && "\($0)".contains("row 3, column 7")
    }
    #expect(throws: InferenceError.self) { try model.denoiseImage(image, height: 0, width: 10, channels: 1, into: &out) }
    let known = [UInt8](repeating: 0, count: 100)
    #expect { try model.inpaintImage(image, known: known, height: 10, width: 10, channels: 1, iterations: 3, into: &out) } throws: {
      "\($0)".contains("no pixel as known")
    }
    let table = try InferenceModel(try Autoencoder(spec: ModelSpec.dense(inputWidth: 64, widths: [8])))
    #expect { try table.denoiseImage(image, height: 10, width: 10, channels: 1, into: &out) } throws: {
      ($0 as? InferenceError)?.kind == .unsupported
    }
  }

  /// The trained 8x8 denoiser cleans a noisy 29x37 image (many tiles, edges not on the
  /// stride): its error falls well below the noisy input's.
  @Test func aTrainedDenoiserCleansAnImageBiggerThanItsTile() throws {
    let model = try trainedDenoiser()
    var random = SeededRandom(seed: 77)
    let (height, width) = (29, 37)
    let clean = smoothImage(height: height, width: width, &random)
    let noisyImage = noisy(clean, sigma: 0.2, &random)
    var cleaned = [Float](repeating: 0, count: clean.count)
    try model.denoiseImage(noisyImage, height: height, width: width, channels: 1, into: &cleaned)
    let before = meanSquaredError(noisyImage, clean), after = meanSquaredError(cleaned, clean)
    #expect(after < 0.5 * before, "MSE noisy \(before), denoised \(after)")
  }

  /// Inpainting keeps the known pixels bit for bit and fills the missing ones better than
  /// the mean fill it starts from (iterations 0).
  @Test func inpaintingKeepsKnownPixelsAndBeatsTheMeanFill() throws {
    let model = try trainedDenoiser()
    var random = SeededRandom(seed: 78)
    let (height, width) = (24, 30)
    let clean = smoothImage(height: height, width: width, &random)
    var known = [UInt8](repeating: 1, count: clean.count)
    for y in 8..<15 { for x in 10..<18 { known[y * width + x] = 0 } } // a hole
    for i in known.indices where random.uniform(0, 1) < 0.2 { known[i] = 0 } // and scattered pixels
    var image = clean
    for i in known.indices where known[i] == 0 { image[i] = .nan } // missing pixels may hold anything
    var meanFill = [Float](repeating: 0, count: clean.count), filled = meanFill
    try model.inpaintImage(image, known: known, height: height, width: width, channels: 1, iterations: 0, into: &meanFill)
    try model.inpaintImage(image, known: known, height: height, width: width, channels: 1, iterations: 20, into: &filled)
    #expect(known.indices.allSatisfy { known[$0] == 0 || filled[$0].bitPattern == clean[$0].bitPattern })
    let missing = { (i: Int) in known[i] == 0 }
    let start = meanSquaredError(meanFill, clean, where: missing), end = meanSquaredError(filled, clean, where: missing)
    #expect(end < 0.5 * start, "missing pixels' MSE: mean fill \(start), inpainted \(end)")
  }
}
