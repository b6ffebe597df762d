/// A sound file that cannot be read or written: missing, unreadable, empty, mislabelled or not
/// a regular file. The message names the file and says what is wrong.
public struct AudioFileError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
