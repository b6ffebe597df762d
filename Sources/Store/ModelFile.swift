#if canImport(FoundationEssentials)
import FoundationEssentials // JSON and dates without ICU: keeps the embeddable library small
#else
import Foundation
#endif
import Layers
import Models
import Tensor

/// Reads and writes the model file (HDF5), laid out as docs/FORMAT.md describes:
///
///     /                  attrs format, format_version, library_version, kind, spec (JSON), created
///     /encoder/NN_dense/ kernel (in, out) float32, bias (out) float32; attrs units, activation
///     /encoder/NN_conv2d/ kernel (kh, kw, in_channels, filters); NN_conv2d_transpose/ (kh, kw, out, in);
///                        NN_conv1d/ (k, in, filters); NN_conv1d_transpose/ (k, out, in);
///                        attrs kernel_size, stride, padding besides units and activation
///     /decoder/NN_dense/ same
///     /likelihood/gaussian/ log_variance (d) float32, for Gaussian output heads
///     /preprocessing/    the pipeline: attr pipeline (JSON list of {name, version}); the affine
///                        transform's offset (d), scale (d) float32 and attr method
///     /history/          loss, val_loss, seconds float64 (per epoch)
public enum ModelFile {
  /// Written into every file; bump it with a loader that still reads older files.
  /// 2: the pipeline (attr `pipeline`), output heads, condition groups, conv1d and
  /// rectangular kernels. Files of version 1 read as a pipeline of one affine transform.
  public static let formatVersion = 2
  public static let formatName = "autoencoder"

  /// Save `model` to `path` atomically (temporary file, then rename).
  public static func save(_ model: Autoencoder, history: TrainingHistory = TrainingHistory(), to path: String) throws {
    try writeAtomically(to: path) { temporary in
      let file = try HDF5Group.create(file: temporary)
      try write(model, history: history, into: file)
      try file.finish()
      try Integrity.seal(temporary)
    }
  }

  /// Write the model's groups into an open file (checkpoints add their own groups beside them).
  public static func write(_ model: Autoencoder, history: TrainingHistory, into file: HDF5Group) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let spec = String(decoding: try encoder.encode(model.spec), as: UTF8.self)
    try file.setAttribute("format", formatName)
    try file.setAttribute("format_version", formatVersion)
    try file.setAttribute("library_version", AutoencoderVersion.string)
    try file.setAttribute("kind", model.spec.kind.rawValue)
    try file.setAttribute("spec", spec)
    try file.setAttribute("created", Date().formatted(.iso8601))

    var groups: [String: HDF5Group] = [:]
    for part in ["encoder", "decoder"] { groups[part] = try file.createGroup(part) }
    let layers = layerSpecs(model.spec)
    for tensor in model.parameterTensors {
      let pieces = tensor.path.split(separator: "/").map(String.init) // part, layer, name
      let groupPath = pieces[0] + "/" + pieces[1]
      let part = try groups[pieces[0]] ?? file.createGroup(pieces[0]) // e.g. likelihood
      groups[pieces[0]] = part
      if groups[groupPath] == nil {
        let group = try part.createGroup(pieces[1])
        if let layer = layers[groupPath] {
          try group.setAttribute("units", layer.units)
          try group.setAttribute("activation", layer.activation.rawValue)
          for (name, value) in convolutionAttributes(layer) {
            switch value {
            case .number(let number): try group.setAttribute(name, number)
            case .text(let text): try group.setAttribute(name, text)
            }
          }
        }
        groups[groupPath] = group
      }
      try groups[groupPath]?.write(pieces[2], floats: model.parameters.values + tensor.offset, shape: tensor.shape)
    }

    try writePipeline(model.pipeline, into: try file.createGroup("preprocessing"))
    try writeAnomaly(model.anomaly, into: file)

