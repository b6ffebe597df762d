import Foundation
import Models
import Runtime
import Store
import Training

/// Load a model file for inference (checksum required unless `unverified`): every command that
/// only runs a model forward goes through the runtime, as C and Python do.
func loadInferenceModel(_ path: String, _ options: ModelFileOptions) throws -> InferenceModel {
  try explainingUnverified(path) { try InferenceModel.load(path: path, verify: !options.unverified).at(options.precision) }
}

/// Load a model file as the training model (for `ae eval` and `ae inspect`, which need its
/// losses and parameter tensors).
func loadModel(_ path: String, _ options: ModelFileOptions) throws -> (model: Autoencoder, history: TrainingHistory) {
  try refuseReducedPrecision(options)
  return try explainingUnverified(path) { try ModelFile.load(path, verify: !options.unverified) }
}

/// Commands that read the training model (its losses, parameters or history) work at float32.
func refuseReducedPrecision(_ options: ModelFileOptions) throws {
  guard options.precision == .float32 else {
    throw CommandError("--precision \(options.precision.rawValue): this command reads the training model, at float32; reduced precision is for the commands that run a model forward (encode, reconstruct, score, ...)")
  }
}

/// A file without a checksum is refused with what the user can do about it, in ae's terms.
func explainingUnverified<T>(_ path: String, _ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as StoreError where error.kind == .unverified {
    throw CommandError("\(path): the file carries no checksum, so it was not written by ae (h5py or another tool?); if you trust it, pass --unverified, or make a checked copy with `ae seal \(path)`")
  }
}

/// Refuse `rows` rows of `values` floats, `copies` times over (the rows, and their bytes on the
/// way to a file), when they cannot fit in this machine's memory, before allocating them: a
/// typo such as `-n 100000000000` is an error, not an abort.
func checkMemory(rows: Int, values: Int, copies: Int = 3, what: String) throws {
  let memory = Int(sysconf(Int32(_SC_PHYS_PAGES))) &* Int(sysconf(Int32(_SC_PAGESIZE)))
  guard let bytes = checkedProduct([rows, values, 4, copies]), bytes <= memory else {
    let needed = Double(rows) * Double(values) * Double(4 * copies) / 1e9
    throw CommandError("\(what) needs about \(String(format: "%.3g", needed)) GB of memory; this machine has \(String(format: "%.3g", Double(memory) / 1e9)) GB")
  }
}

/// Save a trained model for a training command; a failure says whether a file already at
/// `path` was left as it was (the save writes a temporary file and renames it).
func saveTrainedModel(_ model: Autoencoder, history: TrainingHistory, to path: String) throws {
  do {
    try ModelFile.save(model, history: history, to: path)
  } catch {
    let previous = FileManager.default.fileExists(atPath: path) ? "the file already there is unchanged" : "nothing was written"
    throw CommandError("\(path): the model was not saved (\(previous)): \(oneLine(error))")
  }
}
