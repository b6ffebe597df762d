#!/usr/bin/env bash
# GEMM kernels this CPU can use: OpenBLAS vs BLIS vs oneDNN at the products of R8 and R1.
#   bash bench/gemm/run.sh            (ROUNDS=2 REPEATS=9 by default)
# Installs libblis-dev and libdnnl-dev if missing, builds gemm.c with gcc -O2, then runs the
# 1- and 2-thread measurements alternately, ROUNDS times each, and prints a summary table
# (per shape: median over rounds of each side's median GFLOP/s).
# OPENBLAS_CORETYPE is left as the environment has it; the program prints its value.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=${ROUNDS:-2}
repeats=${REPEATS:-9}

if ! dpkg -s libblis-dev libdnnl-dev >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y --no-install-recommends libblis-dev libdnnl-dev
fi

build=${TMPDIR:-/tmp}/ae-gemm-bench
mkdir -p "$build" "$here/../results"
blis=/usr/lib/x86_64-linux-gnu/blis-openmp
# -lopenblas before -lblis: both export cblas_sgemm, and the first one linked is OpenBLAS's.
# The library's own kernels, compiled as the package builds them (clang: their loops are unrolled
# by clang pragmas).
kernels="$here/../../Sources/CGemm"
clang -O2 -I"$kernels/include" -c "$kernels/gemm.c" -o "$build/aegemm.o"
clang -O2 -I"$kernels/include" -c "$kernels/team.c" -o "$build/aeteam.o"
gcc -O2 -I/usr/include/x86_64-linux-gnu/blis-openmp -I"$kernels/include" "$here/gemm.c" "$build/aegemm.o" "$build/aeteam.o" \
  -o "$build/gemm" -lopenblas -L"$blis" -lblis -ldnnl -fopenmp -lpthread -lm

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)"
echo "# ONEDNN_VERBOSE=1, one call of each oneDNN path"
ONEDNN_VERBOSE=1 "$build/gemm" verbose | grep -E '^(#|onednn_verbose)'

log="$build/runs.txt"
: > "$log"
for round in $(seq "$rounds"); do
  for threads in 1 2; do
    echo "# round $round, $threads thread(s), load $(cut -d' ' -f1 /proc/loadavg)"
    "$build/gemm" "$threads" "$repeats" | tee -a "$log"
  done
done

# Debian's BLIS 0.9.0 does not know Zen 5 (family 0x1a) and runs its generic kernels there;
# these lines show what its own AVX-512 (skx) and Zen 3 (AVX2) kernels do when forced.
for arch in 0:skx 6:zen3; do
  echo "# BLIS forced: BLIS_ARCH_TYPE=${arch%%:*} (${arch#*:}), 1 thread"
  BLIS_ARCH_TYPE=${arch%%:*} "$build/gemm" 1 "$repeats" | grep -E '^(blis:|r[0-9]_[a-z0-9_]+ +[0-9x.]+ +blis )'
done

echo "# summary: median over $rounds rounds of each side's median GFLOP/s; best = fastest side / faster OpenBLAS path;"
echo "# ours/ob = our own kernels / the faster OpenBLAS path; %peak = ours / the widest FMA loop on as many threads,
# timed in the same rotation (fma_peak: the peak at the same moments)"
awk '
  /^threads:/ { threads = $2 }
  NF == 7 && $4 ~ /^[0-9.]+$/ {
    key = threads SUBSEP $1 SUBSEP $3; n = ++count[key]; rate[key, n] = $4; dims[$1] = $2
    if (!(($1) in seen)) { seen[$1] = 1; order[++shapes] = $1 }
  }
  function median(key,    n, i, j, t, v) {
    n = count[key]; for (i = 1; i <= n; i++) v[i] = rate[key, i]
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  END {
    printf "%-7s %-15s %-16s %8s %8s %8s %8s %8s %8s %6s %6s %6s %6s\n", "threads", "shape", "MxK.KxN", "openblas", "blis", "dnnl", "dnnl_mm", "ours", "ob_gemv", "best", "ours/ob", "peak", "%peak"
    split("openblas blis dnnl dnnl_mm ours ob_gemv", sides, " ")
    for (t = 1; t <= 2; t++) for (s = 1; s <= shapes; s++) {
      shape = order[s]; best = 0; line = sprintf("%-7d %-15s %-16s", t, shape, dims[shape])
      for (k = 1; k <= 6; k++) { key = t SUBSEP shape SUBSEP sides[k]; if (!count[key]) { line = line sprintf(" %8s", "-"); continue }; m = median(key); line = line sprintf(" %8.1f", m); if (m > best) best = m }
      ob = median(t SUBSEP shape SUBSEP "openblas")  # the faster OpenBLAS path: sgemm, or sgemv for a row
      if (count[t SUBSEP shape SUBSEP "ob_gemv"] && median(t SUBSEP shape SUBSEP "ob_gemv") > ob) ob = median(t SUBSEP shape SUBSEP "ob_gemv")
      ours = median(t SUBSEP shape SUBSEP "ours")
      fma = median(t SUBSEP shape SUBSEP "fma_peak")
      printf "%s %5.2fx %5.2fx %6.0f %5.0f%%\n", line, best / ob, ours / ob, fma, 100 * ours / fma
    }
  }' "$log" | tee "$here/../results/gemm-summary.txt"
