#!/usr/bin/env bash
# The compression and features bench (issue 13): ae compress against JPEG and quantized PCA codes
# on the Fashion-MNIST test set (bytes per image against PSNR), and a logistic regression on our
# 32-d codes against one on PCA-32 features. One run, about 10 minutes on 2 cores.
# Usage: bash bench/compression/run.sh [--epochs 5] [--latents 8,16,32,64] [--bits 2,3,4,6,8] [--threads 2]
# AE_BINARY=path/to/ae picks another build of ae (default: this checkout's .build/release/ae).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${AE_BINARY:-}" ]; then bash scripts/setup.sh; fi
bash bench/setup.sh
cd bench/compression && exec ../.venv/bin/python compression.py "$@"
