import Foundation
import Models

/// The phrases of a folder of MIDI files, for training and evaluation.
public enum MelodyCorpus {
  /// Every .mid and .midi file under `directory` (recursively), sorted by path.
  public static func files(in directory: String) throws -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw MusicError("\(directory) is not a folder; give a folder of .mid or .midi files")
    }
    let root = URL(fileURLWithPath: directory)
    guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
      throw MusicError("\(directory): cannot list the folder")
    }
    var found: [String] = []
    for case let url as URL in walker where ["mid", "midi"].contains(url.pathExtension.lowercased()) {
      found.append(url.path)
    }
    guard !found.isEmpty else { throw MusicError("\(directory) holds no .mid or .midi files") }
    return found.sorted()
  }

  /// The phrases of one file (see `MelodyTokens.phrases`).
  public static func phrases(of path: String, settings: MelodySettings) throws -> [[Int]] {
    let file = try MIDIFile.read(path)
    do {
      return MelodyTokens.phrases(try MelodyTokens.line(file.notes, ticksPerQuarter: file.ticksPerQuarter, settings: settings), settings: settings)
    } catch let error as MusicError {
      throw MusicError("\(path): \(error.description)")
    }
  }

  /// The phrases of every file, in file order; a file that cannot be read stops it with its error.
  public static func phrases(of files: [String], settings: MelodySettings) throws -> [[Int]] {
    try files.flatMap { try phrases(of: $0, settings: settings) }
  }

  /// The first phrase of a file, for interpolation.
  public static func firstPhrase(of path: String, settings: MelodySettings) throws -> [Int] {
    guard let first = try phrases(of: path, settings: settings).first else {
      throw MusicError("\(path) holds no phrase of \(settings.bars) bars that is at most half rests")
    }
    return first
  }

  /// Phrases played one after another to one MIDI file (format 1, one track) at `tempo` BPM,
  /// after moving each into `key` when one is given.
  public static func midi(_ phrases: [[Int]], settings: MelodySettings, tempo: Double, key: Key?) -> MIDIFile {
    let ticksPerQuarter = 480
    var notes: [MIDINote] = []
    for (i, phrase) in phrases.enumerated() {
      notes += MelodyTokens.midiNotes(stepNotes(phrase, settings: settings, key: key), ticksPerQuarter: ticksPerQuarter,
                                      settings: settings, offset: i * settings.steps)
    }
    let tempoValue = Int((60_000_000 / tempo).rounded())
    return MIDIFile(format: 1, ticksPerQuarter: ticksPerQuarter, tracks: [notes],
                    tempos: [MIDIFile.Tempo(tick: 0, microsecondsPerQuarter: tempoValue)],
                    timeSignatures: [MIDIFile.TimeSignature(tick: 0, numerator: 4, denominator: 4)])
  }

  /// Phrases one after another as notes on one step grid, each moved into `key` if given.
  public static func stepNotes(_ phrases: [[Int]], settings: MelodySettings, key: Key?) -> [StepNote] {
    phrases.enumerated().flatMap { i, phrase in
      stepNotes(phrase, settings: settings, key: key).map { StepNote(pitch: $0.pitch, start: $0.start + i * settings.steps, steps: $0.steps) }
    }
  }

  static func stepNotes(_ phrase: [Int], settings: MelodySettings, key: Key?) -> [StepNote] {
    let notes = MelodyTokens.notes(phrase, settings: settings)
    return key?.transpose(notes, within: settings.lowestPitch...settings.highestPitch) ?? notes
  }
}
