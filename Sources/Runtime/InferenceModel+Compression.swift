import CZlib
import Tensor

/// Compression: rows become their codes (a VAE's posterior mean), quantized per dimension to a
/// few bits (`CodeQuantizer`) and written as a `CodeFile` that names this model; decompressing
/// decodes the quantized codes back to rows in the data's units.
extension InferenceModel {
  /// This model's identity, stored in compressed-code files so they are never decoded by
  /// another model: the CRC-32 of its weights, then of its scaling's offsets and scales (what
  /// decoding depends on). It survives `ae seal` and copies of the file, unlike the file's own
  /// checksum, and needs no checksum in the file (models opened unverified have one too).
  /// A model at bfloat16 or int8 keeps its float32 model's identity: the codes name the model
  /// file, whatever precision it runs at.
  public var identity: UInt32 { inheritedIdentity ?? weightsIdentity }

  /// The CRC described above, of this model's own weights.
  var weightsIdentity: UInt32 {
    var crc = crc32(0, nil, 0)
    func add(_ values: UnsafePointer<Float>, _ count: Int) {
      // In chunks: zlib's length is 32-bit.
      var done = 0
      while done < count {
        let n = min(count - done, 1 << 28)
        crc = crc32(crc, UnsafeRawPointer(values + done).assumingMemoryBound(to: UInt8.self), uInt(n * 4))
        done += n
      }
    }
    add(weights, plan.parameterCount)
    if let scaling = pipeline.scaling {
      scaling.offset.withUnsafeBufferPointer { add($0.baseAddress!, $0.count) }
      scaling.scale.withUnsafeBufferPointer { add($0.baseAddress!, $0.count) }
    }
    return UInt32(crc)
  }

  /// Compress `rows` raw rows (rows x inputWidth) to `bits` bits per code value; `clip` > 0
  /// uses a robust range per dimension (see `CodeQuantizer.fit`). Conditional and table
  /// models are refused (their decoding needs more than the code).
  public func compress(_ x: UnsafePointer<Float>, rows: Int, bits: Int, clip: Double = 0, workspace: Workspace) throws -> CodeFile {
    try checkCompressible()
    guard CodeQuantizer.bitRange.contains(bits) else {
      throw InferenceError(.invalidArgument, "bits must be 1...16, got \(bits)")
    }
    let codes = try FloatBuffer(count: rows * codeWidth, for: "\(rows) code rows")
    try encode(x, rows: rows, into: codes.pointer, workspace: workspace)
    let quantizer = try CodeQuantizer.fit(codes.pointer, rows: rows, dims: codeWidth, bits: bits, clip: clip)
    return CodeFile(quantizer: quantizer, modelIdentity: identity, rows: rows, levels: quantizer.quantize(codes.pointer, rows: rows))
  }

  /// Check that `file` belongs to this model (identity and code width) before decoding it.
  public func checkBelongs(_ file: CodeFile) throws {
    try checkCompressible()
    guard file.modelIdentity == identity else {
      throw InferenceError(.invalidArgument, "the codes were compressed with another model (model identity \(hex(file.modelIdentity)), this model's is \(hex(identity)))")
    }
    guard file.dims == codeWidth else {
      throw InferenceError(.invalidArgument, "the codes have \(file.dims) values per row, the model's code \(codeWidth)")
    }
  }

  /// The rows (file.rows x inputWidth, in the data's units) decoded from a compressed-code
  /// file compressed with this model.
  public func decompress(_ file: CodeFile, into x: UnsafeMutablePointer<Float>, workspace: Workspace) throws {
    try checkBelongs(file)
    try decodeCodes(of: file, into: x, workspace: workspace)
  }

  /// The rows of a file `checkBelongs` has accepted (so its identity, a CRC over every weight,
  /// is not computed again).
  public func decodeCodes(of file: CodeFile, into x: UnsafeMutablePointer<Float>, workspace: Workspace) throws {
    let codes = try FloatBuffer(count: file.rows * codeWidth, for: "\(file.rows) code rows")
    file.quantizer.dequantize(file.levels, into: codes.pointer)
    try decode(codes.pointer, rows: file.rows, into: x, workspace: workspace)
  }

  /// The same on tensors, for Swift callers.
  public func compress(_ x: Tensor, bits: Int, clip: Double = 0) throws -> CodeFile {
    try compress(x.data, rows: x.rows, bits: bits, clip: clip, workspace: try makeWorkspace(maxRows: max(1, min(x.rows, 256))))
  }

  public func decompress(_ file: CodeFile) throws -> Tensor {
    try checkBelongs(file)
    guard file.rows.multipliedReportingOverflow(by: inputWidth).overflow == false,
          (FloatBuffer.physicalMemory.map { file.rows * inputWidth <= $0 / 4 } ?? true) else {
      throw InferenceError(.overflow, "\(file.rows) rows of \(inputWidth) values do not fit in this machine's memory")
    }
    let x = Tensor(rows: file.rows, cols: inputWidth)
    try decodeCodes(of: file, into: x.data, workspace: try makeWorkspace(maxRows: max(1, min(file.rows, 256))))
    return x
  }

  private func checkCompressible() throws {
    guard conditionWidth == 0, table == nil else {
      throw InferenceError(.unsupported, "compression takes unconditional models (a \(spec.kind.rawValue) model's decoding needs its condition rows too)")
    }
  }
}

private func hex(_ value: UInt32) -> String {
  let digits = String(value, radix: 16)
  return String(repeating: "0", count: 8 - digits.count) + digits
}
