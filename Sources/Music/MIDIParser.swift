/// Reads the bytes of a Standard MIDI File. Every read is bounds-checked: a crafted file
/// (truncated chunks, lengths beyond the end, overlong numbers) gives a `MusicError`.
struct MIDIParser {
  let bytes: [UInt8]
  var position = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  mutating func parse() throws -> MIDIFile {
    guard bytes.count >= 14, bytes[0..<4].elementsEqual("MThd".utf8) else {
      throw MusicError("not a MIDI file (it does not start with an MThd header)")
    }
    position = 4
    let headerLength = try uint32()
    guard headerLength >= 6, headerLength <= bytes.count - position else {
      throw MusicError("the MIDI header's length \(headerLength) does not fit the file")
    }
    let headerEnd = position + headerLength
    let format = try uint16(), declaredTracks = try uint16(), division = try uint16()
    position = headerEnd
    guard format == 0 || format == 1 else {
      throw MusicError("MIDI format \(format) is not supported (only formats 0 and 1: one or more simultaneous tracks)")
    }
    guard division & 0x8000 == 0 else {
      throw MusicError("the file times its events in SMPTE frames; only ticks per quarter note are supported")
    }
    guard division > 0 else { throw MusicError("the file's division is 0 ticks per quarter note") }
    // Each track needs at least its 8-byte chunk header: a count beyond that is a lie.
    guard declaredTracks >= 1, declaredTracks <= (bytes.count - position) / 8 else {
      throw MusicError("the header declares \(declaredTracks) tracks, which \(bytes.count - position) bytes of track data cannot hold")
    }
    guard format == 1 || declaredTracks == 1 else { throw MusicError("a format 0 file has one track, this one declares \(declaredTracks)") }

    var file = MIDIFile(format: format, ticksPerQuarter: division, tracks: [])
    while file.tracks.count < declaredTracks {
      guard position + 8 <= bytes.count else {
        throw MusicError("the file ends after \(file.tracks.count) of its \(declaredTracks) tracks")
      }
      let type = bytes[position..<position + 4]
      position += 4
      let length = try uint32()
      guard length <= bytes.count - position else {
        throw MusicError("track chunk \(file.tracks.count + 1) claims \(length) bytes; the file has \(bytes.count - position) left")
      }
      let end = position + length
      // Chunks of other types are allowed by the standard and skipped.
      if type.elementsEqual("MTrk".utf8) {
        file.tracks.append(try track(until: end, into: &file))
      }
      position = end
    }
    file.tempos.sort { $0.tick < $1.tick }
    file.timeSignatures.sort { $0.tick < $1.tick }
    return file
  }

  /// The notes of the track chunk from `position` to `end`; tempo and time signatures go to `file`.
  mutating func track(until end: Int, into file: inout MIDIFile) throws -> [MIDINote] {
    let trackNumber = file.tracks.count + 1
    var tick = 0, status: UInt8 = 0
    var notes: [MIDINote] = []
    // Sounding notes per (channel, pitch), oldest first: an off ends the oldest.
    var sounding: [Int: [(start: Int, velocity: Int)]] = [:]
    func close(_ key: Int, at tick: Int) {
      guard var open = sounding[key], !open.isEmpty else { return }
      let first = open.removeFirst()
      sounding[key] = open
      notes.append(MIDINote(pitch: key & 0x7F, velocity: first.velocity, start: first.start, duration: tick - first.start, channel: key >> 7))
    }
    while position < end {
      tick += try variableLength(before: end)
      guard position < end else { throw MusicError("track \(trackNumber) ends inside an event") }
      var byte = bytes[position]
      if byte >= 0x80 {
        position += 1
      } else {
        // Running status: the data byte belongs to the previous channel message's status.
        guard status != 0 else { throw MusicError("track \(trackNumber) has a data byte where an event should start") }
        byte = status
      }
      switch byte {
      case 0xFF:
        guard position < end else { throw MusicError("track \(trackNumber) ends inside a meta event") }
        let type = bytes[position]
        position += 1
        let length = try variableLength(before: end)
        guard length <= end - position else { throw MusicError("a meta event in track \(trackNumber) runs past its chunk") }
        let data = bytes[position..<position + length]
        position += length
        switch type {
        case 0x2F: position = end
        case 0x51 where length == 3:
          let value = Int(data[data.startIndex]) << 16 | Int(data[data.startIndex + 1]) << 8 | Int(data[data.startIndex + 2])
          if value > 0 { file.tempos.append(MIDIFile.Tempo(tick: tick, microsecondsPerQuarter: value)) }
        case 0x58 where length >= 2:
          let power = Int(data[data.startIndex + 1])
          if power <= 6, data[data.startIndex] > 0 {
            file.timeSignatures.append(MIDIFile.TimeSignature(tick: tick, numerator: Int(data[data.startIndex]), denominator: 1 << power))
          }
        default: break
        }
      case 0xF0, 0xF7:
        let length = try variableLength(before: end)
        guard length <= end - position else { throw MusicError("a sysex event in track \(trackNumber) runs past its chunk") }
        position += length
      case 0x80...0xEF:
        status = byte
        let count = (0xC0...0xDF).contains(byte) ? 1 : 2
        guard count <= end - position else { throw MusicError("track \(trackNumber) ends inside a channel event") }
        let first = Int(bytes[position]), second = count == 2 ? Int(bytes[position + 1]) : 0
        guard first < 0x80, second < 0x80 else { throw MusicError("track \(trackNumber) has a channel event with a byte above 127 as data") }
        position += count
        let key = Int(byte & 0x0F) << 7 | first
        if byte & 0xF0 == 0x90 && second > 0 {
          sounding[key, default: []].append((tick, second))
        } else if byte & 0xF0 == 0x80 || byte & 0xF0 == 0x90 {
          close(key, at: tick)
        }
      default:
        throw MusicError("track \(trackNumber) has status byte 0x\(String(byte, radix: 16, uppercase: true)), which a MIDI file may not hold")
      }
    }
    // Notes still sounding when the track ends last until its end.
    for key in sounding.keys.sorted() {
      while !(sounding[key] ?? []).isEmpty { close(key, at: tick) }
    }
    return notes.sorted { ($0.start, $0.pitch) < ($1.start, $1.pitch) }
  }

  /// A variable-length quantity: 7 bits a byte, at most 4 bytes (the standard's limit).
  mutating func variableLength(before end: Int) throws -> Int {
    var value = 0
    for _ in 0..<4 {
      guard position < end else { throw MusicError("a track ends inside a variable-length number") }
      let byte = bytes[position]
      position += 1
      value = value << 7 | Int(byte & 0x7F)
      if byte & 0x80 == 0 { return value }
    }
    throw MusicError("a variable-length number is longer than 4 bytes")
  }

  mutating func uint32() throws -> Int {
    guard position + 4 <= bytes.count else { throw MusicError("the file is truncated") }
    defer { position += 4 }
    return bytes[position..<position + 4].reduce(0) { $0 << 8 | Int($1) }
  }

  mutating func uint16() throws -> Int {
    guard position + 2 <= bytes.count else { throw MusicError("the file is truncated") }
    defer { position += 2 }
    return Int(bytes[position]) << 8 | Int(bytes[position + 1])
  }
}
