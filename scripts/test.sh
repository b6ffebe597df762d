#!/usr/bin/env bash
# The whole test suite: Swift unit and CLI tests, then the Python model-file tests.
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
swift_failed=$(grep -cE '^✘ Test .* failed after' "$log" || true)
swift_passed=$((swift_total - swift_failed))
rm -f "$log"

.venv/bin/python -m pytest -q Tests/python
python_status=$?
summary=$(.venv/bin/python -m pytest -q Tests/python --co 2>/dev/null | grep -cE '::' || true)
if [ "$python_status" -eq 0 ]; then python_passed=$summary; python_failed=0; else python_passed=0; python_failed=$summary; fi

passed=$((swift_passed + python_passed))
failed=$((swift_failed + python_failed))
if [ "$swift_status" -ne 0 ] && [ "$swift_failed" -eq 0 ]; then failed=$((failed + 1)); fi
echo "tests: $passed passed, $failed failed"
[ "$swift_status" -eq 0 ] && [ "$python_status" -eq 0 ]
