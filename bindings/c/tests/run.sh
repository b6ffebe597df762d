#!/usr/bin/env bash
# The C side of the test suite: installs libautoencoder into a scratch prefix, checks the
# header compiles as strict C99 and C++, checks the exported symbols against the header,
# builds the examples and the C tests with pkg-config alone, runs them (the main test also
# under valgrind, the memory test under ulimit -v), and runs the example with the Swift
# toolchain's libraries out of reach.
# Prints "N passed, M failed" for its own checks.
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
ae="$root/.build/release/ae"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
passed=0 failed=0
check() { # check NAME COMMAND...
  local name=$1; shift
  if "$@" >"$work/out.txt" 2>&1; then passed=$((passed + 1)); echo "ok   $name"
  else failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' "$work/out.txt" | tail -20; fi
}

bash scripts/install-lib.sh "$prefix" >/dev/null 2>"$work/install.log" || { cat "$work/install.log"; exit 1; }
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"

# A small model and the Swift side's answers for it: sets c_test_args.
source bindings/c/tests/fixtures.sh
# A table model and its CSV: sets table_test_args.
source bindings/c/tests/table_fixture.sh
# A timbre model trained on pure tones: sets audio_test_args.
source bindings/c/tests/audio_fixture.sh

check "header compiles as C99 with -Wall -Wextra -Werror -pedantic" \
  cc -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c include/autoencoder.h
check "header compiles as C++11 with -Wall -Wextra -Werror" \
  c++ -std=c++11 -Wall -Wextra -Werror -fsyntax-only -x c++ include/autoencoder.h
exported=$(readelf --dyn-syms -W "$prefix/lib/libautoencoder.so" | awk '$7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK") && $8 != "AUTOENCODER_1" {sub(/@.*/, "", $8); print $8}' | sort)
declared=$(grep -oE '^AE_API [^(]*\bae_[a-z0-9_]+\(' include/autoencoder.h | grep -oE 'ae_[a-z0-9_]+\($' | tr -d '(' | sort)
check "exported symbols are exactly the header's functions" diff <(echo "$declared") <(echo "$exported")
check "SONAME carries the ABI version" sh -c "readelf -d '$prefix/lib/libautoencoder.so' | grep -q 'SONAME.*libautoencoder.so.1'"
check "no Swift runtime libraries needed" sh -c "! ldd '$prefix/lib/libautoencoder.so' | grep -i swift"
check "examples and tests build with pkg-config alone" make -s -C bindings/c clean all
check "C test against the Swift side's results" \
  bindings/c/test_autoencoder "${c_test_args[@]}"
tail -1 "$work/out.txt"
# The table calls, built here with pkg-config alone as the Makefile builds the other tests.
build_table_test() {
  cc -std=c99 -Wall -Wextra -Werror -O2 -g $(pkg-config --cflags autoencoder) -o "$work/test_table" \
    bindings/c/tests/test_table.c $(pkg-config --libs autoencoder) -Wl,-rpath,"$(pkg-config --variable=libdir autoencoder)" -lm
}
check "table test builds with pkg-config alone" build_table_test
check "table test: columns against the CSV, sampling, every error path" "$work/test_table" "${table_test_args[@]}"
tail -1 "$work/out.txt"
# Compressed codes: the C calls write the tool's bytes and refuse damaged or foreign data.
build_compression_test() {
  cc -std=c99 -Wall -Wextra -Werror -O2 -g $(pkg-config --cflags autoencoder) -o "$work/test_compression" \
    bindings/c/tests/test_compression.c $(pkg-config --libs autoencoder) -Wl,-rpath,"$(pkg-config --variable=libdir autoencoder)" -lm
}
check "compression test builds with pkg-config alone" build_compression_test
"$ae" compress "$work/model.h5" --data "$work/x.csv" --bits 8 --out "$work/codes.bin" >/dev/null
check "compression test: the tool's bytes, every error path" \
  "$work/test_compression" "$work/model.h5" "$work/x.csv" "$work/codes.bin" "$work/other.h5" "$work/cvae.h5"
tail -1 "$work/out.txt"
# The sound calls: every error path, steady streams at the notes asked for, no allocation in a pull.
check "stream test: sound calls, streams, no allocation in a pull" bindings/c/test_stream "${audio_test_args[@]}"
tail -1 "$work/out.txt"
# The stream example renders 3 s of a latent walk block by block: a WAV of 48000 samples, not silent.
check_stream_example() {
  bindings/c/stream "${audio_test_args[0]}" "$work/walk.wav" 3 60 7 &&
  python3 -c 'import sys, wave, array
f = wave.open(sys.argv[1]); n = f.getnframes(); x = array.array("h", f.readframes(n))
assert f.getframerate() == 16000 and f.getnchannels() == 1, "not 16 kHz mono"
assert n == 48000, f"{n} samples, not 48000"
peak = max(abs(v) for v in x); assert peak > 300, f"silent: peak {peak}"
print(f"{n} samples, peak {peak / 32768:.3f}")' "$work/walk.wav"
}
check "stream example writes 3 s of sound block by block" check_stream_example
grep "real-time factor" "$work/out.txt"
# Exhausted memory: under a 1 GiB address-space limit, a workspace of several GiB (less than
# physical memory) fails in malloc and must come back as AE_ERROR_OUT_OF_MEMORY, not an abort.
check "a workspace beyond ulimit -v: AE_ERROR_OUT_OF_MEMORY, and the library works on" \
  bash -c "ulimit -v 1048576 && exec bindings/c/test_memory '$work/model.h5' 2147483648"

