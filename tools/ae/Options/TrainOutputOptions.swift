import ArgumentParser

/// Where `ae train` writes: the model, checkpoints, progress.
struct TrainOutputOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Where to write the model (.h5).", valueName: "file"))
  var out: String = "model.h5"

  @Option(help: ArgumentHelp("Save a checkpoint in this folder after every epoch.", valueName: "folder"))
  var checkpoint: String?

  @Option(help: ArgumentHelp("Resume from the checkpoint in this folder (same options; --epochs may grow).", valueName: "folder"))
  var resume: String?

  @Flag(help: "No progress output.")
  var quiet = false
}
