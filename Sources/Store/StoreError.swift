/// A model or checkpoint file could not be read or written. The message names the file, the
/// dataset or attribute involved, and what was expected.
public struct StoreError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
