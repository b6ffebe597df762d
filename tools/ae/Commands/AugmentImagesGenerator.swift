import Runtime
import Tensor

/// The two ways `ae augment images` makes a class's images: decoded draws from the prior, or
/// real images' codes moved by Gaussian noise and decoded. Each class has its own random
/// stream of the seed, so its images do not depend on the other classes asked for.
struct ImageGenerator {
  let model: InferenceModel
  let perClass: Int
  let seed: UInt64
  let workspace: Workspace

  init(model: InferenceModel, perClass: Int, seed: UInt64) throws {
    self.model = model
    self.perClass = perClass
    self.seed = seed
    workspace = try model.makeWorkspace(maxRows: min(perClass, 256)) // more rows run in passes
  }

  /// The seed of `label`'s own stream.
  func classSeed(_ label: Int) -> UInt64 {
    var random = SeededRandom(seed: seed, stream: UInt64(label))
    return random.next()
  }

  /// `perClass` images of class `label` decoded from codes drawn from N(0, I).
  func sample(label: Int, into x: UnsafeMutablePointer<Float>) throws {
    try model.sample(rows: perClass, seed: classSeed(label), temperature: 1, label: label, into: x, codes: nil, workspace: workspace)
  }

  /// `perClass` images of class `label`: the rows `sources` of `features` in turn, encoded
  /// (the posterior mean), moved by N(0, sd^2 I) noise, and decoded with the same label.
  func perturb(_ features: Tensor, rows sources: [Int], label: Int, sd: Float, into x: UnsafeMutablePointer<Float>) throws {
    let originals = Tensor(rows: perClass, cols: features.cols)
    originals.gather(rows: (0..<perClass).map { sources[$0 % sources.count] }[...], from: features)
    let labels = [Int32](repeating: Int32(label), count: perClass)
    let codes = Tensor(rows: perClass, cols: model.codeWidth)
    try labels.withUnsafeBufferPointer { labels in
      try model.encode(originals.data, rows: perClass, labels: labels.baseAddress, into: codes.data, workspace: workspace)
      var random = SeededRandom(seed: classSeed(label))
      for i in 0..<codes.count { codes.data[i] += sd * random.gaussian() }
      try model.decode(codes.data, rows: perClass, labels: labels.baseAddress, into: x, workspace: workspace)
    }
  }
}
