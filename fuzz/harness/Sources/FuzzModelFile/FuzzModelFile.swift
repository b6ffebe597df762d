// The libFuzzer entry point: one input is the bytes of a model file, opened from memory with
// the checksum check off (verify: false), so the bytes reach libhdf5 (core driver), the audit
// (aeh5_audit) and the validators; a model that loads is then run once through every compute
// call it supports. Any crash, hang (-timeout), sanitizer report or trap is a finding; thrown
// errors are the expected outcome for damaged files.
#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
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
    // The path of `ae inspect` (history too), then the C library's own loader, which reads
    // the weights straight into the runtime's buffer (and never the history).
    loaded = try ModelFile.load(image: bytes, verify: false, history: true)
  } catch {
    if verbose { print("refused: \(error)") }
    _ = try? InferenceModel.load(image: bytes, verify: false) // it skips the history, so it may accept
    return 0
  }
  guard (try? InferenceModel.load(image: bytes, verify: false)) != nil, let model = try? InferenceModel(loaded.model) else {
    if verbose { print("refused by the runtime's loader") }
    return 0
  }
  if verbose { print("loaded: \(model.spec.kind.rawValue), \(model.inputWidth) -> \(model.codeWidth), \(loaded.history.loss.count) epochs") }
  exercise(model)
  return 0
}
