import ArgumentParser

/// `ae train --stream`: read the data from disk in blocks while training.
struct StreamOptions: ParsableArguments {
  @Flag(help: "Read --data from disk block by block while training, for data larger than memory: a .npy file, an HDF5 dataset FILE.h5:/PATH (read by a process of its own), or a folder of .npy and .csv shards (in name order). Memory stays bounded: the shuffle window, one block of rows, and bounded held-out and statistics samples.")
  var stream = false

  @Option(name: .customLong("shuffle-buffer"), parsing: .unconditional,
          help: ArgumentHelp("With --stream: rows shuffled together, drawn from random blocks of 4096 rows (default: 64 MiB of rows).", valueName: "rows"))
  var shuffleBuffer: Int?

  func validate() throws {
    if let shuffleBuffer, shuffleBuffer < 1 { throw ValidationError("--shuffle-buffer must be at least 1, got \(shuffleBuffer)") }
    if shuffleBuffer != nil && !stream { throw ValidationError("--shuffle-buffer applies with --stream") }
  }
}
