import Foundation
import Models
import Runtime
import Tensor
import TestSupport
import Testing

/// Compressed codes (docs/COMPRESSION.md): the quantization error bound, the file's exact
/// header, and hostile files refused with a message, never a crash or a read past the end.
struct CodeCompressionTests {
  static let width = 20, codeWidth = 6

  static func model(seed: UInt64 = 1) throws -> InferenceModel {
    try InferenceModel(Autoencoder(spec: ModelSpec.dense(inputWidth: width, widths: [12, codeWidth], activation: .tanh,
                                                         codeActivation: .linear, loss: .mse), seed: seed))
  }

  static func data(rows: Int = 50) -> Tensor { GradientCheck.randomTensor(rows: rows, cols: width, seed: 7, low: -2, high: 2) }

  /// The largest |quantized - original| per code dimension, over the rows.
  func worstError(_ file: CodeFile, _ codes: Tensor) -> [Float] {
    let decoded = Tensor(rows: file.rows, cols: file.dims)
    file.quantizer.dequantize(file.levels, into: decoded.data)
    return (0..<file.dims).map { d in (0..<file.rows).map { abs(decoded[$0, d] - codes[$0, d]) }.max()! }
  }

  /// Each dimension's error is at most half its step, at every depth (8 and 16 included), and
  /// 16 bits decode to what the float codes decode to, within that bound's effect.
  @Test(arguments: [1, 3, 8, 12, 16])
  func quantizationErrorIsAtMostHalfAStep(bits: Int) throws {
    let model = try Self.model(), x = Self.data()
    let file = try model.compress(x, bits: bits)
    let codes = try model.encode(x)
    let worst = worstError(file, codes)
    for d in 0..<file.dims {
      let scale = file.quantizer.scales[d]
      #expect(scale > 0, "dimension \(d) is constant over random rows")
      // Half a step, plus the rounding of offset + level * scale in float32.
      #expect(worst[d] <= scale / 2 + 4 * Float.ulpOfOne * max(1, abs(file.quantizer.offsets[d]) + 65535 * scale),
              "bits \(bits), dimension \(d): error \(worst[d]), step \(scale)")
    }
    let rebuilt = try model.decompress(try CodeFile(bytes: file.serialized()))
    let reconstructed = try model.reconstruct(x)
    let gap = zip(rebuilt.values, reconstructed.values).map { abs($0 - $1) }.max()!
    if bits == 16 { #expect(gap < 1e-3, "16-bit codes decode \(gap) away from the float codes") }
    #expect(rebuilt.rows == x.rows && rebuilt.cols == Self.width)
  }

