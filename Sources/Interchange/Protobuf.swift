/// Protocol Buffers' wire format, the writing half, for the few message types ONNX needs
/// (https://protobuf.dev/programming-guides/encoding/): varints, 32-bit floats and
/// length-delimited fields. A message is built field by field into bytes; a nested message is
/// written as a length-delimited field holding its bytes. onnx.proto is proto2, whose repeated
/// numbers are not packed: each is written as a field of its own.
struct ProtobufMessage {
  private(set) var bytes: [UInt8] = []

  private enum WireType: UInt8 {
    case varint = 0, fixed32 = 5, lengthDelimited = 2
  }

  private mutating func key(_ field: Int, _ type: WireType) {
    varint(UInt64(field) << 3 | UInt64(type.rawValue))
  }

  private mutating func varint(_ value: UInt64) {
    var value = value
    while value >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }

  /// An int64 or int32 field (negative values take ten bytes, as protobuf writes them).
  mutating func int(_ field: Int, _ value: Int) {
    key(field, .varint)
    varint(UInt64(bitPattern: Int64(value)))
  }

  mutating func float(_ field: Int, _ value: Float) {
    key(field, .fixed32)
    withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
  }

  mutating func data(_ field: Int, _ value: [UInt8]) {
    key(field, .lengthDelimited)
    varint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  mutating func string(_ field: Int, _ value: String) { data(field, Array(value.utf8)) }

  mutating func message(_ field: Int, _ value: ProtobufMessage) { data(field, value.bytes) }

  /// A repeated int64 field.
  mutating func ints(_ field: Int, _ values: [Int]) {
    for value in values { int(field, value) }
  }
}
