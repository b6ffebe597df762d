import ArgumentParser
import Baselines
import Datasets
import Foundation
import Layers
import Models
import Runtime
import Tensor

/// `ae eval`: test-set figures as one JSON line.
struct Eval: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print a model's reconstruction errors on data as one JSON line.",
    discussion: "bce is nats per sample (summed over features), mse is per value; both in the model's scaled units.")

  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup var file: ModelFileOptions
  @OptionGroup var dataOptions: DataOptions
  @OptionGroup var compute: ComputeOptions

  func run() throws {
    try failing {
      compute.apply()
      let (model, _) = try loadModel(modelPath, file)
      let dataset = try dataOptions.load()
      try checkWidth(dataset, model.spec.inputWidth, what: "the model")
      try dataset.checkFinite()
      let e = try model.evaluate(dataset.features, conditions: try labelsFor(model, dataset).map { try model.conditions(labels: $0) })
      try requireFinite([e.objective, e.mse, e.bce ?? 0, e.negativeELBO ?? 0].map { Float($0) }, what: "evaluation")
      if model.spec.isVariational {
        print(jsonLine(["samples": e.samples, "neg_elbo": e.negativeELBO, "reconstruction": e.reconstruction,
                        "kl": e.kl, "bce": e.bce, "mse": e.mse, "objective": e.objective]))
      } else {
        print(jsonLine(["samples": e.samples, "bce": e.bce, "mse": e.mse, "objective": e.objective]))
      }
    }
  }
}

/// What `ae encode`, `ae decode` and `ae reconstruct` share: load, check, compute, write.
struct TableCommand {
  enum Kind { case encode, decode, reconstruct }

  static func run(_ kind: Kind, modelPath: String, file: ModelFileOptions, data: DataOptions, out: String,
                  compute: ComputeOptions) throws {
    try failing {
      compute.apply()
      try checkOutputs(out)
      let (model, _) = try loadModel(modelPath, file)
      let dataset = try data.load()
      let expected = kind == .decode ? model.spec.codeWidth : model.spec.inputWidth
      try checkWidth(dataset, expected, what: kind == .decode ? "the model's code" : "the model's input")
      try dataset.checkFinite()
      let labels = try labelsFor(model, dataset)
      let runtime = try InferenceModel(model)
      let result = switch kind {
      case .encode: try runtime.encode(dataset.features, labels: labels)
      case .decode: try runtime.decode(dataset.features, labels: labels)
      case .reconstruct: try runtime.reconstruct(dataset.features, labels: labels)
      }
      try writeTable(result, to: out)
    }
  }
}

/// `ae encode`: codes for data.
struct Encode: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Write the codes of data rows (.npy or .csv).")
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup var file: ModelFileOptions
  @OptionGroup var dataOptions: DataOptions
  @Option(help: "Output file (.npy or .csv).") var out: String
  @OptionGroup var compute: ComputeOptions

  func run() throws { try TableCommand.run(.encode, modelPath: modelPath, file: file, data: dataOptions, out: out, compute: compute) }
}

/// `ae decode`: reconstructions from codes.
struct Decode: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Write the decoder's output for code rows (.npy or .csv), in the data's units.")
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup var file: ModelFileOptions
  @OptionGroup var dataOptions: DataOptions
  @Option(help: "Output file (.npy or .csv).") var out: String
  @OptionGroup var compute: ComputeOptions

  func run() throws { try TableCommand.run(.decode, modelPath: modelPath, file: file, data: dataOptions, out: out, compute: compute) }
}

/// `ae reconstruct`: encode then decode.
struct Reconstruct: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Write reconstructions of data rows (.npy or .csv), in the data's units.")
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup var file: ModelFileOptions
  @OptionGroup var dataOptions: DataOptions
  @Option(help: "Output file (.npy or .csv).") var out: String
  @OptionGroup var compute: ComputeOptions

  func run() throws { try TableCommand.run(.reconstruct, modelPath: modelPath, file: file, data: dataOptions, out: out, compute: compute) }
}

