/// Why an inference call was refused; `kind` maps to a C status.
public struct InferenceError: Error, CustomStringConvertible, Sendable {
  /// `nonFinite`: an input holds NaN or infinity, or a result does not fit in Float (the
  /// call then set every value of its outputs to NaN). `overflow`: a size whose product does
  /// not fit in Int. (Allocations that fail throw `AllocationError`.)
  public enum Kind: Sendable { case invalidArgument, nonFinite, overflow, workspace, unsupported }
  public let kind: Kind
  public let description: String
  public init(_ kind: Kind, _ description: String) { self.kind = kind; self.description = description }
}
