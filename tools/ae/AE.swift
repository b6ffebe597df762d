import ArgumentParser
import Models
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
      Example: ae train --layers 256,32 --epochs 10 --data fashion-mnist --out model.h5
      """,
    version: AutoencoderVersion.string,
    subcommands: [Train.self, Eval.self, Encode.self, Decode.self, Reconstruct.self, Inspect.self, PCACommand.self, Montage.self, Sample.self, Interpolate.self, Seal.self]
  )

  static func main() {
    skipHDF5CleanupAtExit()
    main(nil)
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
