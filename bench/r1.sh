#!/usr/bin/env bash
# R1 + R4 side by side with PyTorch and scikit-learn. Usage: bash bench/r1.sh [--epochs 10] [--repeats 3] [--threads 1,2]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash bench/setup.sh
cd bench && exec .venv/bin/python r1.py "$@"
