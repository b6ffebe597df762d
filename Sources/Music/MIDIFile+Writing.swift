extension MIDIFile {
  /// The file's bytes: format 0 puts tempo, time signatures and every note in one track;
  /// format 1 puts tempo and time signatures in a first track and each note track after it.
  public func bytes() throws -> [UInt8] {
    guard format == 0 || format == 1 else { throw MusicError("only MIDI formats 0 and 1 can be written, not \(format)") }
    guard (1...0x7FFF).contains(ticksPerQuarter) else {
      throw MusicError("a MIDI file has 1 to 32767 ticks per quarter note, not \(ticksPerQuarter)")
    }
    for note in tracks.joined() {
      guard (0...127).contains(note.pitch), (1...127).contains(note.velocity), (0...15).contains(note.channel),
            note.start >= 0, note.duration >= 0, note.start < 1 << 27, note.duration < 1 << 27 else {
        throw MusicError("a note (pitch \(note.pitch), velocity \(note.velocity), channel \(note.channel), start \(note.start)) cannot be written to MIDI")
      }
    }
    var meta: [(tick: Int, order: Int, bytes: [UInt8])] = []
    for tempo in tempos {
      let value = min(max(tempo.microsecondsPerQuarter, 1), 0xFF_FFFF)
      meta.append((tempo.tick, 0, [0xFF, 0x51, 3, UInt8(value >> 16), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]))
    }
    for signature in timeSignatures {
      let power = UInt8(signature.denominator.trailingZeroBitCount)
      meta.append((signature.tick, 0, [0xFF, 0x58, 4, UInt8(clamping: signature.numerator), power, 24, 8]))
    }
    let noteTracks = tracks.map(Self.events)
    let chunks: [[(tick: Int, order: Int, bytes: [UInt8])]] =
      format == 0 ? [meta + noteTracks.joined()] : [meta] + noteTracks
    var out: [UInt8] = Array("MThd".utf8) + [0, 0, 0, 6, 0, UInt8(format)]
    out += [UInt8(chunks.count >> 8), UInt8(chunks.count & 0xFF), UInt8(ticksPerQuarter >> 8), UInt8(ticksPerQuarter & 0xFF)]
    for chunk in chunks {
      var body: [UInt8] = []
      var tick = 0
      // Stable by tick, then offs before ons, so a note ending where the next starts stays separate.
      for event in chunk.enumerated().sorted(by: { ($0.element.tick, $0.element.order, $0.offset) < ($1.element.tick, $1.element.order, $1.offset) }).map(\.element) {
        body += Self.variableLength(event.tick - tick) + event.bytes
        tick = event.tick
      }
      body += [0, 0xFF, 0x2F, 0]
      out += Array("MTrk".utf8) + [UInt8(body.count >> 24), UInt8(body.count >> 16 & 0xFF), UInt8(body.count >> 8 & 0xFF), UInt8(body.count & 0xFF)]
      out += body
    }
    return out
  }

  /// Each note's on and off event (offs order before ons at the same tick).
  static func events(_ notes: [MIDINote]) -> [(tick: Int, order: Int, bytes: [UInt8])] {
    notes.flatMap { note in
      [(note.start + note.duration, 1, [0x80 | UInt8(note.channel), UInt8(note.pitch), 64]),
       (note.start, 2, [0x90 | UInt8(note.channel), UInt8(note.pitch), UInt8(note.velocity)])]
    }
  }

  /// `value` as a variable-length quantity, big end first.
  static func variableLength(_ value: Int) -> [UInt8] {
    var bytes = [UInt8(value & 0x7F)]
    var rest = value >> 7
    while rest > 0 {
      bytes.insert(UInt8(rest & 0x7F) | 0x80, at: 0)
      rest >>= 7
    }
    return bytes
  }
}
