/// The parameter tensors a spec implies, named as in the model file, computed from the spec
/// alone (no allocation): a loader checks a file's datasets against it before building a
/// model. It is the network plan's account (see `NetworkPlan`), so there is one.
extension ModelSpec {
  /// One parameter tensor: its path in the model file and its shape.
  public struct ParameterEntry: Equatable, Sendable {
    public let path: String
    public let shape: [Int]
  }

  /// Every parameter tensor in storage order: each layer's kernel then bias, encoder first,
  /// then the Gaussian likelihood's log-variances. Kernels are Keras-ordered: dense (in, out),
  /// conv2d (kh, kw, in channels, filters), conv2d_transpose (kh, kw, out channels, in
  /// channels), conv1d (k, in, filters), conv1d_transpose (k, out, in). Empty for a spec
  /// with `problems()`.
  public var parameterLayout: [ParameterEntry] {
    ((try? NetworkPlan(self))?.parameters ?? []).map { ParameterEntry(path: $0.path, shape: $0.shape) }
  }

  /// Where the Gaussian likelihood's log-variances live in the model file.
  public static let logVariancePath = NetworkPlan.logVariancePath
}
