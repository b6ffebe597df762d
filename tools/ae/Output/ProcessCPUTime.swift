#if canImport(Glibc)
import Glibc
#endif

/// Seconds of CPU the process has used, all its threads together: what a timed step cost,
/// apart from the time it waited for a core on a busy machine (its wall clock counts both).
func processCPUSeconds() -> Double {
  var now = timespec()
  guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now) == 0 else { return 0 }
  return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}
