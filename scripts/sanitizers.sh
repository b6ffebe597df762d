#!/usr/bin/env bash
# Sanitizer runs, each in its own debug build (.build-asan, .build-tsan):
#   asan+ubsan  AddressSanitizer (with LeakSanitizer) on all code, UndefinedBehaviorSanitizer on
#               the C targets: the Swift tests, and the C test against that build's
#               libautoencoder.so. (swiftc on Linux refuses -sanitize=undefined; the debug
#               build's overflow, bounds and exclusivity checks are Swift's counterpart.)
#   tsan        ThreadSanitizer: the Swift tests that use threads, and the C test, whose eight
#               threads share one model.
# Prints a line per run, then "sanitizers: N passed, M failed" (Swift tests count one by one,
# a C test run as one), which scripts/test.sh adds to its totals. Exits non-zero on any failure.
# Usage: bash scripts/sanitizers.sh   (after scripts/setup.sh; takes about 10 minutes on 2 cores)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
passed=0 failed=0

# The training-outcome tests take minutes each in a debug build and run no code the shorter
# tests do not (training, evaluation, files); they stay with the release run of scripts/test.sh.
slow='BaselinesOnHeldOut|LearnsTimbres|BeatsPCA|ReachesPCA|LowersTheError|Sparser|MoveLess|BeforeFineTuning|FollowTheirClass|ImprovesTheELBO|ImprovesItsELBO|learnedVariancesMatch'
# Tests that run `ae` under ulimit -v: AddressSanitizer reserves terabytes of shadow memory,
# which such a limit refuses before the program starts.
limited='LargerThanMemory|LengthsItCannotRender'
# Tests that start threads: data-parallel training, and anything named for threads.
threaded='Parallel|ReproducibilityTests|[Tt]hread|[Cc]oncurren'

# UBSan stops at the first report (by default it would print and go on); LeakSanitizer skips
# the toolchain's own leaks (scripts/lsan.supp).
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$root/scripts/lsan.supp:print_suppressions=0
# The toolchain's clang: its sanitizer runtimes are the ones swiftc links.
toolchain=$(dirname "$(readlink -f "$(command -v swift)")")
swift_lib=$toolchain/../lib/swift/linux

# build NAME SCRATCH SWIFTPM-FLAGS...: a debug build of everything with the tests.
# AE_SANITIZED turns the tests' malloc interposer off (a sanitizer owns malloc).
build() {
  local name=$1 scratch=$2; shift 2
  echo "$name: building ($scratch)"
  if ! swift build --build-tests --scratch-path "$scratch" "$@" -Xcc -DAE_SANITIZED=1 >"$work/build.log" 2>&1; then
    grep -vE 'Cannot export local symbol|^\[[0-9]+/[0-9]+\]' "$work/build.log" | tail -30
    failed=$((failed + 1)); echo "FAIL $name: build"
    return 1
  fi
}

# swift_tests NAME SCRATCH SWIFT-TEST-FLAGS...: runs the built tests; counts them.
swift_tests() {
  local name=$1 scratch=$2 log="$work/$1-swift.log" status successes failures skipped; shift 2
  AE_BINARY="$root/$scratch/debug/ae" swift test --skip-build --scratch-path "$scratch" "$@" >"$log" 2>&1
  status=$?
  # (Not the closing "Test run with N tests ..." line.)
  successes=$(grep -E '^✔ Test .* passed after' "$log" | grep -vc '^✔ Test run with')
  failures=$(grep -E '^✘ Test .* failed after' "$log" | grep -vc '^✘ Test run with')
  skipped=$(grep -cE '^➜ Test .* skipped' "$log")
  # A sanitizer report ends the process in the middle of a test: one failure more.
  if [ "$status" -ne 0 ] && [ "$failures" -eq 0 ]; then failures=1; fi
  passed=$((passed + successes)); failed=$((failed + failures))
  echo "$name swift: $successes passed, $failures failed, $skipped skipped"
  if [ "$status" -ne 0 ]; then
    grep -E '^✘|ERROR: [A-Za-z]+Sanitizer|WARNING: ThreadSanitizer|runtime error|SUMMARY: ' "$log" | head -20 | cut -c1-300
    grep -m1 -A40 -E 'ERROR: [A-Za-z]+Sanitizer|WARNING: ThreadSanitizer|runtime error' "$log" | cut -c1-300
  fi
}

# c_test NAME SCRATCH CLANG-FLAGS...: the C test against SCRATCH's libautoencoder.so, built
# with the toolchain's clang (its sanitizer runtimes match swiftc's). The build that leaves
# malloc alone (-DAE_TEST_UNDER_VALGRIND): the counting one defines malloc itself.
c_test() {
  local name=$1 lib="$root/$2/debug" log="$work/$1-c.log"; shift 2
  # libdispatch and BlocksRuntime: the toolchain's TSan runtime intercepts libdispatch.
  if "$toolchain/clang" -std=c99 -g -O1 -fno-omit-frame-pointer "$@" -D_GNU_SOURCE -DAE_TEST_UNDER_VALGRIND -Iinclude \
       bindings/c/tests/test_autoencoder.c -o "$work/test_$name" -L"$lib" -lautoencoder -L"$swift_lib" \
       -ldispatch -lBlocksRuntime -Wl,-rpath,"$lib:$swift_lib" -lpthread -lm >"$log" 2>&1 &&
     "$work/test_$name" "${c_test_args[@]}" >>"$log" 2>&1; then
    passed=$((passed + 1)); echo "$name c: ok   C test ($(tail -1 "$log"))"
  else
    failed=$((failed + 1)); echo "$name c: FAIL C test"
    grep -v 'Cannot export local symbol' "$log" | tail -60 | sed 's/^/     /'
  fi
}

# AddressSanitizer + UndefinedBehaviorSanitizer (C).
asan=(--sanitize=address -Xcc -fsanitize=undefined)
if build asan+ubsan .build-asan "${asan[@]}"; then
  swift_tests asan+ubsan .build-asan --skip "$slow|$limited"
  # The C test's inputs, from this build's `ae` (so its train, encode, sample, eval run too).
  ae="$root/.build-asan/debug/ae"
  source bindings/c/tests/fixtures.sh >"$work/fixtures.log" 2>&1
  if [ -s "$work/cvae_y.csv" ] && [ -n "$objective" ] && ! grep -qE 'Sanitizer|runtime error' "$work/fixtures.log"; then
    c_test asan+ubsan .build-asan -fsanitize=address,undefined
  else
    failed=$((failed + 1)); echo "asan+ubsan c: FAIL making the C test's inputs with this build's ae"
    tail -60 "$work/fixtures.log" | cut -c1-300
    unset c_test_args
  fi
fi
echo "asan+ubsan: done after $(($(date +%s) - start)) s"

# ThreadSanitizer. Its runtime would run before it is set up inside CVector's target_clones
# resolver (an ifunc, resolved while the program loads; clang instruments it anyway, and
# -fsanitize-ignorelist does not reach it), so the C targets are built uninstrumented: their
# locks still count (TSan intercepts pthread), and the Swift code is instrumented as usual.
tsan=(--sanitize=thread -Xcc -fno-sanitize=thread)
if build tsan .build-tsan "${tsan[@]}"; then
  swift_tests tsan .build-tsan --filter "$threaded"
  if [ -n "${c_test_args+x}" ]; then c_test tsan .build-tsan -fsanitize=thread
  else echo "tsan c: not run, without the inputs the asan+ubsan run makes"; fi
fi

echo "sanitizers: $passed passed, $failed failed (in $(($(date +%s) - start)) s)"
[ "$failed" -eq 0 ]
