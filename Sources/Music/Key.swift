/// A musical key: a tonic pitch class (0 is C) and a mode.
public struct Key: Equatable, Sendable, CustomStringConvertible {
  public var tonic: Int
  public var minor: Bool

  public init(tonic: Int, minor: Bool) {
    self.tonic = ((tonic % 12) + 12) % 12
    self.minor = minor
  }

  static let names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]

  public var description: String { Self.names[tonic] + (minor ? "m" : "") }

  /// A key from a name such as C, F#, Bb, Am or C#m (m for minor); nil if it is not one.
  public init?(name: String) {
    var text = Substring(name)
    let minor = text.count > 1 && text.hasSuffix("m")
    if minor { text = text.dropLast() }
    guard let letter = text.first.map(String.init)?.uppercased(),
          let base = ["C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11][letter] else { return nil }
    let accidental = text.dropFirst()
    let shift: Int
    switch accidental {
    case "": shift = 0
    case "#": shift = 1
    case "b": shift = -1
    default: return nil
    }
    self.init(tonic: base + shift, minor: minor)
  }

  /// Krumhansl and Kessler's probe-tone ratings of the 12 degrees in major and minor keys.
  static let majorProfile: [Double] = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]
  static let minorProfile: [Double] = [6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]

  /// The key of `notes` by the Krumhansl-Schmuckler algorithm: the key whose profile, rotated
  /// to its tonic, correlates best with the notes' durations per pitch class. `minor` limits
  /// the search to one mode (nil: both). Nil when there are no notes.
  public static func estimate(_ notes: [StepNote], minor: Bool? = nil) -> Key? {
    guard !notes.isEmpty else { return nil }
    var histogram = [Double](repeating: 0, count: 12)
    for note in notes { histogram[((note.pitch % 12) + 12) % 12] += Double(note.steps) }
    var best: (key: Key, score: Double)?
    for mode in minor.map({ [$0] }) ?? [false, true] {
      let profile = mode ? minorProfile : majorProfile
      for tonic in 0..<12 {
        let rotated = (0..<12).map { profile[(($0 - tonic) + 12) % 12] }
        let score = correlation(histogram, rotated)
        if best == nil || score > best!.score { best = (Key(tonic: tonic, minor: mode), score) }
      }
    }
    return best?.key
  }

  /// Pearson's correlation (0 when either side is constant).
  static func correlation(_ a: [Double], _ b: [Double]) -> Double {
    let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for (x, y) in zip(a, b) {
      sab += (x - ma) * (y - mb)
      saa += (x - ma) * (x - ma)
      sbb += (y - mb) * (y - mb)
    }
    return saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : 0
  }

  /// `notes` moved so that their estimated key in this key's mode has this key's tonic: by
  /// the smallest shift (-6...5 semitones), or an octave further when that keeps every pitch
  /// within `range`.
  public func transpose(_ notes: [StepNote], within range: ClosedRange<Int>) -> [StepNote] {
    guard let estimated = Key.estimate(notes, minor: minor) else { return notes }
    var shift = ((tonic - estimated.tonic) % 12 + 12) % 12
    if shift > 5 { shift -= 12 }
    let fits = { (s: Int) in notes.allSatisfy { range.contains($0.pitch + s) } }
    // A line wider than the range fits no shift: its extremes are folded to the range's ends.
    let chosen = [shift, shift + 12, shift - 12].first(where: fits) ?? shift
    return notes.map { StepNote(pitch: min(max($0.pitch + chosen, range.lowerBound), range.upperBound), start: $0.start, steps: $0.steps) }
  }
}
