#!/usr/bin/env bash
# Augmenting 100 labelled Fashion-MNIST images per class with a cvae's images: classifier
# accuracy with and without. Usage: bash bench/augment/images.sh [--seeds 1,2,3] [--epochs 30] [--perturb 0.5] [--no-mlp]
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh
bash bench/setup.sh
exec bench/.venv/bin/python bench/augment/images.py "$@"
