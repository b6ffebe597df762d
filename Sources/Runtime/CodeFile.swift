import CZlib
import Tensor

/// The compressed-code file (docs/COMPRESSION.md): a 40-byte little-endian header, each code
/// dimension's offset and scale (float32), then the levels bit-packed, deflated by zlib when
/// that makes them smaller.
///
/// ```
/// offset size field
///  0     8    magic "AECODES\n"
///  8     2    format version (1)
/// 10     1    bits per value, 1...16
/// 11     1    flags: bit 0 = the payload is deflated (zlib stream); other bits 0
/// 12     4    the model's identity (InferenceModel.identity, CRC-32)
/// 16     8    rows
/// 24     4    dims (values per code row)
/// 28     4    CRC-32 of the payload as stored
/// 32     8    payload length as stored, in bytes
/// 40     4*d  offsets, then 4*d scales (float32)
/// ...         payload: rows * dims levels, `bits` bits each, least significant bit first,
///             row after row with no padding; ceil(rows * dims * bits / 8) bytes before deflating
/// ```
///
/// Reading treats the bytes as hostile: every size is checked against the file's length and
/// against overflow before anything is allocated or read, so a damaged or crafted file gives
/// an `InferenceError` naming what is wrong, never a crash or a read past the end.
public struct CodeFile: Equatable, Sendable {
  /// The first 8 bytes of every file.
  public static let magic: [UInt8] = Array("AECODES\n".utf8)
  /// The format version this library writes and reads.
  public static let version: UInt16 = 1
  /// Bytes before the offsets and scales.
  public static let headerSize = 40
  /// The largest code width a file may declare (far above any model's).
  public static let maximumDims = 1 << 20
  /// zlib cannot inflate more than 1032 bytes per stored byte; a file that claims more is damaged.
  static let maximumDeflateRatio = 1032

  /// Bits per value and each dimension's offset and scale.
  public var quantizer: CodeQuantizer
  /// The model the codes belong to.
  public var modelIdentity: UInt32
  public var rows: Int
  /// rows * dims levels, row by row.
  public var levels: [UInt16]

  /// Values per code row.
  public var dims: Int { quantizer.offsets.count }

  /// A file's content; `levels` holds rows * quantizer.offsets.count levels below 2^bits.
  public init(quantizer: CodeQuantizer, modelIdentity: UInt32, rows: Int, levels: [UInt16]) {
    self.quantizer = quantizer
    self.modelIdentity = modelIdentity
    self.rows = rows
    self.levels = levels
  }

  /// The file's bytes; the payload deflated only when that is smaller.
  public func serialized() -> [UInt8] {
    let packed = Self.pack(levels, bits: quantizer.bits)
    let deflated = Self.deflate(packed)
    let payload = deflated.map { $0.count < packed.count ? $0 : packed } ?? packed
    let isDeflated = payload.count < packed.count
    var bytes = Self.magic
    bytes.reserveCapacity(Self.headerSize + 8 * dims + payload.count)
    append(Self.version, to: &bytes)
    bytes.append(UInt8(quantizer.bits))
    bytes.append(isDeflated ? 1 : 0)
    append(modelIdentity, to: &bytes)
    append(UInt64(rows), to: &bytes)
    append(UInt32(dims), to: &bytes)
    append(Self.crc(payload), to: &bytes)
    append(UInt64(payload.count), to: &bytes)
    for value in quantizer.offsets + quantizer.scales { append(value.bitPattern, to: &bytes) }
    return bytes + payload
  }

  /// Parse a file's bytes, checking everything.
  public init(bytes: [UInt8]) throws {
    func damaged(_ why: String) -> InferenceError { InferenceError(.invalidArgument, "not a usable compressed-code file: \(why)") }
    guard bytes.count >= Self.headerSize else {
      throw damaged(bytes.starts(with: Self.magic) ? "truncated header (\(bytes.count) bytes of \(Self.headerSize))"
                                                   : "wrong magic (expected \"AECODES\", the header of ae compress)")
    }
    guard bytes.starts(with: Self.magic) else { throw damaged("wrong magic (expected \"AECODES\", the header of ae compress)") }
    var reader = ByteReader(bytes: bytes, position: Self.magic.count)
    let version: UInt16 = reader.read()
    guard version == Self.version else { throw damaged("format version \(version); this library reads version \(Self.version)") }
    let bits = Int(reader.read() as UInt8), flags: UInt8 = reader.read()
    guard CodeQuantizer.bitRange.contains(bits) else { throw damaged("\(bits) bits per value (1...16 allowed)") }
    guard flags & ~1 == 0 else { throw damaged("unknown flags \(flags)") }
    let identity: UInt32 = reader.read(), rows64: UInt64 = reader.read(), dims = Int(reader.read() as UInt32)
    let payloadCRC: UInt32 = reader.read(), payloadLength64: UInt64 = reader.read()
    guard (1...Self.maximumDims).contains(dims) else { throw damaged("\(dims) values per code row (1...\(Self.maximumDims) allowed)") }
    let tables = 8 * dims
    guard bytes.count - Self.headerSize >= tables else {
      throw damaged("truncated: \(dims) dimensions need \(tables) bytes of offsets and scales, \(bytes.count - Self.headerSize) remain")
    }
    let stored = bytes.count - Self.headerSize - tables
    guard payloadLength64 == UInt64(stored) else {
      throw damaged("the payload is \(stored) bytes but the header says \(payloadLength64): truncated or damaged")
    }
    // The packed size, and the rows behind it, must be possible for the stored bytes: bounded
    // by the file's length (times zlib's largest ratio), so nothing larger is ever allocated.
    let limit = UInt64(stored) * UInt64(flags == 1 ? Self.maximumDeflateRatio : 1)
    let bitCount = rows64.multipliedReportingOverflow(by: UInt64(dims * bits))
    // Whole bytes, rounded up without `+ 7` (which traps for a bit count within 7 of 2^64).
    let packedBytes = bitCount.partialValue / 8 + (bitCount.partialValue % 8 == 0 ? 0 : 1)
    guard !bitCount.overflow, packedBytes <= limit else {
      throw damaged("\(rows64) rows of \(dims) values at \(bits) bits cannot fit in \(stored) stored bytes")
    }
    let packedSize = Int(packedBytes), rows = Int(rows64)
    // A deflated payload can still stand for more levels than this machine holds (a 1-bit file
    // of constant codes deflates 1000-fold): refuse before allocating them.
    if let memory = FloatBuffer.physicalMemory, rows * dims > memory / 8 {
      throw damaged("\(rows) rows of \(dims) values need more memory than this machine has")
    }
    if flags == 0, packedSize != stored {
      throw damaged("the payload is \(stored) bytes; \(rows) rows of \(dims) values at \(bits) bits need \(packedSize)")
    }
    var offsets: [Float] = [], scales: [Float] = []
    for _ in 0..<dims { offsets.append(Float(bitPattern: reader.read())) }
    for _ in 0..<dims { scales.append(Float(bitPattern: reader.read())) }
    let payload = Array(bytes[reader.position...])
    guard Self.crc(payload) == payloadCRC else { throw damaged("the payload's CRC-32 does not match: damaged") }
    let packed = flags == 1 ? try Self.inflate(payload, size: packedSize).get() : payload
    do {
      quantizer = try CodeQuantizer(bits: bits, offsets: offsets, scales: scales)
    } catch {
      throw damaged("\(error)")
    }
    modelIdentity = identity
    self.rows = rows
    levels = Self.unpack(packed, count: rows * dims, bits: bits)
  }

