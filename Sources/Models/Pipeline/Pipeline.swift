import Tensor

/// What happens to raw rows before the network sees them, and is undone on the way out: an
/// ordered list of named, versioned transforms stored in the model file. Callers in C,
/// Python and the CLI pass raw values; the runtime and training apply the same pipeline.
///
/// Transforms today: `affine` (version 1, `Scaling`), which keeps a row's width; `table`
/// (version 1, `TableSchema`), which turns a table row (one value per column) into the
/// network's wider row and stands alone: a table model's rows go through `TableSchema`'s
/// `encode` and `sampleRow`, not through `forward` and `inverse`; and two that record how rows
/// were made and leave them as they are: `spectrogram` (`SpectrogramSettings`, first, before
/// an affine transform: a timbre model's frames) and `melody` (`MelodySettings`, alone: a
/// melody model's one-hot token steps).
public struct Pipeline: Equatable, Sendable {
  public enum Transform: Equatable, Sendable {
    /// `x' = (x - offset) * scale` per value.
    case affine(Scaling)
    /// A table's columns to one-hot groups and values, and back (see `TableSchema`).
    case table(TableSchema)
    /// How frames were made from sound (see `SpectrogramSettings`); rows pass unchanged.
    /// Boxed: inline, these settings (two strings among them) would make every transform as
    /// large, and valgrind then saw the tag checks of an `affine` value read the payload bytes
    /// that case leaves uninitialised (the C tests' memcheck).
    indirect case spectrogram(SpectrogramSettings)
    /// How token steps were made from notes (see `MelodySettings`); rows pass unchanged.
    case melody(MelodySettings)

    /// The name stored in the file.
    public var name: String {
      switch self {
      case .affine: "affine"
      case .table: "table"
      case .spectrogram: "spectrogram"
      case .melody: "melody"
      }
    }

    /// The version of the transform's definition stored in the file; a reader refuses a
    /// newer one.
    public var version: Int {
      switch self {
      case .affine, .table, .melody: 1
      case .spectrogram(let settings): settings.formatVersion
      }
    }

    public var width: Int {
      switch self {
      case .affine(let scaling): scaling.offset.count
      case .table(let schema): schema.rawWidth
      case .spectrogram(let settings): settings.rowWidth
      case .melody(let settings): settings.rowWidth
      }
    }

    /// Values per row on the network's side.
    public var networkWidth: Int {
      switch self {
      case .affine(let scaling): scaling.offset.count
      case .table(let schema): schema.networkWidth
      case .spectrogram(let settings): settings.rowWidth
      case .melody(let settings): settings.rowWidth
      }
    }
  }

  public let transforms: [Transform]

  /// At least one transform (the identity is an affine transform of method `none`).
  public init(_ transforms: [Transform]) {
    precondition(!transforms.isEmpty, "a pipeline holds at least one transform")
    self.transforms = transforms
  }

  /// Values per raw row.
  public var rawWidth: Int { transforms[0].width }

  /// No change to rows of `width` values (an `affine` transform of method `none`, as files
  /// always carry one).
  public static func identity(width: Int) -> Pipeline { Pipeline([.affine(.identity(width: width))]) }

  /// The versions of each transform this library reads.
  public static let supportedVersions = ["affine": 1, "table": 1, "spectrogram": 2, "melody": 1]

  /// The affine scaling, when the pipeline has one.
  public var scaling: Scaling? {
    for case .affine(let scaling) in transforms { return scaling }
    return nil
  }

  /// The table schema, when this is a table model's pipeline.
  public var table: TableSchema? {
    for case .table(let schema) in transforms { return schema }
    return nil
  }

  /// How a timbre model's frames were made, when this is one.
  public var spectrogram: SpectrogramSettings? {
    for case .spectrogram(let settings) in transforms { return settings }
    return nil
  }

  /// How a melody model's steps were made, when this is one.
  public var melody: MelodySettings? {
    for case .melody(let settings) in transforms { return settings }
    return nil
  }

  /// Reasons this pipeline cannot sit in front of a network of `width` inputs.
  public func problems(networkWidth width: Int) -> [String] {
    if table != nil && transforms.count > 1 { return ["a table transform stands alone in a pipeline"] }
    if melody != nil && transforms.count > 1 { return ["a melody transform stands alone in a pipeline"] }
    if let index = transforms.firstIndex(where: { $0.name == "spectrogram" }) {
      if index != 0 || transforms.count != 2 || scaling == nil {
        return ["a spectrogram transform comes first, followed by one affine transform"]
      }
    }
    return transforms.compactMap {
      $0.networkWidth == width ? nil : "the \($0.name) transform makes rows of \($0.networkWidth) values, not \(width)"
    }
  }

  /// Raw rows to the network's values: `rows` rows of `x` into `y` (which may be `x`).
  public func forward(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
    var source = x
    for transform in transforms {
      switch transform {
      case .affine(let scaling): scaling.apply(source, rows: rows, into: y)
      case .table: preconditionFailure("table rows are encoded by TableSchema.encode")
      case .spectrogram, .melody:
        if source != UnsafePointer(y) { y.update(from: source, count: rows * transform.width) }
      }
      source = UnsafePointer(y)
    }
  }

  /// The network's values back to raw units, in place, last transform first.
  public func inverse(_ values: UnsafeMutablePointer<Float>, rows: Int) {
    for transform in transforms.reversed() {
      switch transform {
      case .affine(let scaling): scaling.invert(values, rows: rows)
      case .table: preconditionFailure("table rows are sampled by TableSchema.sampleRow")
      case .spectrogram, .melody: break
      }
    }
  }

  /// Raw rows to a new tensor of the network's values.
  public func forward(_ raw: Tensor) throws -> Tensor {
    guard table == nil else { throw ModelError("a table model's rows are encoded from the table (TableSchema.encode)") }
    guard raw.cols == rawWidth else {
      throw ModelError("the data has \(raw.cols) values per row; the model reads \(rawWidth)")
    }
    let result = Tensor(rows: raw.rows, cols: raw.cols)
    forward(raw.data, rows: raw.rows, into: result.data)
    return result
  }
}
