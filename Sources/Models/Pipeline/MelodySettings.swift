/// How a melody model's rows were made from notes, stored in its pipeline (transform
/// `melody`, version 1): a phrase of `bars` bars in 16th-note steps, one token per step, each
/// token one-hot over the vocabulary. Tokens (MusicVAE's melody encoding): 0 holds the
/// sounding note, 1 is a rest, 2 + (p - lowestPitch) starts MIDI pitch p. The rows pass through
/// unchanged (the Music module makes them from tokens); each step is one softmax head.
public struct MelodySettings: Codable, Equatable, Sendable {
  public var bars: Int
  public var stepsPerBar: Int
  public var lowestPitch: Int
  public var highestPitch: Int

  public init(bars: Int = 2, stepsPerBar: Int = 16, lowestPitch: Int = 21, highestPitch: Int = 108) {
    self.bars = bars
    self.stepsPerBar = stepsPerBar
    self.lowestPitch = lowestPitch
    self.highestPitch = highestPitch
  }

  public static let hold = 0
  public static let rest = 1

  /// Tokens per step: hold, rest and one per pitch (90 for the piano's 88 keys).
  public var vocabulary: Int { 2 + highestPitch - lowestPitch + 1 }
  public var steps: Int { bars * stepsPerBar }
  /// Values per row on the network's side.
  public var rowWidth: Int { steps * vocabulary }

  /// The token that starts `pitch`, nil outside the range.
  public func token(pitch: Int) -> Int? {
    (lowestPitch...highestPitch).contains(pitch) ? 2 + pitch - lowestPitch : nil
  }

  /// The pitch a token starts, nil for hold and rest.
  public func pitch(token: Int) -> Int? {
    token >= 2 && token < vocabulary ? lowestPitch + token - 2 : nil
  }

  public static let maximumBars = 64

  /// Reasons these settings are unusable (a crafted file may hold anything).
  public func problems() -> [String] {
    var found: [String] = []
    if !(1...Self.maximumBars).contains(bars) { found.append("a phrase has 1 to \(Self.maximumBars) bars, not \(bars)") }
    if !(1...96).contains(stepsPerBar) { found.append("a bar has 1 to 96 steps, not \(stepsPerBar)") }
    if !(0...127).contains(lowestPitch) || !(0...127).contains(highestPitch) || lowestPitch > highestPitch {
      found.append("the pitch range \(lowestPitch)...\(highestPitch) is not within MIDI's 0...127")
    }
    return found
  }
}
