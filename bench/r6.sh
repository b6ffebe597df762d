#!/usr/bin/env bash
# R6 (denoising) side by side with PyTorch. Usage: bash bench/r6.sh [--epochs 5] [--repeats 3] [--threads 1,2]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash bench/setup.sh
cd bench && exec .venv/bin/python r6.py "$@"
