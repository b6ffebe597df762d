import CShims
import CZlib

/// HDF5's built-in filters undone by our own code, with every size checked: libhdf5 1.10.8
/// trusts a chunk's stored size (a chunk stored short lets it read past its buffer) and
/// inflates without a bound. A chunk's pipeline is undone last filter first, skipping the
/// filters its mask says were skipped, and must end at exactly the chunk's size.
enum HDF5Filters {
  struct Refused: Error, CustomStringConvertible {
    let description: String
  }

  /// `stored` undone through `pipeline` (in the order writing applied it; `mask` bit i set
  /// when filter i was skipped) into exactly `chunkBytes` bytes of `itemSize`-byte values.
  static func decode(_ stored: [UInt8], pipeline: [aeh5_filter], mask: UInt32, chunkBytes: Int, itemSize: Int) throws -> [UInt8] {
    var bytes = stored
    for (index, filter) in pipeline.enumerated().reversed() where mask & (1 << UInt32(index)) == 0 {
      switch filter {
      case AEH5_FLETCHER32: bytes = try checkedFletcher32(bytes)
      case AEH5_DEFLATE: bytes = try inflate(bytes, limit: chunkBytes + chunkBytes / 100 + 64)
      case AEH5_SHUFFLE: bytes = unshuffle(bytes, itemSize: itemSize)
      default: throw Refused(description: "a chunk went through a filter that is not read")
      }
    }
    guard bytes.count == chunkBytes else {
      throw Refused(description: "a chunk holds \(bytes.count) bytes where its shape needs \(chunkBytes)")
    }
    return bytes
  }

  /// A zlib stream inflated into at most `limit` bytes (a stream that inflates further is refused).
  static func inflate(_ input: [UInt8], limit: Int) throws -> [UInt8] {
    var output = [UInt8](repeating: 0, count: max(1, limit))
    var length = uLong(limit)
    let status = output.withUnsafeMutableBufferPointer { out in
      input.withUnsafeBufferPointer { source in uncompress(out.baseAddress!, &length, source.baseAddress ?? UnsafePointer(out.baseAddress!), uLong(source.count)) }
    }
    switch status {
    case Z_OK: return Array(output.prefix(Int(length)))
    case Z_BUF_ERROR: throw Refused(description: "a deflated chunk inflates past its size, or is cut short")
    default: throw Refused(description: "a deflated chunk is damaged (zlib status \(status))")
    }
  }

  /// HDF5's shuffle undone: writing put byte b of every value together, for b in 0..<itemSize.
  static func unshuffle(_ input: [UInt8], itemSize: Int) -> [UInt8] {
    guard itemSize > 1 else { return input }
    let count = input.count / itemSize
    var output = input // the bytes past count * itemSize stay where they were
    for value in 0..<count { for b in 0..<itemSize { output[value * itemSize + b] = input[b * count + value] } }
    return output
  }

  /// The bytes before a Fletcher-32 checksum, which must match (stored little-endian, or with
  /// the bytes of each 16-bit half swapped, as libhdf5 before 1.6.3 wrote it).
  static func checkedFletcher32(_ input: [UInt8]) throws -> [UInt8] {
    guard input.count >= 4 else { throw Refused(description: "a chunk is too short for its Fletcher-32 checksum") }
    let data = input.prefix(input.count - 4)
    let stored = input.suffix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    let sum = fletcher32(data)
    let older = (sum & 0x00ff_00ff) << 8 | (sum & 0xff00_ff00) >> 8
    guard stored == sum || stored == older else {
      throw Refused(description: "a chunk fails its Fletcher-32 checksum (damaged)")
    }
    return Array(data)
  }

  /// HDF5's Fletcher-32: 16-bit big-endian words, folded every 360 words.
  static func fletcher32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var sum1: UInt32 = 0, sum2: UInt32 = 0
    var index = bytes.startIndex, words = bytes.count / 2
    while words > 0 {
      var block = min(words, 360)
      words -= block
      while block > 0 {
        sum1 &+= UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
        sum2 &+= sum1
        index += 2
        block -= 1
      }
      sum1 = (sum1 & 0xffff) + (sum1 >> 16)
      sum2 = (sum2 & 0xffff) + (sum2 >> 16)
    }
    if bytes.count % 2 == 1 {
      sum1 &+= UInt32(bytes[index]) << 8
      sum2 &+= sum1
      sum1 = (sum1 & 0xffff) + (sum1 >> 16)
      sum2 = (sum2 & 0xffff) + (sum2 >> 16)
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16)
    sum2 = (sum2 & 0xffff) + (sum2 >> 16)
    return sum2 << 16 | sum1
  }
}