/// `ae inspect`: what a model file holds.
struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Describe a model file: kind, layers, parameters, scaling, training history.")
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup var file: ModelFileOptions

  func run() throws {
    try failing {
      let (model, history) = try loadModel(modelPath, file)
      let spec = model.spec
      print("model:      \(modelPath)")
      print("kind:       \(spec.kind.rawValue)")
      print("layers:     \(describe(spec))")
      if let shape = spec.inputShape { print("input:      \(spec.inputWidth) values (\(shape.map(String.init).joined(separator: "x")) image)") }
      if spec.isVariational {
        print("latent:     \(spec.codeWidth) (Gaussian posterior from a linear head of \(2 * spec.codeWidth); prior N(0, I); beta \(spec.beta ?? 1))")
      } else {
        print("code:       \(spec.codeWidth) units (\(spec.encoder.last!.activation.rawValue))")
      }
      print("parameters: \(model.parameters.count)")
      for tensor in model.parameterTensors {
        print("  \(tensor.path) \(tensor.shape.map(String.init).joined(separator: "x"))")
      }
      if spec.dropout > 0 { print("dropout:    \(spec.dropout)") }
      if spec.l1Activity > 0 { print("l1 code:    \(spec.l1Activity)") }
      let scaling = model.scaling
      let low = scaling.offset.min() ?? 0, high = scaling.offset.max() ?? 0
      print("scaling:    \(scaling.method.rawValue) (x - offset) * scale; offset \(low)...\(high), scale \(scaling.scale.min() ?? 1)...\(scaling.scale.max() ?? 1)")
      if history.epochs > 0 {
        let seconds = history.seconds.reduce(0, +)
        var line = "history:    \(history.epochs) epochs, loss \(history.loss.first!) -> \(history.loss.last!)"
        if let v = history.validationLoss.last, let best = history.validationLoss.min() {
          line += ", val_loss \(v) (best \(best))"
        }
        print(line + String(format: ", %.1f s", seconds))
      } else {
        print("history:    none")
      }
    }
  }
}

/// `ae pca`: the linear baseline.
struct PCACommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pca",
    abstract: "Fit PCA with k components and print its reconstruction MSE as one JSON line.",
    discussion: "Data is scaled as ae train scales it, so the figures compare with ae eval's mse.")

  @Option(help: "Number of components.") var components: Int = 32
  @Option(help: "Data to measure on (default: fashion-mnist:test for fashion-mnist, else the training data).") var test: String?
  @Option(help: "Input scaling: unit, standard or none.") var scale: Scaling.Method = .unit
  @OptionGroup var dataOptions: DataOptions
  @OptionGroup var compute: ComputeOptions

  func validate() throws {
    if components < 1 { throw ValidationError("--components must be at least 1, got \(components)") }
  }

  func run() throws {
    try failing {
      compute.apply()
      let train = try dataOptions.load()
      try train.checkFinite()
      let testSource = test ?? (dataOptions.data.hasPrefix("fashion-mnist") ? "fashion-mnist:test" : nil)
      let testSet = try testSource.map { try DataSource.load($0) } ?? train
      try checkWidth(testSet, train.features.cols, what: "the PCA fitted on \(train.name)")
      let scaling = Scaling.fit(train.features, method: scale, isByteData: train.isByteData)
      let trainScaled = train.features.copy(), testScaled = testSet.features.copy()
      scaling.apply(to: trainScaled)
      scaling.apply(to: testScaled)
      let start = Date()
      let pca = try PCA(fitting: trainScaled, components: components)
      let seconds = Date().timeIntervalSince(start)
      print(jsonLine(["components": components, "samples": testSet.features.rows, "mse": pca.meanSquaredError(testScaled),
                      "train_mse": pca.meanSquaredError(trainScaled), "fit_seconds": seconds]))
    }
  }
}