  /// The header holds exactly what the format says, at its offsets; the bytes read back to the same file.
  @Test func theHeaderIsExact() throws {
    let model = try Self.model(), x = Self.data(rows: 37)
    let file = try model.compress(x, bits: 5)
    let bytes = file.serialized()
    func integer(_ offset: Int, _ size: Int) -> UInt64 {
      (0..<size).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
    }
    #expect(Array(bytes[0..<8]) == Array("AECODES\n".utf8))
    #expect(integer(8, 2) == 1 && bytes[10] == 5 && bytes[11] & ~1 == 0)
    #expect(integer(12, 4) == UInt64(model.identity))
    #expect(integer(16, 8) == 37 && integer(24, 4) == UInt64(Self.codeWidth))
    #expect(integer(32, 8) == UInt64(bytes.count - 40 - 8 * Self.codeWidth))
    for d in 0..<Self.codeWidth {
      #expect(integer(40 + 4 * d, 4) == UInt64(file.quantizer.offsets[d].bitPattern))
      #expect(integer(40 + 4 * (Self.codeWidth + d), 4) == UInt64(file.quantizer.scales[d].bitPattern))
    }
    if bytes[11] == 0 { #expect(bytes.count == 40 + 8 * Self.codeWidth + (37 * Self.codeWidth * 5 + 7) / 8) }
    #expect(try CodeFile(bytes: bytes) == file)
  }

  /// Levels at every depth pack and unpack to themselves, deflated (repetitive) or not (random).
  @Test func everyDepthRoundTrips() throws {
    var random = SeededRandom(seed: 5)
    for bits in 1...16 {
      let top = (1 << bits) - 1
      let quantizer = try CodeQuantizer(bits: bits, offsets: [0, 1, 2], scales: [1, 0.5, 0])
      for repetitive in [false, true] {
        let levels = (0..<(3 * 41)).map { i in UInt16(repetitive ? (i % 3 == 2 ? 0 : top) : Int(random.uniform(0, Float(top) + 0.99))) }
        let file = CodeFile(quantizer: quantizer, modelIdentity: 9, rows: 41, levels: levels)
        let bytes = file.serialized()
        #expect(try CodeFile(bytes: bytes) == file, "bits \(bits)")
        if repetitive && bits >= 4 { #expect(bytes[11] == 1, "bits \(bits): repetitive levels are deflated") }
      }
    }
  }

  /// A file from another model, or whose width differs, is refused before decoding.
  @Test func anotherModelIsRefused() throws {
    let x = Self.data()
    let file = try Self.model(seed: 1).compress(x, bits: 8)
    let other = try Self.model(seed: 2)
    #expect(other.identity != file.modelIdentity)
    let foreign = #expect(throws: InferenceError.self) { try other.decompress(file) }
    #expect(foreign?.description.contains("another model") == true, "\(String(describing: foreign))")
    var wider = file
    wider.modelIdentity = other.identity
    wider.quantizer = try CodeQuantizer(bits: 8, offsets: Array(repeating: 0, count: 7), scales: Array(repeating: 1, count: 7))
    let misfit = #expect(throws: InferenceError.self) { try other.decompress(wider) }
    #expect(misfit?.description.contains("7 values per row") == true, "\(String(describing: misfit))")
    #expect(throws: InferenceError.self) { try other.compress(x, bits: 0) }
    #expect(throws: InferenceError.self) { try other.compress(x, bits: 17) }
  }

  // MARK: hostile files

  static func validBytes() throws -> [UInt8] { try model().compress(data(rows: 9), bits: 7).serialized() }

  /// `bytes` with `value` written little-endian at `offset`; the payload's CRC recomputed when `reseal`.
  static func patched(_ bytes: [UInt8], _ offset: Int, _ value: UInt64, size: Int) -> [UInt8] {
    var copy = bytes
    for i in 0..<size { copy[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    return copy
  }

  func expectRefused(_ bytes: [UInt8], _ phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
      _ = try CodeFile(bytes: bytes)
      Issue.record("accepted a file that should be refused (\(phrase))", sourceLocation: sourceLocation)
    } catch {
      #expect("\(error)".contains(phrase), "\(error)", sourceLocation: sourceLocation)
    }
  }

  @Test func everyTruncationIsRefused() throws {
    let bytes = try Self.validBytes()
    for length in 0..<bytes.count {
      #expect(throws: InferenceError.self, "\(length) of \(bytes.count) bytes") { try CodeFile(bytes: Array(bytes.prefix(length))) }
    }
  }

  @Test func damagedHeadersAreRefused() throws {
    let bytes = try Self.validBytes()
    expectRefused(Self.patched(bytes, 0, 0x42, size: 1), "wrong magic") // "B" for the "A" of AECODES
    expectRefused(Array("not a code file at all, but long enough to hold a header".utf8), "wrong magic")
    expectRefused(Self.patched(bytes, 8, 2, size: 2), "format version 2")
    expectRefused(Self.patched(bytes, 10, 0, size: 1), "0 bits")
    expectRefused(Self.patched(bytes, 10, 33, size: 1), "33 bits")
    expectRefused(Self.patched(bytes, 11, 4, size: 1), "unknown flags")
    expectRefused(Self.patched(bytes, 16, UInt64.max, size: 8), "cannot fit")
    expectRefused(Self.patched(bytes, 16, 1 << 40, size: 8), "cannot fit")
    expectRefused(Self.patched(bytes, 24, UInt64(UInt32.max), size: 4), "values per code row")
    expectRefused(Self.patched(bytes, 24, 0, size: 4), "0 values per code row")
    expectRefused(Self.patched(bytes, 32, UInt64.max, size: 8), "the header says")
    expectRefused(Self.patched(bytes, 32, 3, size: 8), "the header says")
    var flipped = bytes
    flipped[bytes.count - 1] ^= 0x10
    expectRefused(flipped, "CRC-32")
    expectRefused(bytes + [0], "the header says")
    // 2^64 - 1 rows of one 1-bit value and no payload: the rounding up to whole bytes must not
    // overflow (it trapped once).
    var tiny = Self.patched(bytes, 10, 1, size: 1)
    tiny = Self.patched(tiny, 11, 0, size: 1)
    tiny = Self.patched(tiny, 16, UInt64.max, size: 8)
    tiny = Self.patched(tiny, 24, 1, size: 4)
    tiny = Self.patched(tiny, 32, 0, size: 8)
    expectRefused(Array(tiny.prefix(CodeFile.headerSize + 8)), "cannot fit")
  }

  /// A deflated payload that claims more rows than zlib can expand its bytes to, and one whose
  /// stream is damaged under a matching CRC, are refused; so is every single flipped byte of a
  /// deflated file's header and payload (the offsets and scales may take any finite value).
  @Test func damagedDeflatedPayloadsAreRefused() throws {
    let quantizer = try CodeQuantizer(bits: 8, offsets: [0, 0], scales: [1, 1])
    let bytes = CodeFile(quantizer: quantizer, modelIdentity: 1, rows: 500, levels: Array(repeating: 3, count: 1000)).serialized()
    #expect(bytes[11] == 1)
    expectRefused(Self.patched(bytes, 16, 1 << 30, size: 8), "cannot fit")
    var stream = bytes
    stream[bytes.count - 3] ^= 0xFF
    expectRefused(Self.patched(stream, 28, UInt64(crc32(Array(stream[56...]))), size: 4), "deflated payload is damaged")
    for position in 0..<bytes.count where !(40..<56).contains(position) {
      var damaged = bytes
      damaged[position] ^= 0x01
      if position >= 12 && position < 16 { continue } // the model identity: any value parses
      #expect(throws: InferenceError.self, "byte \(position) flipped") { try CodeFile(bytes: damaged) }
    }
  }

  /// CRC-32 (zlib's polynomial), to reseal a payload the test damaged on purpose.
  func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }
}
