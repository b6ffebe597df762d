#if canImport(Glibc)
import Glibc
#endif
import Tensor

/// A workspace's helpers when it runs calls on several threads: one more workspace per extra
/// thread (each thread's share of the rows needs scratch of its own) and the threads that use
/// them. Made by `Workspace.setThreads`, never during a call; the threads end with the team.
///
/// A call hands the team a `ShareJob` (its arguments as a value: pointers and numbers, no
/// closure) and waits; the threads sleep on a condition variable between calls. Nothing is
/// allocated per call: a Swift closure handed to another thread would be (its context, or a
/// reabstraction thunk), and so may libdispatch's `concurrentPerform`, which also picks its own
/// thread count where the caller's setting must hold.
final class WorkerTeam {
  /// Threads a call runs on, the caller's included.
  var threads: Int { pool.helpers.count + 1 }
  /// Scratch of threads 1..<threads (thread 0, the caller's, uses the workspace itself).
  var helpers: [Workspace] { pool.helpers }
  private let pool: WorkerPool

  /// Throws `AllocationError` when a thread cannot be started.
  init(helpers: [Workspace]) throws {
    pool = try WorkerPool(helpers: helpers)
  }

  deinit { pool.stop() }

  /// Run `job` on min(threads, job.rows) contiguous shares of its rows, share 0 on the calling
  /// thread, and return when all are done: nil, or the error of the lowest share that failed
  /// (so the outcome does not depend on timing) with that share's index and first row.
  func run(_ job: ShareJob) -> (share: Int, start: Int, error: Error)? {
    pool.run(job)
  }
}

/// The rows of share `index` of `shares` over `rows` rows: contiguous, as even as can be.
@inline(__always)
func share(_ index: Int, of shares: Int, rows: Int) -> (start: Int, count: Int) {
  let base = rows / shares, extra = rows % shares
  return (index * base + min(index, extra), base + (index < extra ? 1 : 0))
}

/// Threads 1...helpers.count, asleep until `run` hands them a job; the caller runs share 0.
private final class WorkerPool {
  let helpers: [Workspace]
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  /// Signalled when a new round starts (or the pool stops), and when a round's last share ends.
  private let wake: UnsafeMutablePointer<pthread_cond_t>
  private let done: UnsafeMutablePointer<pthread_cond_t>
  /// Each share's error (nil: none); written only on failure.
  private let failures: UnsafeMutablePointer<Error?>
  private var threads: [pthread_t] = []
  // Under `mutex`:
  /// The round's job (read by the shares without the lock: it is set before the round starts
  /// and cleared after every share ended).
  private var job: ShareJob?
  private var round: UInt64 = 0
  /// Shares of this round (workers 1..<shares take part), and worker shares not ended yet.
  private var shares = 0
  private var pending = 0
  private var stopping = false

  init(helpers: [Workspace]) throws {
    self.helpers = helpers
    mutex = .allocate(capacity: 1)
    wake = .allocate(capacity: 1)
    done = .allocate(capacity: 1)
    failures = .allocate(capacity: helpers.count + 1)
    failures.initialize(repeating: nil, count: helpers.count + 1)
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(wake, nil)
    pthread_cond_init(done, nil)
    threads.reserveCapacity(helpers.count)
    for index in stride(from: 1, through: helpers.count, by: 1) {
      var thread = pthread_t()
      let start = Unmanaged.passRetained(WorkerStart(pool: self, index: index))
      let status = pthread_create(&thread, nil, { argument in
        let start = Unmanaged<WorkerStart>.fromOpaque(argument!).takeRetainedValue()
        start.pool.work(start.index)
        return nil
      }, start.toOpaque())
      guard status == 0 else {
        start.release()
        stop()
        throw AllocationError("cannot start a thread for a workspace (\(String(cString: strerror(status)))): \(threads.count) of \(helpers.count) started")
      }
      threads.append(thread)
    }
  }

  deinit {
    pthread_cond_destroy(done)
    pthread_cond_destroy(wake)
    pthread_mutex_destroy(mutex)
    failures.deinitialize(count: helpers.count + 1)
    failures.deallocate()
    done.deallocate()
    wake.deallocate()
    mutex.deallocate()
  }

  /// Run the job's shares (see `WorkerTeam.run`).
  func run(_ job: ShareJob) -> (share: Int, start: Int, error: Error)? {
    let shares = min(helpers.count + 1, job.rows)
    for t in 0..<shares { failures[t] = nil }
    if shares > 1 {
      pthread_mutex_lock(mutex)
      self.job = job
      self.shares = shares
      pending = shares - 1
      round &+= 1
      pthread_cond_broadcast(wake)
      pthread_mutex_unlock(mutex)
    }
    runShare(0, of: shares, job)
    if shares > 1 {
      pthread_mutex_lock(mutex)
      while pending > 0 { pthread_cond_wait(done, mutex) }
      self.job = nil
      pthread_mutex_unlock(mutex)
    }
    for t in 0..<shares {
      if let error = failures[t] {
        failures[t] = nil
        return (t, share(t, of: shares, rows: job.rows).start, error)
      }
    }
    return nil
  }

  /// Share `index` of the job, with its own scratch; its error goes to `failures[index]`.
  private func runShare(_ index: Int, of shares: Int, _ job: ShareJob) {
    let (start, count) = share(index, of: shares, rows: job.rows)
    do {
      try job.model.runShare(job, start: start, count: count, workspace: index == 0 ? job.workspace : helpers[index - 1])
    } catch {
      failures[index] = error
    }
  }

  /// A worker's life: wait for a round, run its share if it takes part, report, repeat.
  fileprivate func work(_ index: Int) {
    var seen: UInt64 = 0
    pthread_mutex_lock(mutex)
    while true {
      while round == seen && !stopping { pthread_cond_wait(wake, mutex) }
      if stopping { break }
      seen = round
      guard index < shares, let job else { continue }
      let shares = self.shares
      pthread_mutex_unlock(mutex)
      runShare(index, of: shares, job)
      pthread_mutex_lock(mutex)
      pending -= 1
      if pending == 0 { pthread_cond_signal(done) }
    }
    pthread_mutex_unlock(mutex)
  }

  /// End the threads (they finish no share: `run` never returns while one is in flight).
  func stop() {
    pthread_mutex_lock(mutex)
    stopping = true
    pthread_cond_broadcast(wake)
    pthread_mutex_unlock(mutex)
    for thread in threads { pthread_join(thread, nil) }
    threads.removeAll()
  }
}

/// What a new thread needs: its pool (retained until the thread ends) and its share's index.
private final class WorkerStart {
  let pool: WorkerPool
  let index: Int
  init(pool: WorkerPool, index: Int) { self.pool = pool; self.index = index }
}
