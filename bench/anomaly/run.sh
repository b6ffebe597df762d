#!/usr/bin/env bash
# The anomaly bench (issue 13): ours against PyOD and PCA on one-class Fashion-MNIST, one run.
# Usage: bash bench/anomaly/run.sh [--classes 0-9] [--seed 1] [--models dense,conv,vae,conv64] [--scores loss,excess,mse,code,neighbours,combined] [--epochs 20]
# AE_BINARY=path/to/ae picks another build of ae (default: this checkout's .build/release/ae).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${AE_BINARY:-}" ]; then bash scripts/setup.sh; fi
bash bench/setup.sh
cd bench/anomaly && exec ../.venv/bin/python run.py "$@"
