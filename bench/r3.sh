#!/usr/bin/env bash
# R3 (convolutional AE) side by side with PyTorch. Usage: bash bench/r3.sh [--epochs 5] [--repeats 3] [--threads 1,2]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash bench/setup.sh
cd bench && exec .venv/bin/python r3.py "$@"
