#!/usr/bin/env bash
# `ae augment` against SDV 2.0.0 (TVAE, GaussianCopula) on diamonds and penguins.
# Usage: bash bench/augment/tables.sh [--tables diamonds,penguins] [--seeds 1,2,3] [--tvae-seeds N]
#        [--skip-sdv] [--skip-ours] [--reuse-sdv] [--ae PATH] [--work DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh  # Debian packages, then swift build -c release: .build/release/ae
bash bench/augment/setup.sh
cd bench/augment && exec ../.venv/bin/python tables.py "$@"
