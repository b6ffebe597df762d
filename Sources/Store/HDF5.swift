#if canImport(Glibc)
import Glibc
#endif
import CShims

/// A thin, throwing Swift face on the HDF5 calls in CShims: a file or group handle plus
/// typed reads and writes that check shape and element type.
public final class HDF5Group {
  let id: Int64
  /// What to call this place in error messages, e.g. "model.h5:/encoder".
  public let label: String
  private let isFile: Bool
  private var closed = false

  private init(id: Int64, label: String, isFile: Bool) {
    self.id = id
    self.label = label
    self.isFile = isFile
  }

  deinit { close() }

  /// Create (truncate) an HDF5 file, with room before the HDF5 data for `Integrity.seal`.
  public static func create(file path: String) throws -> HDF5Group {
    let id = aeh5_file_create(path, Integrity.blockSize)
    guard id >= 0 else { throw StoreError(lastMessage()) }
    return HDF5Group(id: id, label: path, isFile: true)
  }

  /// Open a model or checkpoint file for reading, as hostile input: the file is read once
  /// into memory (a regular file only), checked as `open(image:)` checks, and libhdf5 then
  /// parses that copy, never the file system.
  public static func open(file path: String, verify: Bool = true) throws -> HDF5Group {
    let bytes = try ModelFile.readBytes(path)
    return try bytes.withUnsafeBytes { try open(image: $0, label: path, verify: verify) }
  }

  /// Open an in-memory image of an HDF5 file (the bytes are copied). With `verify`, the
  /// image must carry a matching checksum (`Integrity`) before libhdf5 parses a byte; a
  /// checksum that is present is always checked. Then the file's links and dataset storage
  /// are audited (`aeh5_audit`) before anything is read.
  public static func open(image bytes: UnsafeRawBufferPointer, label: String = "<memory>", verify: Bool = true) throws -> HDF5Group {
    guard let base = bytes.baseAddress, bytes.count > 8 else { throw StoreError("\(label): empty or too short to be an HDF5 file") }
    guard hasSignature(bytes) else { throw StoreError("\(label): not an HDF5 file (no HDF5 signature)") }
    try Integrity.verify(bytes, label: label, required: verify)
    guard aeh5_check_global_heaps(base, bytes.count) >= 0 else { throw StoreError("\(label): " + lastMessage()) }
    let id = aeh5_file_open_image(base, bytes.count)
    guard id >= 0 else { throw StoreError("\(label): " + lastMessage()) }
    let file = HDF5Group(id: id, label: label, isFile: true)
    guard aeh5_audit(id) >= 0 else { throw StoreError("\(label): refused: " + lastMessage()) }
    return file
  }

  /// HDF5's signature, which libhdf5 looks for at offset 0, 512, 1024, 2048, ...
  static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

  /// Whether `bytes` hold the signature where libhdf5 looks for it.
  static func hasSignature(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset + signature.count <= bytes.count {
      if bytes[offset..<offset + signature.count].elementsEqual(signature) { return true }
      offset = offset == 0 ? 512 : offset * 2
    }
    return false
  }

  /// Close now (also done on deinit). Closing a file flushes it; errors are reported.
  public func close() {
    guard !closed else { return }
    closed = true
    _ = isFile ? aeh5_file_close(id) : aeh5_group_close(id)
  }

  /// Close a file and report whether everything reached the disk.
  public func finish() throws {
    guard !closed else { return }
    closed = true
    let status = isFile ? aeh5_file_close(id) : aeh5_group_close(id)
    guard status >= 0 else { throw StoreError("\(label): " + Self.lastMessage()) }
  }

  private static func lastMessage() -> String { String(cString: aeh5_last_error()) }
  private func error(_ what: String) -> StoreError { StoreError("\(label): \(what)") }
  private func hdf5Error() -> StoreError { error(Self.lastMessage()) }

  // MARK: Groups

