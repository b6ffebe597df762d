#if canImport(Glibc)
import Glibc
#endif
import CZlib
import Tensor

/// A CRC-32 of every model file, kept in the HDF5 user block (the 512 bytes before the HDF5
/// data, which HDF5 and h5py skip), checked before HDF5 parses a byte.
///
/// Why: libhdf5 trusts its metadata. Fuzzing our own files with a few flipped bytes made it
/// crash (SIGSEGV) or loop forever in about 1 file of 75; a host process must never do either
/// on a damaged file. With the checksum, any change after writing is refused with a message.
/// Files without the block (written by other tools, or by version 0.1.0 before this check)
/// are still read, unprotected.
public enum Integrity {
  /// Size of the HDF5 user block the checksum lives in.
  public static let blockSize = 512
  static let magic = Array("autoencoder-checksum\n".utf8)

  /// Write the checksum of the finished file at `path` (one this process just wrote) into
  /// its user block.
  public static func seal(_ path: String) throws {
    let bytes = try ModelFile.readBytes(path)
    guard bytes.count >= blockSize else { throw StoreError("\(path): no user block to seal", kind: .io) }
    let header = Array(bytes.withUnsafeBytes { block(for: UnsafeRawBufferPointer(rebasing: $0[blockSize...])) }.utf8)
    guard let file = fopen(path, "r+b") else { throw StoreError("\(path): cannot reopen to seal it", kind: .io) }
    defer { fclose(file) }
    guard fwrite(header, 1, header.count, file) == header.count, fflush(file) == 0 else {
      throw StoreError("\(path): cannot write the checksum", kind: .io)
    }
  }

  /// Whether `bytes` start with a checksum block (valid or not).
  public static func isSealed(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.count >= blockSize && bytes.starts(with: magic)
  }

  /// Refuse a model file whose checksum does not match. A file without one is refused too
  /// when `required` (the default: libhdf5 must not parse unchecked bytes), else it passes.
  public static func verify(_ bytes: UnsafeRawBufferPointer, label: String, required: Bool = true) throws {
    guard isSealed(bytes) else {
      guard !required else {
        throw StoreError("\(label): the file carries no checksum (written by another tool?): open it unverified only if you trust it (ae --unverified, AE_OPEN_UNVERIFIED, verify=False), or give it one with `ae seal`", kind: .unverified)
      }
      return
    }
    let text = String(decoding: bytes[magic.count..<blockSize].prefix { $0 != 0 }, as: UTF8.self)
    var fields: [String: String] = [:]
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: " ", maxSplits: 1)
      if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
    }
    // A length beyond any file (or negative) is damage too; bounding it keeps the arithmetic below exact.
    guard let length = fields["length"].flatMap({ Int($0) }), (0...ModelFile.maximumFileSize).contains(length),
          let crc = fields["crc32"].flatMap({ UInt32($0, radix: 16) }) else {
      throw StoreError("\(label): the model file's checksum block is damaged")
    }
    guard bytes.count - blockSize == length else {
      throw StoreError("\(label): the model file is \(bytes.count) bytes but was written with \(length + blockSize): truncated or damaged")
    }
    let actual = checksum(UnsafeRawBufferPointer(rebasing: bytes[blockSize...]))
    guard actual == crc else {
      throw StoreError("\(label): the model file is damaged: its CRC-32 is \(hex(actual)), written as \(hex(crc))")
    }
  }

  private static func block(for data: UnsafeRawBufferPointer) -> String {
    String(decoding: magic, as: UTF8.self) + "crc32 \(hex(checksum(data)))\nlength \(data.count)\n"
  }

  private static func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
  }

  static func checksum(_ data: UnsafeRawBufferPointer) -> UInt32 {
    var crc = crc32(0, nil, 0), offset = 0
    guard let base = data.baseAddress else { return UInt32(crc) } // no bytes
    while offset < data.count {
      let chunk = min(data.count - offset, 1 << 30)
      crc = crc32(crc, base.assumingMemoryBound(to: UInt8.self) + offset, uInt(chunk))
      offset += chunk
    }
    return UInt32(crc)
  }
}
