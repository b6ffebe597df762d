#!/usr/bin/env bash
# R8's C side (bench/r8_bench.c: ae_reconstruct_ws, one row and batches of 256) with two
# builds of libautoencoder, runs alternated: for changes that must not cost inference speed.
# The model must be one both builds read (a format-1 file for a format-1 build).
# Usage: bash bench/ab_r8.sh OLD_LIB_DIR NEW_LIB_DIR MODEL.h5 [REPEATS] [THREADS]
# (each LIB_DIR holds libautoencoder.so; THREADS is OpenBLAS's thread count, default 1)
set -euo pipefail
old=$1 new=$2 model=$3 repeats=${4:-5} threads=${5:-1}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for side in old new; do
  mkdir -p "$work/$side"
  cp "${!side}/libautoencoder.so" "$work/$side/"
  ln -s libautoencoder.so "$work/$side/libautoencoder.so.1"
done
cc -O3 -std=c99 -D_POSIX_C_SOURCE=199309L bench/r8_bench.c -Iinclude -L"$work/new" -lautoencoder -o "$work/r8_bench"
for i in $(seq "$repeats"); do
  order="old new"; [ $((i % 2)) = 0 ] && order="new old"
  for side in $order; do
    printf '%s ' "$side"
    OPENBLAS_NUM_THREADS=$threads LD_LIBRARY_PATH="$work/$side" "$work/r8_bench" "$model" 3000
  done
done | tee "$work/runs"
python3 - "$work/runs" <<'PY'
import json, statistics, sys
runs = {"old": [], "new": []}
for line in open(sys.argv[1]):
    side, text = line.split(" ", 1)
    runs[side].append(json.loads(text))
for key in ("single_us", "batch_rows_per_s"):
    old, new = (statistics.median(r[key] for r in runs[s]) for s in ("old", "new"))
    print(f"{key}: old {old:.1f}, new {new:.1f}, new/old {new / old:.3f}")
PY