  public func createGroup(_ name: String) throws -> HDF5Group {
    let g = aeh5_group_create(id, name)
    guard g >= 0 else { throw hdf5Error() }
    return HDF5Group(id: g, label: "\(label)/\(name)", isFile: false)
  }

  public func openGroup(_ name: String) throws -> HDF5Group {
    let g = aeh5_group_open(id, name)
    guard g >= 0 else { throw error("missing group '\(name)'") }
    return HDF5Group(id: g, label: "\(label)/\(name)", isFile: false)
  }

  /// Whether a group or dataset exists at `path` below this group.
  public func contains(_ path: String) -> Bool { aeh5_exists(id, path) == 1 }

  /// How many groups and datasets this group holds directly.
  public func memberCount() throws -> Int {
    let count = aeh5_member_count(id)
    guard count >= 0 else { throw hdf5Error() }
    return Int(count)
  }

  // MARK: Datasets

  /// Write float32 values with the given shape.
  public func write(_ name: String, floats: UnsafePointer<Float>, shape: [Int]) throws {
    try write(name, kind: AEH5_FLOAT32, pointer: UnsafeRawPointer(floats), shape: shape)
  }

  public func write(_ name: String, floats: [Float], shape: [Int]? = nil) throws {
    try floats.withUnsafeBufferPointer { b in
      try write(name, kind: AEH5_FLOAT32, pointer: UnsafeRawPointer(b.baseAddress ?? UnsafePointer(bitPattern: 8)!), shape: shape ?? [floats.count])
    }
  }

  public func write(_ name: String, doubles: [Double]) throws {
    try doubles.withUnsafeBufferPointer { b in
      try write(name, kind: AEH5_FLOAT64, pointer: UnsafeRawPointer(b.baseAddress ?? UnsafePointer(bitPattern: 8)!), shape: [doubles.count])
    }
  }

  /// Rows `first ..< first + count` of a (totalRows, columns) float64 dataset, written chunk by
  /// chunk: the call with `first` 0 creates it.
  public func writeRows(_ name: String, doubles: UnsafePointer<Double>, totalRows: Int, columns: Int, first: Int, count: Int) throws {
    let status = aeh5_write_rows(id, name, Int32(AEH5_FLOAT64.rawValue), UInt64(totalRows), UInt64(columns), UInt64(first),
                                 UInt64(count), UnsafeRawPointer(doubles))
    guard status >= 0 else { throw hdf5Error() }
  }

  private func write(_ name: String, kind: aeh5_kind, pointer: UnsafeRawPointer, shape: [Int]) throws {
    let dims = shape.map { UInt64($0) }
    let status = dims.withUnsafeBufferPointer {
      aeh5_write_dataset(id, name, Int32(kind.rawValue), Int32(shape.count), $0.baseAddress, pointer)
    }
    guard status >= 0 else { throw hdf5Error() }
  }

  /// Shape and element kind of a dataset.
  public func info(_ name: String) throws -> (kind: aeh5_kind, shape: [Int]) {
    var kind: Int32 = 0, rank: Int32 = 0
    var dims = [UInt64](repeating: 0, count: Int(AEH5_MAX_RANK))
    guard aeh5_dataset_info(id, name, &kind, &rank, &dims) >= 0 else { throw hdf5Error() }
    // A hostile file may declare extents beyond Int.max: they compare as Int.max, never trap.
    return (aeh5_kind(rawValue: UInt32(kind)), dims.prefix(Int(rank)).map { Int(exactly: $0) ?? Int.max })
  }

  /// Read a float32 dataset into `destination`, which holds `shape`'s product of values;
  /// throws, naming the dataset, if the stored shape or type differ.
  public func read(_ name: String, into destination: UnsafeMutablePointer<Float>, shape: [Int]) throws {
    let (kind, stored) = try info(name)
    guard kind == AEH5_FLOAT32 else {
      throw error("dataset '\(name)' holds \(Self.describe(kind)); expected float32")
    }
    guard stored == shape else {
      throw error("dataset '\(name)' has shape \(Self.describe(stored)); expected \(Self.describe(shape))")
    }
    guard aeh5_read_dataset(id, name, Int32(AEH5_FLOAT32.rawValue), destination) >= 0 else { throw hdf5Error() }
  }

