/// A failure in the melody tools: a MIDI file that cannot be read, a melody that does not fit
/// the model. The message is one sentence for the user.
public struct MusicError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
