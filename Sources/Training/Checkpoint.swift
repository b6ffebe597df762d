import Foundation
import Models
import Store
import Tensor

/// Training checkpoints: `DIR/checkpoint.h5`, a model file plus a `/training` group with the
/// optimizer state, the early-stopping state and the options the run used.
enum Checkpoint {
  static func path(in directory: String) -> String { directory + "/checkpoint.h5" }

  static func save(to directory: String, model: Autoencoder, optimizer: Optimizer, state: TrainingState, options: TrainingOptions) throws {
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw TrainingError("\(directory): cannot create the checkpoint folder: \(error.localizedDescription)")
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let optionsText = String(decoding: try encoder.encode(options), as: UTF8.self)
    try writeAtomically(to: path(in: directory)) { temporary in
      let file = try HDF5Group.create(file: temporary)
      try ModelFile.write(model, history: state.history, into: file)
      let training = try file.createGroup("training")
      try training.setAttribute("epoch", state.epoch)
      try training.setAttribute("optimizer_step", optimizer.step)
      try training.setAttribute("best_loss", state.bestLoss)
      try training.setAttribute("best_epoch", state.bestEpoch)
      try training.setAttribute("stale_epochs", state.staleEpochs)
      try training.setAttribute("options", optionsText)
      try training.write("optimizer_first", floats: optimizer.first)
      try training.write("optimizer_second", floats: optimizer.second)
      try training.write("best_parameters", floats: state.bestParameters)
      training.close() // HDF5 defers closing a file while any of its groups is open
      try file.finish()
      try Integrity.seal(temporary)
    }
  }

  /// Load a checkpoint into `model` and `optimizer`; the run's options must match the saved ones.
  static func restore(from directory: String, model: Autoencoder, optimizer: Optimizer, options: TrainingOptions) throws -> TrainingState {
    let file = try HDF5Group.open(file: path(in: directory))
    defer { file.close() }
    let (saved, history) = try ModelFile.read(from: file)
    guard saved.spec == model.spec else {
      throw TrainingError("\(path(in: directory)): the checkpoint's model differs from the one requested (layers, loss or regularizers changed)")
    }
    let training = try file.openGroup("training")
    let savedOptions = try JSONDecoder().decode(TrainingOptions.self, from: Data(try training.string("options").utf8))
    var comparable = savedOptions
    comparable.epochs = options.epochs
    guard comparable == options else {
      throw TrainingError("\(path(in: directory)): the checkpoint was made with different training options (\(describeDifference(savedOptions, options))); resume with the same ones")
    }
    model.parameters.setValues(saved.parameters.valueArray)
    model.pipeline = saved.pipeline
    let count = model.parameters.count
    let secondCount = options.optimizer.kind == .sgd ? 0 : count
    optimizer.restore(step: try training.integer("optimizer_step"),
                      first: try training.readFloats("optimizer_first", count: count),
                      second: try training.readFloats("optimizer_second", count: secondCount))
    var state = TrainingState(parameterCount: count)
    state.epoch = try training.integer("epoch")
    state.history = history
    state.bestLoss = try training.double("best_loss")
    state.bestEpoch = try training.integer("best_epoch")
    state.staleEpochs = try training.integer("stale_epochs")
    state.bestParameters = try training.readFloats("best_parameters", count: count)
    return state
  }

  private static func describeDifference(_ a: TrainingOptions, _ b: TrainingOptions) -> String {
    var parts: [String] = []
    if a.batchSize != b.batchSize { parts.append("batch \(a.batchSize) vs \(b.batchSize)") }
    if a.seed != b.seed { parts.append("seed \(a.seed) vs \(b.seed)") }
    if a.optimizer != b.optimizer { parts.append("optimizer settings") }
    if a.validationFraction != b.validationFraction { parts.append("validation \(a.validationFraction) vs \(b.validationFraction)") }
    if a.earlyStoppingPatience != b.earlyStoppingPatience { parts.append("early stopping") }
    return parts.joined(separator: ", ")
  }
}
