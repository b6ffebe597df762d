// The libFuzzer entry point: one input is the bytes of a model file, opened from memory with
// the checksum check off (verify: false), so the bytes reach libhdf5 (core driver), the audit
// (aeh5_audit) and the validators; a model that loads is then run once through every compute
// call it supports. Any crash, hang (-timeout), sanitizer report or trap is a finding; thrown
// errors are the expected outcome for damaged files.
#if canImport(Glibc)
import Glibc
#endif
import Models
import Runtime
import Store

/// One-time setup: single-threaded BLAS (the machine is shared and runs must be reproducible).
private let configured: Bool = {
  setenv("OPENBLAS_NUM_THREADS", "1", 1)
  return true
}()

/// Loads counted, for `FUZZ_VERBOSE=1` runs over a corpus (scripts/fuzz.sh --regressions).
private let verbose = getenv("FUZZ_VERBOSE") != nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  _ = configured
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  let loaded: (model: Autoencoder, history: TrainingHistory)
  do {
    // The path of `ae inspect` (history too); InferenceModel.load(image:verify:) is this
    // call with history: false followed by InferenceModel(model), done below.
    loaded = try ModelFile.load(image: bytes, verify: false, history: true)
  } catch {
    if verbose { print("refused: \(error)") }
    return 0
  }
  let model = InferenceModel(loaded.model)
  if verbose { print("loaded: \(model.spec.kind.rawValue), \(model.inputWidth) -> \(model.codeWidth), \(loaded.history.loss.count) epochs") }
  exercise(model)
  return 0
}

/// Every compute call the model supports, on two rows: zeros, and small values.
func exercise(_ model: InferenceModel) {
  let rows = 2, d = model.inputWidth, k = model.codeWidth, classes = model.classCount
  guard let workspace = try? model.makeWorkspace(maxRows: 1) else { return } // 1 row per pass: passes are run too
  var x = [Float](repeating: 0, count: rows * d)
  for j in 0..<d { x[d + j] = Float(j % 7) * 0.125 }
  var z = [Float](repeating: 0, count: rows * k)
  var codes = [Float](repeating: 0, count: rows * k) // decode's input: finite, unlike what encode may return
  for j in 0..<k { codes[k + j] = Float(j % 5) * 0.25 - 0.5 }
  var y = [Float](repeating: 0, count: rows * d)
  var scores = [Float](repeating: 0, count: rows)
  let labels: [Int32]? = classes > 0 ? [0, Int32(classes - 1)] : nil
  report {
    try labels.withOptionalPointer { l in
      try model.encode(x, rows: rows, labels: l, into: &z, workspace: workspace)
      try model.decode(codes, rows: rows, labels: l, into: &y, workspace: workspace)
      try model.reconstruct(x, rows: rows, labels: l, into: &y, workspace: workspace)
      try model.score(x, rows: rows, labels: l, into: &scores, workspace: workspace)
    }
  }
  if model.canSample {
    report {
      try model.sample(rows: rows, seed: 1, temperature: 1, label: classes > 0 ? classes - 1 : nil, into: &y,
                       codes: &z, workspace: workspace)
    }
    if classes == 0 {
      var logVariance = [Float](repeating: 0, count: rows * k)
      report { try model.encodeDistribution(x, rows: rows, mean: &z, logVariance: &logVariance, workspace: workspace) }
    }
  }
  if classes == 0 {
    let a = [Float](repeating: 0, count: k), b = [Float](repeating: 0.5, count: k)
    var path = [Float](repeating: 0, count: 3 * d)
    report { try model.interpolate(from: a, to: b, steps: 3, spherical: true, into: &path, workspace: workspace) }
  }
}

/// A compute call on a model that loaded must not throw for these inputs: all finite, labels in
/// range, the workspace its own. A refusal here means the loader let through a model the
/// runtime cannot run, which is a finding too (it traps, so libFuzzer saves the input).
func report(_ body: () throws -> Void) {
  do {
    try body()
  } catch {
    fatalError("a loaded model refused a valid call: \(error)")
  }
}

extension Optional where Wrapped == [Int32] {
  func withOptionalPointer<R>(_ body: (UnsafePointer<Int32>?) throws -> R) rethrows -> R {
    switch self {
    case .some(let array): try array.withUnsafeBufferPointer { try body($0.baseAddress) }
    case .none: try body(nil)
    }
  }
}
