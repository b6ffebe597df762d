#!/usr/bin/env bash
# R2 (VAE) side by side with PyTorch. Usage: bash bench/r2.sh [--epochs 10] [--repeats 3] [--threads 1,2]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash bench/setup.sh
cd bench && exec .venv/bin/python r2.py "$@"
