import Tensor

/// Calls on several threads: a workspace set to n threads splits each call's rows into n
/// contiguous shares (as even as can be; rows r*m/n ..< (r+1)*m/n, roughly), computes share 0
/// on the calling thread and the others on the workspace's own threads, each share with its
/// own scratch, and returns when all are done.
///
/// - The threads and their scratch are made by `setThreads`, once: a call allocates nothing.
/// - Results are the same run to run, bit for bit, for a fixed thread count (each share runs
///   the one-thread code on fixed rows), and equal the one-thread results to rounding (BLAS
///   may pick other kernels for the shares' smaller matrices).
/// - A call with one row runs its layers' products split by columns over the same number of
///   threads (BLAS.Team; own kernels only), so each core reads its share of the weights.
/// - OpenBLAS keeps its own threads: each share's matrix products may use them too (the
///   runtime never changes OpenBLAS's process-wide thread count).
extension Workspace {
  /// The most threads a workspace can run a call on.
  public static let maxThreads = 256

  /// Threads a call with this workspace splits its rows over (1 until `setThreads`).
  public var threads: Int { team?.threads ?? 1 }

  /// Run later calls with this workspace on `count` threads (1 ... `maxThreads`; 1 is the
  /// calling thread alone). Allocates each extra thread a scratch block as large as this
  /// workspace's and starts the threads (they sleep between calls and end with the
  /// workspace). Throws `invalidArgument` for a count out of range, `AllocationError` when the
  /// scratch or a thread cannot be had; the workspace is then as it was.
  public func setThreads(_ count: Int) throws {
    guard (1...Workspace.maxThreads).contains(count) else {
      throw InferenceError(.invalidArgument, "a workspace runs on 1 to \(Workspace.maxThreads) threads, not \(count)")
    }
    guard count != threads else { return }
    guard count > 1 else {
      team = nil // its threads end here
      productTeam = nil
      return
    }
    // Each workspace is checked against physical memory as it is made; all of them together
    // must fit too (with overcommit, allocations that cannot all be backed succeed, and the
    // process is killed when their pages are touched).
    let floats = blockFloats
    let (bytes, overflow) = floats.multipliedReportingOverflow(by: count * MemoryLayout<Float>.stride)
    if let physical = FloatBuffer.physicalMemory, overflow || bytes > physical {
      throw AllocationError("\(count) threads' scratch (\(count) x \(floats * MemoryLayout<Float>.stride) bytes) is more than this machine's physical memory (\(physical) bytes): use fewer threads or a workspace of fewer rows")
    }
    var helpers = Array((team?.helpers ?? []).prefix(count - 1))
    while helpers.count < count - 1 {
      helpers.append(try Workspace(model: model, maxRows: maxRows))
    }
    let rowTeam = try WorkerTeam(helpers: helpers)
    let products = BLAS.Team(threads: count)
    if BLAS.usesOwnKernels && products == nil {
      throw AllocationError("cannot start \(count - 1) threads to split a single row's products")
    }
    team = rowTeam
    productTeam = products
  }
}

extension InferenceModel {
  /// Run `job` on the shares of its rows with `team`, one per thread. When a share fails,
  /// every value of `first` and `second` (rows of their widths) is set to NaN if the failure
  /// is a result that does not fit in Float (as `passes` does), and the error of the lowest
  /// share that failed is thrown, its row numbers noted as counted from the share's first row.
  func split(_ job: ShareJob, _ team: WorkerTeam, _ first: Output, _ second: Output? = nil) throws {
    job.workspace.splitting = true
    let outcome = team.run(job)
    job.workspace.splitting = false
    guard let failure = outcome else { return }
    guard let problem = failure.error as? InferenceError, problem.kind == .nonFinite else { throw failure.error }
    first.values.update(repeating: .nan, count: job.rows * first.width)
    second.map { $0.values.update(repeating: .nan, count: job.rows * $0.width) }
    guard failure.share > 0 else { throw problem }
    throw InferenceError(.nonFinite, problem.description + " (with the rows split over \(min(team.threads, job.rows)) threads: row numbers count from row \(failure.start), where thread \(failure.share + 1)'s share begins)")
  }
}
