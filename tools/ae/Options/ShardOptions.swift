import ArgumentParser

/// `--shards N --shard-index I`: this process does one of N equal, contiguous shares of the
/// rows, so that any scheduler (a Slurm array, Kubernetes jobs, xargs -P) can split one job
/// without Python. The shards' outputs, concatenated in index order, are the whole job's.
struct ShardOptions: ParsableArguments {
  @Option(parsing: .unconditional, help: ArgumentHelp("Split the rows into N contiguous shards and do one of them (see --shard-index).", valueName: "N"))
  var shards: Int = 1

  @Option(name: .customLong("shard-index"), parsing: .unconditional,
          help: ArgumentHelp("Which shard this process does, 0...N-1 (for example $SLURM_ARRAY_TASK_ID).", valueName: "I"))
  var shardIndex: Int?

  func validate() throws {
    guard shards >= 1 else { throw ValidationError("--shards must be at least 1, got \(shards)") }
    if shards > 1 && shardIndex == nil { throw ValidationError("--shards \(shards) needs --shard-index (0...\(shards - 1))") }
    if let shardIndex, !(0..<shards).contains(shardIndex) {
      throw ValidationError("--shard-index must be 0...\(shards - 1) for --shards \(shards), got \(shardIndex)")
    }
  }

  var isSharded: Bool { shards > 1 }

  /// This shard's rows of `total`: the first total % N shards get one row more, so the sizes
  /// differ by at most one (no overflow, whatever the total).
  func range(of total: Int) -> Range<Int> {
    let index = shardIndex ?? 0, base = total / shards, extra = total % shards
    let start = index * base + min(index, extra)
    return start..<(start + base + (index < extra ? 1 : 0))
  }
}