/// `ae montage`: a PNG of inputs above their reconstructions, or of a VAE's samples.
struct Montage: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a PNG showing images (top row) above their reconstructions (bottom row).",
    discussion: "With --samples N (a vae), draw N generated images instead, in rows of --count.")
  @Argument(help: "The model file.") var modelPath: String
  @OptionGroup var file: ModelFileOptions
  @OptionGroup var dataOptions: DataOptions
  @Option(help: "Draw this many samples from a vae instead of reconstructions.") var samples: Int?
  @Option(help: "Seed for --samples.") var seed: UInt64 = 1
  @Option(help: "How many images.") var count: Int = 10
  @Option(help: "Image size as HEIGHTxWIDTH (default: from the data or the model).") var shape: String?
  @Option(help: "Draw each pixel as a ZOOM x ZOOM square.") var zoom: Int = 3
  @Option(help: "Output PNG.") var out: String = "reconstructions.png"

  func validate() throws {
    if count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
    if let samples, samples < 1 { throw ValidationError("--samples must be at least 1, got \(samples)") }
    if !(1...100).contains(zoom) { throw ValidationError("--zoom must be in 1...100, got \(zoom)") }
  }

  func run() throws {
    try failing {
      try checkOutputs(out)
      let (model, _) = try loadModel(modelPath, file)
      let dataset = try dataOptions.load().prefix(max(count, 1))
      try checkWidth(dataset, model.spec.inputWidth, what: "the model's input")
      let size: [Int]
      if let shape {
        size = shape.lowercased().split(separator: "x").compactMap { Int($0) }
      } else {
        size = Array((dataset.imageShape ?? model.spec.inputShape ?? []).prefix(2))
      }
      guard size.count == 2, size.allSatisfy({ $0 > 0 }), checkedProduct(size) == model.spec.inputWidth else {
        throw CommandError("cannot draw rows of \(model.spec.inputWidth) values as images: pass --shape HEIGHTxWIDTH")
      }
      // The picture: at most `count` images a row, in rows of reconstructions, samples or classes.
      let runtimeClasses = model.spec.conditionWidth > 0 ? model.spec.classes ?? 0 : 0
      let pictureRows = samples == nil ? 2 : runtimeClasses > 0 ? runtimeClasses : samples! / count + (samples! % count == 0 ? 0 : 1)
      let columns = samples == nil ? dataset.features.rows : runtimeClasses > 0 ? count : min(samples!, count)
      let width = checkedProduct([columns, size[1] * zoom + 2]) ?? Int.max, height = checkedProduct([pictureRows, size[0] * zoom + 2]) ?? Int.max
      guard width <= 100_000, height <= 100_000 else {
        throw CommandError("the picture would be \(width == Int.max ? "too" : String(width)) pixels wide and \(height == Int.max ? "too" : String(height)) high; at most 100000 a side: lower --count, --samples or --zoom")
      }
      if let samples { try checkMemory(rows: runtimeClasses > 0 ? runtimeClasses * count : samples, values: model.spec.inputWidth, copies: 1, what: "--samples \(samples) (images of \(model.spec.inputWidth) values)") }
      let low = min(dataset.features.values.min() ?? 0, 0)
      let high = dataset.isByteData ? 255 : max(dataset.features.values.max() ?? 1, low + 1e-6)
      let runtime = try InferenceModel(model)
      var rows = [dataset.features, try runtime.reconstruct(dataset.features, labels: try labelsFor(model, dataset))]
      if let samples {
        guard runtime.canSample else { throw CommandError("--samples needs a vae; \(modelPath) is a \(model.spec.kind.rawValue) model") }
        let perRow = max(count, 1)
        let workspace = try runtime.makeWorkspace(maxRows: 256)
        if runtime.classCount > 0 {
          // A conditional model: one row per class, the same seed for each.
          rows = try (0..<runtime.classCount).map { label in
            let drawn = Tensor(rows: perRow, cols: model.spec.inputWidth)
            try runtime.sample(rows: perRow, seed: seed, temperature: 1, label: label, into: drawn.data, codes: nil, workspace: workspace)
            return drawn
          }
        } else {
          let drawn = Tensor(rows: max(samples, 1), cols: model.spec.inputWidth)
          try runtime.sample(rows: drawn.rows, seed: seed, temperature: 1, into: drawn.data, codes: nil, workspace: workspace)
          rows = stride(from: 0, to: drawn.rows, by: perRow).map { drawn.slice(rows: $0..<min($0 + perRow, drawn.rows)) }
        }
      }
      try ImageGrid.writePNG(rows: rows, height: size[0], width: size[1], range: low...high, zoom: zoom, to: out)
      FileHandle.standardError.write(Data("wrote \(out)\n".utf8))
    }
  }
}
