/// A model or checkpoint file could not be read or written. The message names the file, the
/// dataset or attribute involved, and what was expected.
public struct StoreError: Error, CustomStringConvertible, Sendable {
  public enum Kind: Sendable {
    /// The file is missing or unreadable.
    case io
    /// Not a model file, corrupt, or inconsistent.
    case format
    /// Written by a newer version of the format.
    case version
    /// The file carries no checksum and the caller asked for verified files only.
    case unverified
  }

  public let kind: Kind
  public let description: String
  public init(_ description: String, kind: Kind = .format) {
    self.kind = kind
    self.description = description
  }
}
