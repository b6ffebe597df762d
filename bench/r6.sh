#!/usr/bin/env bash
# R6 (denoising): noisy input, Gaussian blur, BM3D, ours and PyTorch (R3 network, the best arch, the plain
# fully convolutional recipe). Usage: bash bench/r6.sh [--epochs 5] [--repeats 3] [--threads 1,2] [--bm3d-images 200]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash bench/setup.sh
cd bench && exec .venv/bin/python r6.py "$@"
