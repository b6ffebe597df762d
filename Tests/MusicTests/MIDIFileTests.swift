import Foundation
import Music
import Testing

/// Standard MIDI File reading and writing, and refusing crafted files with a clear error.
@Suite struct MIDIFileTests {
  /// A header chunk: format, track count, division.
  static func header(format: UInt8 = 0, tracks: UInt16 = 1, division: UInt16 = 96) -> [UInt8] {
    Array("MThd".utf8) + [0, 0, 0, 6, 0, format, UInt8(tracks >> 8), UInt8(tracks & 0xFF), UInt8(division >> 8), UInt8(division & 0xFF)]
  }

  static func track(_ body: [UInt8]) -> [UInt8] {
    Array("MTrk".utf8) + [0, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
  }

  static func expectError(_ bytes: [UInt8], mentioning phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
      _ = try MIDIFile.parse(bytes)
      Issue.record("parsed a bad file", sourceLocation: sourceLocation)
    } catch let error as MusicError {
      #expect(error.description.contains(phrase), "\(error)", sourceLocation: sourceLocation)
    } catch {
      Issue.record("not a MusicError: \(error)", sourceLocation: sourceLocation)
    }
  }

  /// Bytes written by hand: running status, a note-on of velocity 0 as an off, a two-byte
  /// delta time, a tempo and a sysex event (skipped) give the two notes and the tempo.
  @Test func handBuiltBytesParseToKnownNotes() throws {
    let body: [UInt8] = [
      0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20, // tempo 500,000 us a quarter (120 BPM)
      0x00, 0xFF, 0x58, 0x04, 0x03, 0x02, 0x18, 0x08, // 3/4
      0x00, 0x90, 0x3C, 0x64, // C4 on, velocity 100
      0x60, 0x3C, 0x00, // 96 ticks later, running status: velocity 0 ends it
      0x00, 0xF0, 0x03, 0x01, 0x02, 0xF7, // sysex, skipped
      0x00, 0x40, 0x50, // running status kept: E4 on, velocity 80
      0x81, 0x40, 0x80, 0x40, 0x00, // 192 ticks later (two-byte delta), a note-off
      0x00, 0xFF, 0x2F, 0x00,
    ]
    let file = try MIDIFile.parse(Self.header() + Self.track(body))
    #expect(file.format == 0 && file.ticksPerQuarter == 96)
    #expect(file.notes == [MIDINote(pitch: 60, velocity: 100, start: 0, duration: 96), MIDINote(pitch: 64, velocity: 80, start: 96, duration: 192)])
    #expect(file.tempos == [MIDIFile.Tempo(tick: 0, microsecondsPerQuarter: 500_000)])
    #expect(abs(file.beatsPerMinute - 120) < 1e-9)
    #expect(file.timeSignatures == [MIDIFile.TimeSignature(tick: 0, numerator: 3, denominator: 4)])
  }

  /// Format 1 writes a tempo track and then each track; format 0 merges them. Both read back
  /// to the same notes, tempo and time signature.
  @Test(arguments: [0, 1]) func roundTrip(format: Int) throws {
    let melody = [MIDINote(pitch: 60, velocity: 90, start: 0, duration: 240), MIDINote(pitch: 62, velocity: 70, start: 240, duration: 120),
                  MIDINote(pitch: 64, velocity: 100, start: 480, duration: 1000)]
    let bass = [MIDINote(pitch: 36, velocity: 60, start: 0, duration: 960, channel: 1), MIDINote(pitch: 36, velocity: 60, start: 960, duration: 960, channel: 1)]
    let file = MIDIFile(format: format, ticksPerQuarter: 240, tracks: [melody, bass],
                        tempos: [MIDIFile.Tempo(tick: 0, microsecondsPerQuarter: 600_000), MIDIFile.Tempo(tick: 960, microsecondsPerQuarter: 400_000)],
                        timeSignatures: [MIDIFile.TimeSignature(tick: 0, numerator: 6, denominator: 8)])
    let path = NSTemporaryDirectory() + "/music-roundtrip-\(UUID().uuidString).mid"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try file.write(to: path)
    let read = try MIDIFile.read(path)
    #expect(read.format == format && read.ticksPerQuarter == 240)
    #expect(read.notes == file.notes)
    #expect(read.tempos == file.tempos && read.timeSignatures == file.timeSignatures)
    if format == 1 { #expect(read.tracks == [[], melody, bass]) }
  }

  @Test func refusesNotMIDI() { Self.expectError(Array("hello, this is text".utf8), mentioning: "not a MIDI file") }

  @Test func refusesSMPTEDivision() { Self.expectError(Self.header(division: 0xE250) + Self.track([0, 0xFF, 0x2F, 0]), mentioning: "SMPTE") }

  @Test func refusesFormat2() { Self.expectError(Self.header(format: 2) + Self.track([0, 0xFF, 0x2F, 0]), mentioning: "format 2") }

  @Test func refusesHugeTrackCount() { Self.expectError(Self.header(format: 1, tracks: 65535) + Self.track([0, 0xFF, 0x2F, 0]), mentioning: "65535 tracks") }

  @Test func refusesChunkLengthBeyondTheFile() {
    Self.expectError(Self.header() + Array("MTrk".utf8) + [0, 0, 1, 0] + [0, 0x90, 0x3C, 0x40], mentioning: "claims 256 bytes")
  }

  @Test func refusesTruncatedTracks() {
    Self.expectError(Self.header(format: 1, tracks: 2) + Self.track([0, 0xFF, 0x2F, 0]) + Array("MTrk".utf8), mentioning: "ends after 1 of its 2 tracks")
    Self.expectError(Self.header() + Self.track([0, 0x90, 0x3C]), mentioning: "ends inside a channel event")
    Self.expectError(Self.header() + Self.track([0x81]), mentioning: "inside a variable-length number")
  }

  @Test func refusesLongVariableLengthNumber() {
    Self.expectError(Self.header() + Self.track([0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x90, 0x3C, 0x40]), mentioning: "longer than 4 bytes")
  }

  @Test func refusesDataByteWithoutStatus() { Self.expectError(Self.header() + Self.track([0, 0x3C, 0x40]), mentioning: "data byte") }

  /// A FIFO, a folder and a file over 64 MB are refused without reading (or waiting).
  @Test func refusesWhatIsNotASmallRegularFile() throws {
    let folder = NSTemporaryDirectory() + "/music-hostile-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let fifo = folder + "/pipe.mid"
    #expect(mkfifo(fifo, 0o600) == 0)
    let big = folder + "/big.mid"
    #expect(FileManager.default.createFile(atPath: big, contents: Data(Self.header() + Self.track([0, 0xFF, 0x2F, 0]))))
    let handle = try #require(FileHandle(forWritingAtPath: big))
    try handle.truncate(atOffset: 65 << 20)
    try handle.close()
    for (path, phrase) in [(fifo, "not a regular file"), (folder, "not a regular file"), (big, "at most 64 MB"), (folder + "/missing.mid", "cannot open")] {
      do {
        _ = try MIDIFile.read(path)
        Issue.record("read \(path)")
      } catch let error as MusicError {
        #expect(error.description.contains(phrase), "\(error)")
      }
    }
  }
}
