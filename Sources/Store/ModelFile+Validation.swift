import CShims
import Layers
import Models

/// The checks a model file must pass beyond being well-formed HDF5 (the links and storage
/// are audited when the file is opened, see `HDF5Group.open(image:)`): its layout must be
/// exactly what its spec implies, its attributes must agree with the spec, and its values
/// must be finite and within bounds no trained model comes near. Each refusal names the
/// dataset or attribute and what was expected.
extension ModelFile {
  /// Largest magnitude of a weight or bias: far above what training produces (trained
  /// weights are O(1) to O(100)), far below what would overflow float32 in a layer.
  public static let weightLimit: Float = 1e6
  /// Bounds of a Gaussian likelihood's log-variance: variances from e^-50 to e^50.
  public static let logVarianceLimit: Float = 50
  /// Bounds of the input scaling: |offset| at most 1e30, |scale| in [1e-30, 1e30], and
  /// |offset * scale| (the scaled value of a raw 0) at most 1e18.
  public static let offsetLimit: Float = 1e30
  public static let scaleRange: ClosedRange<Float> = 1e-30...1e30
  public static let scaledOffsetLimit: Double = 1e18
  /// Most epochs of training history read.
  public static let maximumEpochs = 1_000_000

  /// Before anything is allocated: the root's `kind`, the groups the spec names (and no
  /// others inside encoder, decoder and likelihood), each layer group's attributes, and the
  /// shape and type of every parameter dataset.
  static func checkStructure(of file: HDF5Group, against spec: ModelSpec) throws {
    let kind = try file.string("kind")
    guard kind == spec.kind.rawValue else {
      throw StoreError("\(file.label): the root attribute kind is '\(kind)' but the spec describes a \(spec.kind.rawValue) model")
    }
    let layers = layerSpecs(spec)
    for (part, count) in [("encoder", spec.encoder.count), ("decoder", spec.decoder.count)] {
      let group = try file.openGroup(part)
      try expectMembers(group, count, "\(count) layer groups")
    }
    if spec.hasGaussianLikelihood {
      try expectMembers(try file.openGroup("likelihood"), 1, "one group, gaussian")
      try expectMembers(try file.openGroup("likelihood/gaussian"), 1, "one dataset, log_variance")
    } else if file.contains("likelihood") {
      throw StoreError("\(file.label): a 'likelihood' group belongs to models with a gaussian output head; this one has none")
    }
    for (path, layer) in layers {
      let group = try file.openGroup(path)
      try expectMembers(group, 2, "two datasets, kernel and bias")
      try expectAttribute(group, "units", layer.units)
      let activation = try group.string("activation")
      guard activation == layer.activation.rawValue else {
        throw StoreError("\(group.label): attribute activation is '\(activation)' but the spec says '\(layer.activation.rawValue)'")
      }
      for (name, value) in convolutionAttributes(layer) {
        switch value {
        case .number(let number): try expectAttribute(group, name, number)
        case .text(let text):
          guard (try? group.string(name)) == text else {
            throw StoreError("\(group.label): attribute \(name) must be '\(text)' as the spec says")
          }
        }
      }
    }
    let preprocessing = try file.openGroup("preprocessing")
    let names = try storedTransforms(in: preprocessing).map(\.name)
    if names == ["table"] || names == ["melody"] {
      try expectMembers(preprocessing, 0, "no datasets (a \(names[0]) model's pipeline is its '\(names[0])' attribute)")
    } else {
      try expectMembers(preprocessing, 2, "two datasets, offset and scale")
    }
    for entry in spec.parameterLayout {
      let (type, shape) = try file.info(entry.path)
      guard type == AEH5_FLOAT32, shape == entry.shape else {
        throw StoreError("\(file.label): dataset '\(entry.path)' holds \(HDF5Group.describe(type)) of shape \(HDF5Group.describe(shape)); the spec implies float32 of shape \(HDF5Group.describe(entry.shape))")
      }
    }
  }

  /// A parameter tensor's values, just read: finite and within bounds.
  static func checkParameter(_ path: String, _ values: UnsafePointer<Float>, count: Int, in file: HDF5Group) throws {
    let limit = path == ModelSpec.logVariancePath ? logVarianceLimit : weightLimit
    for i in 0..<count where !(abs(values[i]) <= limit) {
      throw StoreError("\(file.label): dataset '\(path)' holds \(values[i]) at index \(i); values must be finite and within +-\(limit)")
    }
  }

  /// The input scaling: finite offsets and scales within bounds, and the identity for `none`.
  static func checkScaling(_ scaling: Scaling, in group: HDF5Group) throws {
    for (j, offset) in scaling.offset.enumerated() where !(abs(offset) <= offsetLimit) {
      throw StoreError("\(group.label): offset[\(j)] is \(offset); it must be finite and within +-\(offsetLimit)")
    }
    for (j, scale) in scaling.scale.enumerated() where !scaleRange.contains(abs(scale)) {
      throw StoreError("\(group.label): scale[\(j)] is \(scale); its magnitude must be within \(scaleRange.lowerBound)...\(scaleRange.upperBound)")
    }
    for j in 0..<scaling.offset.count where abs(Double(scaling.offset[j]) * Double(scaling.scale[j])) > scaledOffsetLimit {
      throw StoreError("\(group.label): offset[\(j)] \(scaling.offset[j]) times scale[\(j)] \(scaling.scale[j]) exceeds \(scaledOffsetLimit) (a raw 0 would scale beyond any trained range)")
    }
    if scaling.method == .none && (scaling.offset.contains { $0 != 0 } || scaling.scale.contains { $0 != 1 }) {
      throw StoreError("\(group.label): method is 'none' but the offsets and scales are not 0 and 1")
    }
  }

  private static func expectMembers(_ group: HDF5Group, _ count: Int, _ what: String) throws {
    let found = try group.memberCount()
    guard found == count else {
      throw StoreError("\(group.label): holds \(found) members; the spec implies \(what)")
    }
  }

  private static func expectAttribute(_ group: HDF5Group, _ name: String, _ expected: Int) throws {
    let stored = try group.integer(name)
    guard stored == expected else {
      throw StoreError("\(group.label): attribute \(name) is \(stored) but the spec says \(expected)")
    }
  }
}
