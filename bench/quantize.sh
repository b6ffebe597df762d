#!/usr/bin/env bash
# Reduced precision (issue 14): ours at float32, bfloat16 and int8 against onnxruntime at float32 and
# dynamic int8, speed and quality. Usage: bash bench/quantize.sh [--epochs 5] [--repeats 5]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash bench/setup.sh
bench/.venv/bin/python -c "import onnx, onnxruntime" 2>/dev/null || bench/.venv/bin/python -m pip install --quiet onnx onnxruntime
prefix="$PWD/bench/results/prefix"
bash scripts/install-lib.sh "$prefix" 2>/dev/null
bench/.venv/bin/python -m pip install --quiet --disable-pip-version-check ./bindings/python
export AUTOENCODER_LIBRARY="$prefix/lib/libautoencoder.so" OPENBLAS_NUM_THREADS=1
exec bench/.venv/bin/python bench/quantize.py "$@"
