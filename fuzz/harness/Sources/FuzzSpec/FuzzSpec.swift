// The second fuzz target: one input is the JSON of a model spec, as a model file's `spec`
// attribute holds it. A spec the loader would accept (`problems()` empty) is built, given
// weights and a scaling within the loader's bounds, and run through every compute call, so the
// runtime meets every architecture a hostile file could make the loader accept, without
// libhdf5 in the way: a file can pair any accepted spec with datasets of the shapes it implies.
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FuzzSupport
import Models
import Runtime
import Store
import Tensor

private let configured: Bool = {
  setenv("OPENBLAS_NUM_THREADS", "1", 1)
  return true
}()

private let verbose = getenv("FUZZ_VERBOSE") != nil

/// Sizes beyond these are accepted by the loader (up to 2^31 values, ModelSpec.sizeProblem)
/// but are skipped here: one input must run in milliseconds, not allocate gigabytes.
let maximumParameters = 1 << 20
let maximumWidth = 1 << 16
let maximumColumns = 1 << 20

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  _ = configured
  let bytes = UnsafeBufferPointer(start: data, count: size)
  guard let spec = try? JSONDecoder().decode(ModelSpec.self, from: Data(bytes)) else { return 0 }
  let problems = spec.problems()
  guard problems.isEmpty else {
    if verbose { print("refused: " + problems.joined(separator: "; ")) }
    return 0
  }
  // The loader's own account of the datasets, checked against what Autoencoder builds.
  let layout = spec.parameterLayout
  let parameters = layout.reduce(0) { $0 + $1.shape.reduce(1, *) }
  let widths = [spec.encoderInputWidth, spec.decoderInputWidth] + (spec.encoder + spec.decoder).map(\.units)
  let columns = (try? NetworkPlan(spec))?.maxColumns ?? 0
  guard parameters <= maximumParameters, widths.allSatisfy({ $0 <= maximumWidth }), columns <= maximumColumns else {
    if verbose { print("skipped: too large for one fuzz input (\(parameters) parameters)") }
    return 0
  }
  let model: Autoencoder
  do {
    model = try Autoencoder(spec: spec)
  } catch {
    fatalError("the spec passed problems() but Autoencoder refused it: \(error)")
  }
  let built = model.parameterTensors.map { "\($0.path) \($0.shape)" }
  guard built == layout.map({ "\($0.path) \($0.shape)" }) else {
    fatalError("the loader's parameter layout \(layout) differs from the model's \(built)")
  }
  // Weights within the loader's bounds: a pattern from the input's hash, with some large ones.
  var random = SeededRandom(seed: UInt64(truncatingIfNeeded: bytes.reduce(UInt64(14695981039346656037)) { ($0 ^ UInt64($1)) &* 1099511628211 }))
  for tensor in model.parameterTensors {
    let limit = tensor.path == ModelSpec.logVariancePath ? ModelFile.logVarianceLimit : 4
    let values = model.parameters.values + tensor.offset
    for i in 0..<tensor.count { values[i] = (random.uniform() * 2 - 1) * limit }
  }
  let d = spec.inputWidth
  if spec.inputWidth > 0 {
    model.scaling = Scaling(method: .standard, offset: (0..<d).map { Float($0 % 3) }, scale: (0..<d).map { 1 / Float(1 + $0 % 4) })
  }
  guard let inference = try? InferenceModel(model) else { return 0 }
  if verbose { print("loaded: \(spec.kind.rawValue), \(inference.inputWidth) -> \(inference.codeWidth), \(parameters) parameters") }
  exercise(inference)
  return 0
}
