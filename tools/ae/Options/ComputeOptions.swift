import ArgumentParser
import Tensor

/// Options that set up the machine.
struct ComputeOptions: ParsableArguments {
  @Option(parsing: .unconditional, help: "Threads for matrix products, 1...1024 (default: all cores). Results are bit-identical for a fixed count.")
  var threads: Int?

  func validate() throws {
    if let threads, !(1...1024).contains(threads) {
      throw ValidationError("--threads must be a count of threads in 1...1024, got \(threads)")
    }
  }

  func apply() {
    if let threads { BLAS.threads = threads }
  }
}
