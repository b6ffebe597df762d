import ArgumentParser
import Runtime

/// Options of every command that reads a model file.
struct ModelFileOptions: ParsableArguments {
  @Flag(help: "Also read a model file that carries no checksum (written by h5py or another tool, not by ae). Its bytes then reach libhdf5 unchecked, and libhdf5 can crash or hang on damaged or malicious files: use this only for files you trust, or make a checked copy once with `ae seal`.")
  var unverified = false

  @Option(help: ArgumentHelp("What the model's layers run in: float32 (as trained), bfloat16 (kernels rounded to bfloat16) or int8 (dense and convolution layers in int8, their inputs quantized per row). Commands that run the model forward only; see docs/SPEED.md.",
                             valueName: "precision"))
  var precision: InferenceModel.Precision = .float32
}
