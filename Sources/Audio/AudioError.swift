/// A failure in the sound tools: bad settings, a model that is not a timbre model, a signal
/// too short for one frame. The message is one sentence for the user.
public struct AudioError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
