import ArgumentParser
import Foundation
import Models
import Store
import Tensor

/// `ae seal`: give a model file written by another tool the checksum ae's own files carry.
struct Seal: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a model file written by another tool (h5py, ...) and write a copy that carries ae's checksum.",
    usage: "ae seal <model.h5> [--out <sealed.h5>]",
    discussion: """
      The file is validated as a model, as every load does, then rewritten by this library: \
      loaded and saved again, because the checksum lives in an HDF5 user block that other writers \
      do not leave. The model, its scaling and its training history are kept; anything else in \
      the file is not. The copy goes to --out, or replaces FILE (written beside it, then renamed; \
      never in place). A file that is already sealed is reported as such; one whose checksum does \
      not match is damaged and refused. Seal only files you trust: the checksum says a file is \
      unchanged since sealing, not that it is safe.
      """)

  @Argument(help: "The model file to seal.") var modelPath: String
  @Option(help: ArgumentHelp("Write the sealed copy here (.h5) instead of replacing FILE.", valueName: "file")) var out: String?

  func run() throws {
    let target = out ?? modelPath
    if let out { try checkOutput(out, formats: [.h5]) } else { try checkOutput(modelPath, option: "", formats: nil) }
    let sealed = try ModelFile.readBytes(modelPath).withUnsafeBytes { Integrity.isSealed($0) }
    // A checksum that is present is checked even unverified: a damaged sealed file stops here.
    let (model, history) = try ModelFile.load(modelPath, verify: false)
    if sealed && out == nil {
      print("\(modelPath): already sealed (its checksum matches); nothing to do")
      return
    }
    try ModelFile.save(model, history: history, to: target)
    _ = try ModelFile.load(target, history: false) // the copy opens verified
    print(sealed ? "\(modelPath): already sealed; wrote a rewritten copy to \(target)"
                 : "\(modelPath): sealed; rewritten by autoencoder \(AutoencoderVersion.string) to \(target)")
  }
}
