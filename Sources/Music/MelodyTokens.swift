import Models

/// A note of a melody in steps (16th notes under the default settings).
public struct StepNote: Equatable, Sendable {
  public var pitch: Int
  public var start: Int
  public var steps: Int
  public init(pitch: Int, start: Int, steps: Int) {
    self.pitch = pitch
    self.start = start
    self.steps = steps
  }
}

/// Notes to token steps and back (`MelodySettings`: 0 hold, 1 rest, 2... pitch onsets).
public enum MelodyTokens {
  /// MIDI channel 10 (index 9) is percussion: its "pitches" are drums, not a melody.
  static let percussionChannel = 9
  /// The longest melody read, in steps: an hour of 16ths at 240 BPM, far beyond a song.
  public static let maximumSteps = 1 << 20
  /// The most steps all notes may cover together, overlaps counted (64 voices over the longest melody).
  public static let maximumCoveredSteps = 1 << 26

  /// The monophonic line of `notes` as one token per step: notes are quantized to the step
  /// grid (`stepsPerBar` steps a 4/4 bar at `ticksPerQuarter`), and at each step the highest
  /// sounding note wins (the "skyline"). A lower note that is uncovered when a higher one
  /// ends starts again there. Notes outside the pitch range are left out.
  public static func line(_ notes: [MIDINote], ticksPerQuarter: Int, settings: MelodySettings) throws -> [Int] {
    let ticksPerStep = Double(ticksPerQuarter) * 4 / Double(settings.stepsPerBar)
    var quantized: [StepNote] = []
    var covered = 0
    for note in notes where note.channel != percussionChannel && settings.token(pitch: note.pitch) != nil {
      let start = Int((Double(note.start) / ticksPerStep).rounded())
      let end = max(start + 1, Int((Double(note.start + note.duration) / ticksPerStep).rounded()))
      // A tick count in a crafted file can reach 2^28 per event; the steps array must stay small.
      guard end <= maximumSteps else {
        throw MusicError("a note ends after step \(maximumSteps) (\(maximumSteps / settings.stepsPerBar) bars); melodies that long are not read")
      }
      // Choosing the line visits every step of every note: many long overlapping notes
      // (a crafted file) would take hours.
      covered += end - start
      guard covered <= maximumCoveredSteps else {
        throw MusicError("the notes cover more than \(maximumCoveredSteps) steps in all (too many overlapping notes for a melody)")
      }
      quantized.append(StepNote(pitch: note.pitch, start: start, steps: end - start))
    }
    return tokens(quantized, settings: settings)
  }

  /// Tokens for notes already on the step grid (overlaps resolved by the highest pitch).
  public static func tokens(_ notes: [StepNote], settings: MelodySettings) -> [Int] {
    let length = notes.map { $0.start + $0.steps }.max() ?? 0
    // The winning note's index at each step.
    var owner = [Int](repeating: -1, count: length)
    for (index, note) in notes.enumerated() {
      for step in note.start..<(note.start + note.steps) where owner[step] < 0 || notes[owner[step]].pitch < note.pitch {
        owner[step] = index
      }
    }
    return owner.indices.map { step in
      let index = owner[step]
      if index < 0 { return MelodySettings.rest }
      if step > 0 && owner[step - 1] == index { return MelodySettings.hold }
      return settings.token(pitch: notes[index].pitch) ?? MelodySettings.rest
    }
  }

  /// The notes of a token sequence. A hold with nothing sounding (after a rest, or first) is
  /// read as a rest: a model's decoded steps may hold one.
  public static func notes(_ tokens: [Int], settings: MelodySettings) -> [StepNote] {
    var notes: [StepNote] = []
    var sounding = false
    for (step, token) in tokens.enumerated() {
      if let pitch = settings.pitch(token: token) {
        notes.append(StepNote(pitch: pitch, start: step, steps: 1))
        sounding = true
      } else if token == MelodySettings.hold && sounding {
        notes[notes.count - 1].steps += 1
      } else {
        sounding = false
      }
    }
    return notes
  }

  /// The phrases of a piece's tokens: windows of `settings.steps` steps starting at every bar
  /// (so a melody of 8 bars gives 7 two-bar phrases), leaving out windows that are more
  /// than half rests (silence teaches nothing) and a last window that would run past the end.
  ///
  /// A window that starts inside a held note starts that note again on its first step,
  /// rather than with a hold token: a phrase is decoded, played and interpolated on its own,
  /// where a leading hold would hold nothing; so every phrase is self-contained and no window
  /// is lost to it.
  public static func phrases(_ tokens: [Int], settings: MelodySettings) -> [[Int]] {
    var phrases: [[Int]] = []
    var start = 0
    while start + settings.steps <= tokens.count {
      var phrase = Array(tokens[start..<(start + settings.steps)])
      if phrase[0] == MelodySettings.hold {
        var back = start
        while back > 0 && tokens[back] == MelodySettings.hold { back -= 1 }
        phrase[0] = tokens[back] == MelodySettings.hold ? MelodySettings.rest : tokens[back]
      }
      if phrase.filter({ $0 == MelodySettings.rest }).count * 2 <= phrase.count { phrases.append(phrase) }
      start += settings.stepsPerBar
    }
    return phrases
  }

  /// `phrase` moved by `semitones`, or nil when a pitch would leave the range.
  public static func transposed(_ phrase: [Int], by semitones: Int, settings: MelodySettings) -> [Int]? {
    var out = phrase
    for (i, token) in phrase.enumerated() {
      guard let pitch = settings.pitch(token: token) else { continue }
      guard let moved = settings.token(pitch: pitch + semitones) else { return nil }
      out[i] = moved
    }
    return out
  }

  /// Each phrase and its transpositions by -`range`...`range` semitones that stay in range
  /// (the augmentation: a melody's shape does not depend on its key).
  public static func augmented(_ phrases: [[Int]], range: Int, settings: MelodySettings) -> [[Int]] {
    phrases.flatMap { phrase in
      (-range...range).compactMap { transposed(phrase, by: $0, settings: settings) }
    }
  }

  /// Notes on the step grid to MIDI notes at `ticksPerQuarter`, the first at `offset` steps.
  public static func midiNotes(_ notes: [StepNote], ticksPerQuarter: Int, settings: MelodySettings,
                               offset: Int = 0, velocity: Int = 96) -> [MIDINote] {
    let ticksPerStep = Double(ticksPerQuarter) * 4 / Double(settings.stepsPerBar)
    return notes.map { note in
      let start = Int((Double(note.start + offset) * ticksPerStep).rounded())
      let end = Int((Double(note.start + offset + note.steps) * ticksPerStep).rounded())
      return MIDINote(pitch: note.pitch, velocity: velocity, start: start, duration: end - start)
    }
  }
}
