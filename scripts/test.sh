#!/usr/bin/env bash
# The whole test suite: Swift unit and CLI tests, the C library's checks, the Python tests,
# then the sanitizer runs (scripts/sanitizers.sh, about 10 minutes; SANITIZERS=0 leaves them
# out of a local run, never out of CI).
# Usage: bash scripts/test.sh
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
bash scripts/python-env.sh || exit 1

swift build -c release --build-tests 2>&1 | grep -E 'error|warning: unre|Build' >&2
export AE_BINARY="$PWD/.build/release/ae"

log=$(mktemp)
swift test -c release --skip-build 2>&1 | tee "$log" | grep -E '^(✘|✔ Suite|✔ Test run|Test Suite .*(passed|failed)|.*error:)' 
swift_status=${PIPESTATUS[0]}
swift_total=$(grep -oE 'Test run with [0-9]+ tests' "$log" | grep -oE '[0-9]+' || echo 0)
swift_failed=$(grep -E '^✘ Test .* failed after' "$log" | grep -vc '^✘ Test run with' || true)
swift_passed=$((swift_total - swift_failed))
rm -f "$log"

# The C library, header, example and C test (also under valgrind).
c_log=$(mktemp)
bash bindings/c/tests/run.sh 2>&1 | tee "$c_log"
c_status=${PIPESTATUS[0]}
c_passed=$(sed -n 's/^c: \([0-9]*\) passed.*/\1/p' "$c_log"); c_failed=$(sed -n 's/^c: [0-9]* passed, \([0-9]*\) failed/\1/p' "$c_log")
rm -f "$c_log"

# Python: the model file read with h5py, and the ctypes binding.
export AUTOENCODER_LIBRARY="$PWD/.build-lib/release/libautoencoder.so"
.venv/bin/python -m pip install --quiet --disable-pip-version-check ./bindings/python
py_log=$(mktemp)
.venv/bin/python -m pytest -q Tests/python bindings/python/tests 2>&1 | tee "$py_log"
python_status=${PIPESTATUS[0]}
python_passed=$(grep -oE '[0-9]+ passed' "$py_log" | tail -1 | grep -oE '[0-9]+' || echo 0)
python_failed=$(grep -oE '[0-9]+ (failed|errors?)' "$py_log" | awk '{ s += $1 } END { print s + 0 }')
rm -f "$py_log"

# AddressSanitizer/UBSan and ThreadSanitizer builds of the Swift tests and the C test.
if [ "${SANITIZERS:-1}" != 0 ]; then
  san_log=$(mktemp)
  bash scripts/sanitizers.sh 2>&1 | tee "$san_log"
  san_status=${PIPESTATUS[0]}
  san_passed=$(sed -n 's/^sanitizers: \([0-9]*\) passed.*/\1/p' "$san_log"); san_failed=$(sed -n 's/^sanitizers: [0-9]* passed, \([0-9]*\) failed.*/\1/p' "$san_log")
  rm -f "$san_log"
else
  echo "sanitizers: not run (SANITIZERS=0)"
  san_status=0 san_passed=0 san_failed=0
fi

# Fuzzing the model-file loader (unverified path) for FUZZ_SECONDS (60 by default), after
# replaying every regression input; counts as one check.
if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
  bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
  fuzz_status=$?
else
  echo "fuzz: not run (FUZZ_SECONDS=0)"
  fuzz_status=0
fi

passed=$((swift_passed + ${c_passed:-0} + python_passed + ${san_passed:-0}))
failed=$((swift_failed + ${c_failed:-1} + ${python_failed:-0} + ${san_failed:-1}))
if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
  if [ "$fuzz_status" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi
if [ "$c_status" -ne 0 ] && [ "${c_failed:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
if [ "$python_status" -ne 0 ] && [ "${python_failed:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
if [ "$swift_status" -ne 0 ] && [ "$swift_failed" -eq 0 ]; then failed=$((failed + 1)); fi
if [ "$san_status" -ne 0 ] && [ "${san_failed:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
echo "tests: $passed passed, $failed failed"
[ "$swift_status" -eq 0 ] && [ "$c_status" -eq 0 ] && [ "$python_status" -eq 0 ] && [ "$san_status" -eq 0 ] && [ "$fuzz_status" -eq 0 ]