    let saved = try file.createGroup("history")
    try saved.write("loss", doubles: history.loss)
    try saved.write("val_loss", doubles: history.validationLoss)
    try saved.write("seconds", doubles: history.seconds)
  }

  /// Largest model file read (ModelSpec's parameter limit in float32, and room besides).
  public static let maximumFileSize = (1 << 33) + (1 << 30)

  /// The bytes of a file that should be a model file: a regular file (not a FIFO, device or
  /// directory) of at most `maximumFileSize` bytes, read once.
  public static func readBytes(_ path: String) throws -> [UInt8] {
    do {
      return try RegularFile.read(path, limit: maximumFileSize)
    } catch let error as RegularFile.ReadError {
      throw StoreError(error.description, kind: .io)
    }
  }

  /// Load a model file, checking every dataset's shape and type. `verify` false also reads
  /// files without a checksum (see `Integrity`); `history` false skips the training history.
  public static func load(_ path: String, verify: Bool = true, history: Bool = true) throws -> (model: Autoencoder, history: TrainingHistory) {
    let file = try HDF5Group.open(file: path, verify: verify)
    defer { file.close() }
    return try read(from: file, history: history)
  }

  /// Load a model from the bytes of a model file.
  public static func load(image: UnsafeRawBufferPointer, verify: Bool = true, history: Bool = true) throws -> (model: Autoencoder, history: TrainingHistory) {
    let file = try HDF5Group.open(image: image, verify: verify)
    defer { file.close() }
    return try read(from: file, history: history)
  }

  /// Read the model's groups from an open file, as hostile input: the attributes, the spec
  /// and every dataset's shape and type are checked (`ModelFile+Validation`) before the model
  /// is allocated, and its values are checked after they are read.
  public static func read(from file: HDF5Group, history includeHistory: Bool = true) throws -> (model: Autoencoder, history: TrainingHistory) {
    let spec = try readSpec(from: file)
    let model: Autoencoder
    do {
      model = try Autoencoder(spec: spec)
    } catch {
      throw StoreError("\(file.label): \(error)")
    }
    try readParameters(from: file, spec: spec, into: model.parameters.values)
    model.pipeline = try readPipeline(from: file, spec: spec)
    model.anomaly = try readAnomaly(from: file, codeWidth: spec.codeWidth)
    let anomalyProblems = model.anomaly.problems(pipeline: model.pipeline, codeWidth: spec.codeWidth)
    guard anomalyProblems.isEmpty else {
      throw StoreError("\(file.label): the anomaly settings are unusable: " + anomalyProblems.joined(separator: "; "))
    }

    var history = TrainingHistory()
    if includeHistory && file.contains("history") {
      let saved = try file.openGroup("history")
      history.loss = try saved.readDoubles("loss", atMost: maximumEpochs)
      history.validationLoss = try saved.readDoubles("val_loss", atMost: maximumEpochs)
      history.seconds = try saved.readDoubles("seconds", atMost: maximumEpochs)
    }
    return (model, history)
  }

  /// The file's model description, once the root attributes, the spec itself and the file's
  /// layout (every group, attribute and dataset shape the spec implies) have been checked:
  /// nothing is allocated on the spec's word before this returns.
  public static func readSpec(from file: HDF5Group) throws -> ModelSpec {
    guard file.hasAttribute("format"), (try? file.string("format")) == formatName else {
      throw StoreError("\(file.label): not an autoencoder model file (the root has no format=\"\(formatName)\" attribute; was it written by another program?)")
    }
    let version = try file.integer("format_version")
    guard version >= 1 else { throw StoreError("\(file.label): format_version \(version) is not a version of this format") }
    guard version <= formatVersion else {
      throw StoreError("\(file.label): format_version \(version) is newer than this library reads (\(formatVersion)); upgrade autoencoder", kind: .version)
    }
    let specText = try file.string("spec")
    let spec: ModelSpec
    do {
      spec = try JSONDecoder().decode(ModelSpec.self, from: Data(specText.utf8))
    } catch {
      throw StoreError("\(file.label): the 'spec' attribute is not a valid model description: \(error)")
    }
    let problems = spec.problems()
    guard problems.isEmpty else { throw StoreError("\(file.label): invalid model: " + problems.joined(separator: "; ")) }
    try checkStructure(of: file, against: spec)
    return spec
  }

  /// Read every parameter tensor of `spec.parameterLayout`, one after another, into
  /// `values` (room for all of them), checking each one's values.
  public static func readParameters(from file: HDF5Group, spec: ModelSpec, into values: UnsafeMutablePointer<Float>) throws {
    var offset = 0
    for entry in spec.parameterLayout {
      let count = entry.shape.reduce(1, *)
      try file.read(entry.path, into: values + offset, shape: entry.shape)
      try checkParameter(entry.path, values + offset, count: count, in: file)
      offset += count
    }
  }

  /// The layer spec behind each weight group, keyed "encoder/00_dense"; the decoder's last layer
  /// carries the model's output activation.
  static func layerSpecs(_ spec: ModelSpec) -> [String: LayerSpec] {
    var result: [String: LayerSpec] = [:]
    for (part, layers) in [("encoder", spec.encoder), ("decoder", spec.decoder)] {
      for (i, layer) in layers.enumerated() {
        result["\(part)/" + ModelSpec.layerGroupName(index: i, kind: layer.kind)] = layer
      }
    }
    return result
  }
}
