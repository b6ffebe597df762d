import Tensor

/// What happens to raw rows before the network sees them, and is undone on the way out: an
/// ordered list of named, versioned transforms stored in the model file. Callers in C,
/// Python and the CLI pass raw values; the runtime and training apply the same pipeline.
///
/// Transforms today: `affine` (version 1, `Scaling`). Each keeps a row's width; a transform
/// that changes it (a table schema's one-hot groups, say) widens `networkWidth`.
public struct Pipeline: Equatable, Sendable {
  public enum Transform: Equatable, Sendable {
    /// `x' = (x - offset) * scale` per value.
    case affine(Scaling)

    /// The name stored in the file.
    public var name: String {
      switch self {
      case .affine: "affine"
      }
    }

    /// The version of the transform's definition stored in the file; a reader refuses a
    /// newer one.
    public var version: Int {
      switch self {
      case .affine: 1
      }
    }

    public var width: Int {
      switch self {
      case .affine(let scaling): scaling.offset.count
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
  public static let supportedVersions = ["affine": 1]

  /// The affine scaling, when the pipeline has one.
  public var scaling: Scaling? {
    for case .affine(let scaling) in transforms { return scaling }
    return nil
  }

  /// Reasons this pipeline cannot sit in front of a network of `width` inputs.
  public func problems(networkWidth width: Int) -> [String] {
    transforms.compactMap { $0.width == width ? nil : "the \($0.name) transform works on rows of \($0.width) values, not \(width)" }
  }

  /// Raw rows to the network's values: `rows` rows of `x` into `y` (which may be `x`).
  public func forward(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
    var source = x
    for transform in transforms {
      switch transform {
      case .affine(let scaling): scaling.apply(source, rows: rows, into: y)
      }
      source = UnsafePointer(y)
    }
  }

  /// The network's values back to raw units, in place, last transform first.
  public func inverse(_ values: UnsafeMutablePointer<Float>, rows: Int) {
    for transform in transforms.reversed() {
      switch transform {
      case .affine(let scaling): scaling.invert(values, rows: rows)
      }
    }
  }

  /// Raw rows to a new tensor of the network's values.
  public func forward(_ raw: Tensor) throws -> Tensor {
    guard raw.cols == rawWidth else {
      throw ModelError("the data has \(raw.cols) values per row; the model reads \(rawWidth)")
    }
    let result = Tensor(rows: raw.rows, cols: raw.cols)
    forward(raw.data, rows: raw.rows, into: result.data)
    return result
  }
}
