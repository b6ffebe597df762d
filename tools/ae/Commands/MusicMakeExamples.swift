import ArgumentParser
import Foundation
import Models
import Music

/// `ae music make-examples`: generated melodies as MIDI files, data without downloads.
struct MusicMakeExamples: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "make-examples",
    abstract: "Write generated melodies (seeded: one key each, motifs that repeat and move by scale steps) as MIDI files.",
    discussion: "Example: ae music make-examples --out melodies -n 200 --seed 1")

  @Option(help: ArgumentHelp("The folder to write to (made if missing).", valueName: "dir")) var out: String
  @Option(name: .customShort("n"), parsing: .unconditional, help: "Melodies (files), 1...100000.") var count: Int = 200
  @Option(parsing: .unconditional, help: "Bars a melody, 2...64.") var bars: Int = 8
  @Option(parsing: .unconditional, help: "Seed (0...2^64-1).", transform: Seed.parse) var seed: UInt64 = 1
  @Option(parsing: .unconditional, help: "Tempo written to the files, 20...400.") var tempo: Double = 120

  func validate() throws {
    if !(1...100_000).contains(count) { throw ValidationError("-n must be 1...100000 melodies, got \(count)") }
    if !(2...64).contains(bars) { throw ValidationError("--bars must be 2...64, got \(bars)") }
    guard tempo.isFinite, (20...400).contains(tempo) else { throw ValidationError("--tempo must be 20...400 beats a minute, got \(tempo)") }
  }

  func run() throws {
    do {
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    } catch {
      throw CommandError("\(out): cannot make the folder: \(error.localizedDescription)")
    }
    var generator = MelodyGenerator(seed: seed)
    let settings = MelodySettings(bars: bars)
    let digits = String(count).count
    for index in 1...count {
      let notes = MelodyTokens.midiNotes(generator.melody(bars: bars), ticksPerQuarter: 480, settings: settings)
      let file = MIDIFile(format: 1, ticksPerQuarter: 480, tracks: [notes],
                          tempos: [MIDIFile.Tempo(tick: 0, microsecondsPerQuarter: Int((60_000_000 / tempo).rounded()))],
                          timeSignatures: [MIDIFile.TimeSignature(tick: 0, numerator: 4, denominator: 4)])
      let number = String(index)
      try file.write(to: "\(out)/melody-\(String(repeating: "0", count: digits - number.count))\(number).mid")
    }
    print(jsonLine(["folder": out, "files": count, "bars": bars, "seed": String(seed)]))
  }
}
