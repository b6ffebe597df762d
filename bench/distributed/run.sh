#!/usr/bin/env bash
# Throughput on 1 and 2 local workers, scoring and generating table rows, against the single-process
# CLI (see README.md). Usage: bash bench/distributed/run.sh [--rows 10000000] [--repeats 3]
#   [--workers 1,2] [--chunk-rows 1000000] [--parts score,sample] [--outputs parquet,memory]
#   [--score excess] [--work /tmp/ae-bench-distributed]
set -euo pipefail
cd "$(dirname "$0")/../.."
ae=.build/release/ae
lib=.build-lib/release/libautoencoder.so
# Building takes minutes and scripts/setup.sh may apt-get install: this asks for the builds instead.
if [ ! -x "$ae" ] || [ ! -f "$lib" ]; then
  echo "distributed: needs $ae and $lib; build them with: bash scripts/setup.sh && bash scripts/build-lib.sh" >&2
  exit 1
fi
bash scripts/python-env.sh  # .venv with numpy, h5py, dask, distributed, pandas, pyarrow (installs only what is missing)
# One thread everywhere: --threads 1 for the CLI, Model's default of 1 in Dask's workers, and no
# BLAS threads behind either (Dask's nannies set these for workers too).
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
export AUTOENCODER_LIBRARY="$PWD/$lib" PYTHONPATH="$PWD/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
exec .venv/bin/python bench/distributed/distributed.py "$@"
