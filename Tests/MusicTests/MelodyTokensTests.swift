import Models
import Music
import Testing

/// Notes to tokens and back, phrases, transposition, the generator and key estimation.
@Suite struct MelodyTokensTests {
  let settings = MelodySettings(bars: 2)
  var hold: Int { MelodySettings.hold }
  var rest: Int { MelodySettings.rest }
  func t(_ pitch: Int) -> Int { settings.token(pitch: pitch)! }

  /// Generated melodies: tokens -> notes -> tokens is exact, and notes -> tokens -> notes too.
  @Test func tokenRoundTrip() throws {
    var generator = MelodyGenerator(seed: 5)
    for _ in 0..<20 {
      let notes = generator.melody(bars: 8)
      let tokens = MelodyTokens.tokens(notes, settings: settings)
      #expect(MelodyTokens.notes(tokens, settings: settings) == notes)
      #expect(MelodyTokens.tokens(MelodyTokens.notes(tokens, settings: settings), settings: settings) == tokens)
    }
  }

  /// MIDI notes at 480 ticks a quarter, slightly off the grid and overlapping: quantized to
  /// 16ths, the highest sounding note wins, and a lower note still held starts again when
  /// the higher one ends. Drums (channel 10) are left out.
  @Test func skylineOfQuantizedNotes() throws {
    let notes = [
      MIDINote(pitch: 60, start: 5, duration: 950), // C4 for 8 steps (rounded from 0.04 and 7.96)
      MIDINote(pitch: 67, start: 242, duration: 238), // G4 steps 2-3, over the C
      MIDINote(pitch: 62, start: 1440, duration: 120), // D4 at step 12
      MIDINote(pitch: 80, start: 0, duration: 1920, channel: 9), // a drum
    ]
    let tokens = try MelodyTokens.line(notes, ticksPerQuarter: 480, settings: settings)
    #expect(tokens == [t(60), hold, t(67), hold, t(60), hold, hold, hold, rest, rest, rest, rest, t(62)])
  }

  /// A crafted file's notes cannot make the line's arrays or work explode: a note ending
  /// beyond 2^20 steps, or thousands of long overlapping notes, is an error.
  @Test func refusesMelodiesTooLongToRead() {
    #expect(throws: MusicError.self) { try MelodyTokens.line([MIDINote(pitch: 60, start: 0, duration: 1 << 27)], ticksPerQuarter: 96, settings: settings) }
    let stacked = (0..<100).map { MIDINote(pitch: 40 + $0 % 40, start: 0, duration: 96 * 200_000) }
    #expect(throws: MusicError.self) { try MelodyTokens.line(stacked, ticksPerQuarter: 96, settings: settings) }
  }

  /// Phrases start at every bar; one starting inside a note starts it again; one that is
  /// mostly rests is left out.
  @Test func phrasesAreSelfContained() {
    let two = MelodySettings(bars: 1, stepsPerBar: 4)
    let tokens = [t(60), hold, hold, hold, hold, hold, t(62), rest, rest, rest, rest, t(64)]
    let phrases = MelodyTokens.phrases(tokens, settings: two)
    #expect(phrases == [[t(60), hold, hold, hold], [t(60), hold, t(62), rest]])
  }

  @Test func transpositionStaysInRange() {
    let phrase = [t(105), hold, t(100), rest]
    #expect(MelodyTokens.transposed(phrase, by: 3, settings: settings) == [t(108), hold, t(103), rest])
    #expect(MelodyTokens.transposed(phrase, by: 4, settings: settings) == nil)
    // -5...5 gives 11 shifts, of which +4 and +5 leave the range.
    #expect(MelodyTokens.augmented([phrase], range: 5, settings: settings).count == 9)
  }

  /// The generator is seeded and uses several pitches and rhythms, not noise: the same seed
  /// gives the same melody, and most moves are scale steps.
  @Test func generatorIsSeededAndStepwise() {
    var a = MelodyGenerator(seed: 9), b = MelodyGenerator(seed: 9), c = MelodyGenerator(seed: 10)
    let melody = a.melody(bars: 8)
    #expect(melody == b.melody(bars: 8))
    #expect(melody != c.melody(bars: 8))
    #expect(melody.last!.start + melody.last!.steps == 8 * 16)
    let moves = zip(melody, melody.dropFirst()).map { abs($1.pitch - $0.pitch) }
    #expect(Double(moves.filter { $0 <= 4 }.count) / Double(moves.count) > 0.7)
    #expect(Set(melody.map(\.steps)).count >= 2)
  }

  /// Krumhansl-Schmuckler: a C major scale is C major, an A minor arpeggio line is A minor,
  /// and --key G moves a C melody up 7 semitones less an octave (-5).
  @Test func keyEstimation() {
    let cMajor = [60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60].enumerated().map { StepNote(pitch: $1, start: 4 * $0, steps: $1 % 12 == 0 ? 8 : 4) }
    #expect(Key.estimate(cMajor) == Key(tonic: 0, minor: false))
    let aMinor = [57, 60, 64, 69, 68, 69, 64, 60, 57, 59, 57].enumerated().map { StepNote(pitch: $1, start: 4 * $0, steps: $1 % 12 == 9 ? 8 : 4) }
    #expect(Key.estimate(aMinor) == Key(tonic: 9, minor: true))
    #expect(Key(name: "G")!.transpose(cMajor, within: 21...108).map(\.pitch) == cMajor.map { $0.pitch - 5 })
    #expect(Key(name: "Bbm") == Key(tonic: 10, minor: true) && Key(name: "F#") == Key(tonic: 6, minor: false))
    #expect(Key(name: "H") == nil && Key(name: "Cx") == nil)
  }
}