  /// Levels of `bits` bits each into bytes, least significant bit first.
  static func pack(_ levels: [UInt16], bits: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: (levels.count * bits + 7) / 8)
    var accumulator: UInt32 = 0, held = 0, index = 0
    let mask = UInt32((1 << bits) - 1) // a level above 2^bits - 1 must not spill into the next
    for level in levels {
      accumulator |= (UInt32(level) & mask) << held
      held += bits
      while held >= 8 {
        bytes[index] = UInt8(truncatingIfNeeded: accumulator)
        index += 1
        accumulator >>= 8
        held -= 8
      }
    }
    if held > 0 { bytes[index] = UInt8(truncatingIfNeeded: accumulator) }
    return bytes
  }

  /// `count` levels of `bits` bits from `bytes` (which `pack` wrote: at least count * bits bits).
  static func unpack(_ bytes: [UInt8], count: Int, bits: Int) -> [UInt16] {
    var levels = [UInt16](repeating: 0, count: count)
    var accumulator: UInt32 = 0, held = 0, index = 0
    let mask = UInt32((1 << bits) - 1)
    for i in 0..<count {
      while held < bits {
        accumulator |= UInt32(bytes[index]) << held
        index += 1
        held += 8
      }
      levels[i] = UInt16(accumulator & mask)
      accumulator >>= bits
      held -= bits
    }
    return levels
  }

  /// CRC-32 of `bytes`, fed to zlib in pieces its 32-bit length can hold.
  static func crc(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBufferPointer { buffer in
      var crc = crc32(0, nil, 0)
      var done = 0
      while done < buffer.count {
        let n = min(buffer.count - done, 1 << 30)
        crc = crc32(crc, buffer.baseAddress! + done, uInt(n))
        done += n
      }
      return UInt32(crc)
    }
  }

  /// zlib's best compression, or nil when it fails (the caller then stores the bytes as they are).
  static func deflate(_ bytes: [UInt8]) -> [UInt8]? {
    guard bytes.count < Int(uInt.max / 2) else { return nil }
    var size = compressBound(uLong(bytes.count))
    var out = [UInt8](repeating: 0, count: Int(size))
    let status = out.withUnsafeMutableBufferPointer { o in
      bytes.withUnsafeBufferPointer { i in compress2(o.baseAddress, &size, i.baseAddress, uLong(i.count), Z_BEST_COMPRESSION) }
    }
    guard status == Z_OK else { return nil }
    return Array(out.prefix(Int(size)))
  }

  /// Exactly `size` bytes from a zlib stream, or why not.
  static func inflate(_ bytes: [UInt8], size: Int) -> Result<[UInt8], InferenceError> {
    var out = [UInt8](repeating: 0, count: max(size, 1))
    var produced = uLong(size)
    let status = out.withUnsafeMutableBufferPointer { o in
      bytes.withUnsafeBufferPointer { i in uncompress(o.baseAddress, &produced, i.baseAddress, uLong(i.count)) }
    }
    guard status == Z_OK, produced == uLong(size) else {
      return .failure(InferenceError(.invalidArgument, "not a usable compressed-code file: the deflated payload is damaged (zlib status \(status), \(produced) of \(size) bytes)"))
    }
    return .success(Array(out.prefix(size)))
  }
}

/// Append `value`'s bytes, little-endian.
private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
  withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
}

/// Little-endian fields from a byte array whose length the caller has checked.
private struct ByteReader {
  let bytes: [UInt8]
  var position: Int

  mutating func read<T: FixedWidthInteger>() -> T {
    var value: T = 0
    for i in 0..<MemoryLayout<T>.size { value |= T(bytes[position + i]) << (8 * i) }
    position += MemoryLayout<T>.size
    return value
  }
}
