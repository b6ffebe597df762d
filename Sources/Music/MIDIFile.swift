import Tensor

/// One note of a MIDI file, in ticks of the file's division.
public struct MIDINote: Equatable, Sendable {
  public var pitch: Int
  public var velocity: Int
  public var start: Int
  public var duration: Int
  public var channel: Int

  public init(pitch: Int, velocity: Int = 96, start: Int, duration: Int, channel: Int = 0) {
    self.pitch = pitch
    self.velocity = velocity
    self.start = start
    self.duration = duration
    self.channel = channel
  }
}

/// A Standard MIDI File (format 0 or 1, division in ticks per quarter note) reduced to what
/// melodies need: each track's notes, the tempo map and the time signatures. Everything else
/// (controllers, program changes, sysex, other meta events) is read past and not kept.
public struct MIDIFile: Equatable, Sendable {
  public struct Tempo: Equatable, Sendable {
    public var tick: Int
    public var microsecondsPerQuarter: Int
    public init(tick: Int, microsecondsPerQuarter: Int) {
      self.tick = tick
      self.microsecondsPerQuarter = microsecondsPerQuarter
    }
    public var beatsPerMinute: Double { 60_000_000 / Double(microsecondsPerQuarter) }
  }

  public struct TimeSignature: Equatable, Sendable {
    public var tick: Int
    public var numerator: Int
    /// The note value of a beat: 4 for quarters, 8 for eighths.
    public var denominator: Int
    public init(tick: Int, numerator: Int, denominator: Int) {
      self.tick = tick
      self.numerator = numerator
      self.denominator = denominator
    }
  }

  public var format: Int
  public var ticksPerQuarter: Int
  /// Each track's notes, sorted by start then pitch.
  public var tracks: [[MIDINote]]
  public var tempos: [Tempo]
  public var timeSignatures: [TimeSignature]

  public init(format: Int = 1, ticksPerQuarter: Int = 480, tracks: [[MIDINote]], tempos: [Tempo] = [],
              timeSignatures: [TimeSignature] = []) {
    self.format = format
    self.ticksPerQuarter = ticksPerQuarter
    self.tracks = tracks
    self.tempos = tempos
    self.timeSignatures = timeSignatures
  }

  /// Files larger than this are refused: a melody file is kilobytes, and the whole file is read.
  public static let maximumBytes = 64 << 20

  /// Every note of every track, sorted by start then pitch.
  public var notes: [MIDINote] {
    tracks.joined().sorted { ($0.start, $0.pitch) < ($1.start, $1.pitch) }
  }

  /// The first tempo in beats per minute (120 when the file sets none, as the standard says).
  public var beatsPerMinute: Double { tempos.first?.beatsPerMinute ?? 120 }

  /// Read the file at `path`: a regular file of at most `maximumBytes` (a FIFO, device or
  /// folder is refused without opening it for long).
  public static func read(_ path: String) throws -> MIDIFile {
    let bytes: [UInt8]
    do {
      bytes = try RegularFile.read(path, limit: maximumBytes)
    } catch let error as RegularFile.ReadError {
      throw MusicError("\(error.description.replacingOccurrences(of: "at most \(maximumBytes) are read", with: "a MIDI file may have at most 64 MB"))")
    }
    do {
      var parser = MIDIParser(bytes)
      return try parser.parse()
    } catch let error as MusicError {
      throw MusicError("\(path): \(error.description)")
    }
  }

  /// Parse the bytes of a Standard MIDI File.
  public static func parse(_ bytes: [UInt8]) throws -> MIDIFile {
    var parser = MIDIParser(bytes)
    return try parser.parse()
  }

  /// Write the file to `path` (through a temporary file, so a failure leaves no half file).
  public func write(to path: String) throws {
    let data = try bytes()
    try writeAtomically(to: path) { temporary in
      guard let file = fopen(temporary, "wb") else { throw MusicError("\(path): cannot create the file") }
      let written = data.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
      guard fclose(file) == 0, written == data.count else { throw MusicError("\(path): the MIDI file could not be written (disk full?)") }
    }
  }
}

#if canImport(Glibc)
import Glibc
#endif
