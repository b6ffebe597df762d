import CAutoencoderSupport
import Runtime

// Compressed codes (docs/COMPRESSION.md): ae_compress_bound sizes the buffer, ae_compress
// writes the file's bytes into it, ae_decompress decodes them back with the same model.

/// The largest file `n` rows can make at `bits` bits: the header, the ranges, the levels
/// stored as they are (the writer deflates only when that is smaller). nil when it overflows.
private func compressBound(_ model: InferenceModel, rows: Int, bits: Int) -> Int? {
  let k = model.codeWidth
  let (values, o1) = rows.multipliedReportingOverflow(by: k)
  let (bitCount, o2) = values.multipliedReportingOverflow(by: bits)
  guard !o1, !o2, bitCount <= Int.max - 7 else { return nil }
  let (total, o3) = (bitCount / 8 + (bitCount % 8 == 0 ? 0 : 1)).addingReportingOverflow(CodeFile.headerSize + 8 * k)
  return o3 ? nil : total
}

/// Refuse a model that cannot compress, and bits outside 1...16; nil when both are fine.
private func compressionProblem(_ name: String, _ model: InferenceModel, bits: Int32) -> Int32? {
  guard model.conditionWidth == 0, model.table == nil else {
    return fail(AE_ERROR_UNSUPPORTED, "\(name): compression takes unconditional models; a \(model.spec.kind.rawValue) model's decoding needs its condition rows too")
  }
  guard CodeQuantizer.bitRange.contains(Int(bits)) else {
    return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): bits must be 1...16, got \(bits)")
  }
  return nil
}

@_cdecl("ae_compress_bound")
public func ae_compress_bound(_ model: OpaquePointer?, _ n: Int, _ bits: Int32, _ bytes: UnsafeMutablePointer<Int>?) -> Int32 {
  let name = "ae_compress_bound"
  return withModel(name, model) { handle in
    guard let bytes else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): bytes is NULL") }
    if let refused = compressionProblem(name, handle.model, bits: bits) { return refused }
    guard n >= 0, let bound = compressBound(handle.model, rows: n, bits: Int(bits)) else {
      return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: n)) rows at \(bits) bits do not fit in size_t")
    }
    bytes.pointee = bound
    return ok
  }
}

@_cdecl("ae_compress")
public func ae_compress(
  _ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: Int, _ bits: Int32, _ out: UnsafeMutablePointer<UInt8>?,
  _ capacity: Int, _ written: UnsafeMutablePointer<Int>?
) -> Int32 {
  let name = "ae_compress"
  return withModel(name, model) { handle in
    let m = handle.model
    guard let x else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): x is NULL") }
    guard let out else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): out is NULL") }
    guard let written else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): written is NULL") }
    guard n != 0 else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): n is 0; pass at least one row") }
    if let refused = compressionProblem(name, m, bits: bits) { return refused }
    guard n > 0, elementCount(n, m.inputWidth) != nil, compressBound(m, rows: n, bits: Int(bits)) != nil else {
      return fail(AE_ERROR_OVERFLOW, "\(name): \(UInt(bitPattern: n)) rows of \(m.inputWidth) values do not fit in memory")
    }
    return withScratch(name, m, nil, own: true, rows: n) { scratch in
      do {
        let bytes = try m.compress(x, rows: n, bits: Int(bits), workspace: scratch).serialized()
        guard bytes.count <= capacity else {
          return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): the compressed codes need \(bytes.count) bytes; out holds \(capacity) (ae_compress_bound gives a size that always fits)")
        }
        bytes.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: bytes.count) }
        written.pointee = bytes.count
        return ok
      } catch {
        return fail(error)
      }
    }
  }
}

@_cdecl("ae_decompress")
public func ae_decompress(
  _ model: OpaquePointer?, _ data: UnsafePointer<UInt8>?, _ size: Int, _ x: UnsafeMutablePointer<Float>?, _ maxRows: Int,
  _ rows: UnsafeMutablePointer<Int>?
) -> Int32 {
  let name = "ae_decompress"
  return withModel(name, model) { handle in
    let m = handle.model
    guard let data else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): data is NULL") }
    guard let rows else { return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): rows is NULL") }
    guard size >= 0 else { return fail(AE_ERROR_OVERFLOW, "\(name): size \(UInt(bitPattern: size)) does not fit in memory") }
    if let refused = compressionProblem(name, m, bits: 8) { return refused }
    do {
      let file = try CodeFile(bytes: Array(UnsafeBufferPointer(start: data, count: size)))
      try m.checkBelongs(file)
      guard let x else {
        rows.pointee = file.rows // a query: how many rows x must hold
        return ok
      }
      guard maxRows >= 0, file.rows <= maxRows else {
        return fail(AE_ERROR_INVALID_ARGUMENT, "\(name): the data holds \(file.rows) rows; x holds \(UInt(bitPattern: maxRows)) (pass x NULL to ask)")
      }
      guard file.rows > 0 else {
        rows.pointee = 0
        return ok
      }
      return withScratch(name, m, nil, own: true, rows: file.rows) { scratch in
        do {
          try m.decodeCodes(of: file, into: x, workspace: scratch) // checkBelongs above
          rows.pointee = file.rows
          return ok
        } catch {
          return fail(error)
        }
      }
    } catch {
      return fail(AE_ERROR_FORMAT, "\(name): \(error)")
    }
  }
}
