import ArgumentParser
import Models
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// `ae`: train autoencoders, inspect and use the model files.
@main
struct AE: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ae",
    abstract: "Train autoencoders, save them to HDF5, and use them.",
    discussion: """
      Progress goes to stderr, results to stdout (JSON lines where they are figures).
      Exit status: 0 done; 64 a usage mistake (error: and usage: lines on stderr); 1 a failure \
      while working (one error: line).
      Example: ae train --layers 256,32 --epochs 10 --data fashion-mnist --out model.h5
      """,
    // The kernels too: a bench or a bug report names what the products ran on.
    version: "\(AutoencoderVersion.string) (matrix products: \(BLAS.kernelDescription))",
    subcommands: [Train.self, Eval.self, Encode.self, Decode.self, Reconstruct.self, Score.self, Inspect.self,
                  PCACommand.self, Montage.self, Sample.self, Interpolate.self, Seal.self, Plot.self, Denoise.self, Inpaint.self,
                  Compress.self, Decompress.self, Export.self, Import.self, ReadHDF5Rows.self,
                  Augment.self, AudioCommand.self, MusicCommand.self]
  )

  /// Parse, run, and report any error by the one rule of `ErrorReport`, not by
  /// swift-argument-parser's default (which prints the whole usage, and exits 1 for the same
  /// mistake found in `run()` that it reports with 64 while parsing).
  static func main() {
    skipHDF5CleanupAtExit()
    let arguments = Array(CommandLine.arguments.dropFirst())
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
    } catch {
      ErrorReport.exit(with: error, arguments: arguments)
    }
  }
}

/// libhdf5 1.10 leaves a half-destroyed file ID behind when H5Fclose fails (its final flush
/// hit a full disk while saving), and its clean-up at exit then dereferences it: ae crashed
/// with SIGSEGV after reporting the error. ae closes every file it opens, so it asks libhdf5
/// to skip that clean-up; this must come before any other HDF5 call.
func skipHDF5CleanupAtExit() {
  typealias Function = @convention(c) () -> Int32
  guard let symbol = dlsym(nil, "H5dont_atexit") else { return }
  _ = unsafeBitCast(symbol, to: Function.self)()
}
