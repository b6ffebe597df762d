/// A table that cannot be modelled, compared or written as asked, in words a user can act on.
public struct TabularError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
