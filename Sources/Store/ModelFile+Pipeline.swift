#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Layers
import Models

/// The pipeline's place in the model file: the `/preprocessing` group. Its `pipeline`
/// attribute lists the transforms in order as JSON ([{"name": "affine", "version": 1}]); the
/// affine transform's values are the group's `offset` and `scale` datasets and its `method`
/// attribute, where format 1 kept them, so h5py readers of format 1 read them unchanged.
/// A file of format 1 has no `pipeline` attribute: its pipeline is the affine transform.
/// A table model's transform is `table`: the group's `table` attribute holds its
/// `TableSchema` as JSON (columns, kinds, categories, modes or quantile knots). A timbre
/// model's pipeline is `spectrogram` then `affine` (the `spectrogram` attribute holds its
/// `SpectrogramSettings` as JSON, the affine values are stored as ever); a melody model's is
/// `melody` alone (the `melody` attribute holds its `MelodySettings`).
extension ModelFile {
  struct StoredTransform: Codable, Equatable {
    var name: String
    var version: Int
  }

  static func writePipeline(_ pipeline: Pipeline, into group: HDF5Group) throws {
    let list = pipeline.transforms.map { StoredTransform(name: $0.name, version: $0.version) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    try group.setAttribute("pipeline", String(decoding: try encoder.encode(list), as: UTF8.self))
    for transform in pipeline.transforms {
      switch transform {
      case .affine(let scaling):
        try group.setAttribute("method", scaling.method.rawValue)
        try group.write("offset", floats: scaling.offset)
        try group.write("scale", floats: scaling.scale)
      case .table(let schema):
        try group.setAttribute("table", String(decoding: try encoder.encode(schema), as: UTF8.self))
      case .spectrogram(let settings):
        try group.setAttribute("spectrogram", String(decoding: try encoder.encode(settings), as: UTF8.self))
      case .melody(let settings):
        try group.setAttribute("melody", String(decoding: try encoder.encode(settings), as: UTF8.self))
      }
    }
  }

  /// The stored pipeline, checked: known transforms of versions this library reads, with
  /// values within bounds, on rows of the spec's input width.
  public static func readPipeline(from file: HDF5Group, spec: ModelSpec) throws -> Pipeline {
    let group = try file.openGroup("preprocessing")
    let list = try storedTransforms(in: group)
    let shapes = [["affine"], ["table"], ["spectrogram", "affine"], ["melody"]]
    guard shapes.contains(list.map(\.name)) || list.count == 1 else {
      throw StoreError("\(group.label): the pipeline lists \(list.map(\.name).joined(separator: ", ")); this library reads "
        + shapes.map { $0.joined(separator: " then ") }.joined(separator: "; "))
    }
    var transforms: [Pipeline.Transform] = []
    for stored in list {
      guard let supported = Pipeline.supportedVersions[stored.name] else {
        throw StoreError("\(group.label): unknown pipeline transform '\(stored.name)' (known: \(Pipeline.supportedVersions.keys.sorted().joined(separator: ", "))); upgrade autoencoder", kind: .version)
      }
      guard (1...supported).contains(stored.version) else {
        throw StoreError("\(group.label): transform '\(stored.name)' version \(stored.version) is not one this library reads (1...\(supported)); upgrade autoencoder", kind: .version)
      }
      switch stored.name {
      case "table": transforms.append(.table(try readTableSchema(from: group, width: spec.inputWidth)))
      case "spectrogram":
        let settings = try readSettings(SpectrogramSettings.self, "spectrogram", from: group, problems: { $0.problems() })
        guard settings.rowWidth == spec.inputWidth else {
          throw StoreError("\(group.label): the spectrogram settings make rows of \(settings.rowWidth) values; the network reads \(spec.inputWidth)")
        }
        transforms.append(.spectrogram(settings))
      case "melody":
        let settings = try readSettings(MelodySettings.self, "melody", from: group, problems: { $0.problems() })
        guard settings.rowWidth == spec.inputWidth else {
          throw StoreError("\(group.label): the melody settings make rows of \(settings.rowWidth) values; the network reads \(spec.inputWidth)")
        }
        transforms.append(.melody(settings))
      default: transforms.append(.affine(try readScaling(from: group, width: spec.inputWidth)))
      }
    }
    return Pipeline(transforms)
  }

  /// The transforms the `pipeline` attribute lists (format 1: the affine transform).
  static func storedTransforms(in group: HDF5Group) throws -> [StoredTransform] {
    guard group.hasAttribute("pipeline") else { return [StoredTransform(name: "affine", version: 1)] }
    let text = try group.string("pipeline")
    guard let decoded = try? JSONDecoder().decode([StoredTransform].self, from: Data(text.utf8)) else {
      throw StoreError("\(group.label): the 'pipeline' attribute is not a list of {name, version}")
    }
    return decoded
  }

  /// The table transform's schema, checked: sound on its own, and as wide as the network.
  static func readTableSchema(from group: HDF5Group, width: Int) throws -> TableSchema {
    let text = try group.string("table")
    let schema: TableSchema
    do { schema = try JSONDecoder().decode(TableSchema.self, from: Data(text.utf8)) } catch {
      throw StoreError("\(group.label): the 'table' attribute is not a table schema (\(error))")
    }
    let problems = schema.problems()
    guard problems.isEmpty else {
      throw StoreError("\(group.label): the table schema is unusable: " + problems.prefix(5).joined(separator: "; "))
    }
    guard schema.networkWidth == width else {
      throw StoreError("\(group.label): the table schema makes rows of \(schema.networkWidth) values; the network reads \(width)")
    }
    return schema
  }

  /// A transform's settings stored as a JSON attribute, checked with `problems`.
  static func readSettings<Settings: Decodable>(_ type: Settings.Type, _ name: String, from group: HDF5Group,
                                                problems: (Settings) -> [String]) throws -> Settings {
    let text = try group.string(name)
    let settings: Settings
    do { settings = try JSONDecoder().decode(Settings.self, from: Data(text.utf8)) } catch {
      throw StoreError("\(group.label): the '\(name)' attribute is not \(name) settings (\(error))")
    }
    let found = problems(settings)
    guard found.isEmpty else {
      throw StoreError("\(group.label): the \(name) settings are unusable: " + found.prefix(5).joined(separator: "; "))
    }
    return settings
  }

  /// The affine transform's values, checked.
  static func readScaling(from group: HDF5Group, width: Int) throws -> Scaling {
    let methodName = try group.string("method")
    guard let method = Scaling.Method(rawValue: methodName) else {
      throw StoreError("\(group.label): unknown scaling method '\(methodName)'")
    }
    let scaling = Scaling(method: method, offset: try group.readFloats("offset", count: width),
                          scale: try group.readFloats("scale", count: width))
    try checkScaling(scaling, in: group)
    return scaling
  }

  /// An attribute value of a layer group: a number, or "HxW" for a rectangular pair.
  enum AttributeValue: Equatable {
    case number(Int)
    case text(String)
  }

  /// A convolution's kernel_size, stride and padding attributes: one number for a square
  /// pair or a 1-D layer (its time value), "HxW" for a rectangular pair, "top,left,bottom,right"
  /// for a padding whose sides differ; none for dense.
  static func convolutionAttributes(_ layer: LayerSpec) -> [(String, AttributeValue)] {
    guard let kernel = layer.kernel, let stride = layer.stride, let padding = layer.padding else { return [] }
    let temporal = layer.kind == .conv1d || layer.kind == .conv1dTranspose
    func value(_ pair: [Int]) -> AttributeValue {
      if pair.count == 4 { return .text(pair.map(String.init).joined(separator: ",")) }
      guard pair.count == 2 else { return .text(pair.map(String.init).joined(separator: "x")) }
      if temporal { return .number(pair[1]) }
      return pair[0] == pair[1] ? .number(pair[0]) : .text("\(pair[0])x\(pair[1])")
    }
    return [("kernel_size", value(kernel)), ("stride", value(stride)), ("padding", value(padding))]
  }
}