  /// Read a 1-D float32 dataset of known length.
  public func readFloats(_ name: String, count: Int) throws -> [Float] {
    var values = [Float](repeating: 0, count: count)
    try values.withUnsafeMutableBufferPointer { try read(name, into: $0.baseAddress!, shape: [count]) }
    return values
  }

  /// Read a 1-D dataset of float32 or float64 values, at most `limit` of them (its declared
  /// length is checked before anything is allocated).
  public func readDoubles(_ name: String, atMost limit: Int) throws -> [Double] {
    let (kind, shape) = try info(name)
    guard kind == AEH5_FLOAT64 || kind == AEH5_FLOAT32, shape.count == 1 else {
      throw error("dataset '\(name)' holds \(Self.describe(kind)) of shape \(Self.describe(shape)); expected a 1-D float array")
    }
    guard shape[0] <= limit else { throw error("dataset '\(name)' declares \(shape[0]) values; at most \(limit) are read") }
    var values = [Double](repeating: 0, count: shape[0])
    if shape[0] == 0 { return values }
    guard values.withUnsafeMutableBufferPointer({ aeh5_read_dataset(id, name, Int32(AEH5_FLOAT64.rawValue), $0.baseAddress) }) >= 0 else {
      throw hdf5Error()
    }
    return values
  }

  // MARK: Attributes

  public func setAttribute(_ name: String, _ value: String) throws {
    guard aeh5_write_attr_string(id, name, value) >= 0 else { throw hdf5Error() }
  }

  public func setAttribute(_ name: String, _ value: Int) throws {
    guard aeh5_write_attr_int64(id, name, Int64(value)) >= 0 else { throw hdf5Error() }
  }

  public func setAttribute(_ name: String, _ value: Double) throws {
    guard aeh5_write_attr_double(id, name, value) >= 0 else { throw hdf5Error() }
  }

  public func hasAttribute(_ name: String) -> Bool { aeh5_has_attr(id, name) == 1 }

  public func string(_ name: String) throws -> String {
    var pointer: UnsafeMutablePointer<CChar>?
    guard aeh5_read_attr_string(id, name, &pointer) >= 0, let pointer else { throw hdf5Error() }
    defer { free(pointer) }
    return String(cString: pointer)
  }

  /// A list-of-strings attribute (fixed-length or variable strings), as Keras stores layer
  /// and weight names.
  public func strings(_ name: String) throws -> [String] {
    var pointer: UnsafeMutablePointer<CChar>?
    var count = 0
    guard aeh5_read_attr_strings(id, name, &pointer, &count) >= 0 else { throw hdf5Error() }
    defer { free(pointer) }
    var strings: [String] = []
    var at = pointer
    for _ in 0..<count {
      guard let current = at else { break }
      let length = strlen(current)
      strings.append(current.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
      })
      at = current + length + 1
    }
    return strings
  }

  public func integer(_ name: String) throws -> Int {
    var value: Int64 = 0
    guard aeh5_read_attr_int64(id, name, &value) >= 0 else { throw hdf5Error() }
    return Int(value)
  }

  public func double(_ name: String) throws -> Double {
    var value = 0.0
    guard aeh5_read_attr_double(id, name, &value) >= 0 else { throw hdf5Error() }
    return value
  }

  static func describe(_ shape: [Int]) -> String {
    "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
  }

  static func describe(_ kind: aeh5_kind) -> String {
    switch kind {
    case AEH5_FLOAT32: "float32"
    case AEH5_FLOAT64: "float64"
    case AEH5_INT32: "int32"
    case AEH5_INT64: "int64"
    case AEH5_UINT8: "uint8"
    default: "a type other than float32"
    }
  }
}
