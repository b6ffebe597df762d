#!/usr/bin/env bash
# R8 side by side with onnxruntime. Usage: bash bench/r8.sh [--repeats 3] [--threads 1,2]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash bench/setup.sh
bench/.venv/bin/python -c "import onnx, onnxruntime" 2>/dev/null || bench/.venv/bin/python -m pip install --quiet onnx onnxruntime
work=bench/results
mkdir -p "$work"
prefix="$PWD/$work/prefix"
bash scripts/install-lib.sh "$prefix" 2>/dev/null
bench/.venv/bin/python -m pip install --quiet --disable-pip-version-check ./bindings/python
if [ ! -f "$work/r1.h5" ]; then
  .build/release/ae train --layers 256,32 --epochs 1 --data fashion-mnist --out "$work/r1.h5" --quiet >/dev/null
fi
bench/.venv/bin/python bench/r8_export.py "$work/r1.h5" "$work/r1.onnx"
cc -O3 -march=native -std=c99 -D_POSIX_C_SOURCE=199309L bench/r8_bench.c -I"$prefix/include" -L"$prefix/lib" -lautoencoder \
  -Wl,-rpath,"$prefix/lib" -o "$work/r8_bench"
export AUTOENCODER_LIBRARY="$prefix/lib/libautoencoder.so"
cd bench && exec .venv/bin/python r8.py --model "$PWD/results/r1.h5" --onnx "$PWD/results/r1.onnx" \
  --c-bench "$PWD/results/r8_bench" "$@"