# same_csv A B: the same numbers to 1e-5 relative (files of 9 significant digits).
same_csv() {
  awk -F, 'NR == FNR { for (i = 1; i <= NF; i++) a[FNR, i] = $i; n = FNR; next }
           { m = FNR; for (i = 1; i <= NF; i++) { d = a[FNR, i] - $i; if (d < 0) d = -d; s = (a[FNR, i] < 0 ? -a[FNR, i] : a[FNR, i]) + 1e-3; if (d / s > 1e-5) bad++ } }
           END { exit bad > 0 || m != n }' "$1" "$2"
}
# The examples print the same codes as `ae encode`, the same samples as `ae sample --class`
# (through the options struct, also on two workspace threads).
compare_codes() {
  bindings/c/encode "$work/model.h5" "$work/x.csv" > "$work/codes.csv" 2>/dev/null && same_csv "$work/z.csv" "$work/codes.csv"
}
check "encode example matches ae encode" compare_codes
compare_samples() {
  "$ae" sample "$work/cvae.h5" -n 9 --seed 3 --class 2 --out "$work/class2.csv" &&
  bindings/c/sample "$work/cvae.h5" 9 --seed 3 --class 2 > "$work/c-class2.csv" 2>/dev/null && same_csv "$work/class2.csv" "$work/c-class2.csv" &&
  bindings/c/sample "$work/cvae.h5" 9 --seed 3 --class 2 --threads 2 > "$work/c-class2.csv" 2>/dev/null && same_csv "$work/class2.csv" "$work/c-class2.csv"
}
check "sample example (ae_sample_v2) matches ae sample --class" compare_samples

# With the Swift toolchain's runtime folder hidden (a private mount namespace), or, where
# namespaces are not allowed, with a clean environment.
swift_lib=$(dirname "$(command -v swift)")/../lib/swift
if unshare --mount true 2>/dev/null; then
  check "example runs with the Swift toolchain's libraries hidden" unshare --mount sh -c \
    "mount -t tmpfs none '$swift_lib' && env -i PATH=/usr/bin:/bin bindings/c/encode '$work/model.h5' '$work/x.csv' >/dev/null"
else
  check "example runs in a clean environment" env -i PATH=/usr/bin:/bin bindings/c/encode "$work/model.h5" "$work/x.csv"
fi

# Memcheck. valgrind 3.19 cannot decode AVX-512: where OpenBLAS picks its SkylakeX kernels (on
# CPUs with AVX-512) the first matrix product under valgrind dies with SIGILL, after VEX's
# "unhandled instruction bytes". Such a run is reported as "valgrind skipped" with the reason
# and counted neither way, unless memcheck had found errors before it. A SIGILL without that
# message (a Swift trap is ud2) fails as usual. (OPENBLAS_CORETYPE stays the environment's:
# no dodging to other kernels.)
memcheck() { # memcheck NAME COMMAND...
  local name=$1 status; shift
  # (The braces keep bash's "Illegal instruction" job message out of the output.)
  { valgrind --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
      --log-file="$work/valgrind.log" "$@" >"$work/out.txt" 2>&1; } 2>/dev/null
  status=$?
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1)); echo "ok   $name"
  elif [ "$status" -eq 132 ] && grep -q 'unhandled instruction bytes' "$work/valgrind.log" &&
       grep -q 'ERROR SUMMARY: 0 errors' "$work/valgrind.log"; then
    local where bytes
    where=$(sed -n '/Illegal opcode at address/{n;s/.*: \([^ ]*\) (in .*/\1/p;q}' "$work/valgrind.log")
    bytes=$(awk '/unhandled instruction bytes/ { print $6, $7, $8, $9; exit }' "$work/valgrind.log")
    [ "${bytes:0:4}" = 0x62 ] && bytes="$bytes: EVEX, an AVX-512 instruction"
    echo "skip $name"
    echo "valgrind skipped: $(valgrind --version) cannot decode an instruction in ${where:-an unknown function}" \
         "(bytes ${bytes:-unknown}), so the run died with SIGILL; memcheck found no error before it. Not a failure."
  else
    failed=$((failed + 1)); echo "FAIL $name (exit status $status)"
    tail -20 "$work/out.txt" | sed 's/^/     /'
    grep -v '^==[0-9]*== *$' "$work/valgrind.log" | tail -40 | sed 's/^/     /'
  fi
}
if command -v valgrind >/dev/null; then
  memcheck "C test under valgrind memcheck: no leaks, no invalid accesses" \
    bindings/c/test_autoencoder_plain "${c_test_args[@]}"
  memcheck "table test under valgrind memcheck: no leaks, no invalid accesses" \
    "$work/test_table" "${table_test_args[@]}"
  memcheck "stream test under valgrind memcheck: no leaks, no invalid accesses" \
    bindings/c/test_stream_plain "${audio_test_args[@]}"
  memcheck "compression test under valgrind memcheck: no leaks, no invalid accesses" \
    "$work/test_compression" "$work/model.h5" "$work/x.csv" "$work/codes.bin" "$work/other.h5" "$work/cvae.h5"
else
  failed=$((failed + 1)); echo "FAIL valgrind is not installed"
fi
make -s -C bindings/c clean
echo "c: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
