#!/usr/bin/env bash
# A Python environment for the benchmarks: PyTorch (CPU build), scikit-learn, h5py, numpy, and
# PyOD for the anomaly bench (anomaly/).
# A CPU-only torch wheel in pip's find-links folder is preferred; PyPI's build is the fallback.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
if ! .venv/bin/python -c "import torch, sklearn, h5py" 2>/dev/null; then
  local_torch=$(ls ${PIP_FIND_LINKS:-/opt/wheels}/torch-*+cpu-*.whl 2>/dev/null | head -1 || true)
  if [ -n "$local_torch" ]; then
    version=$(basename "$local_torch" | cut -d- -f2)
    .venv/bin/python -m pip install --quiet "torch==$version"
  else
    .venv/bin/python -m pip install --quiet torch
  fi
  .venv/bin/python -m pip install --quiet numpy scikit-learn h5py
fi
# PyOD imports tqdm for its deep models without declaring it; pinned so the anomaly bench's
# reference (anomaly/reference.py, PyOD's AutoEncoder at its defaults) stays the one measured.
if ! .venv/bin/python -c "import pyod, tqdm" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet "pyod==3.6.7" tqdm
fi
# Pillow: JPEG at matched sizes for the compression bench (compression/).
if ! .venv/bin/python -c "import PIL" 2>/dev/null; then .venv/bin/python -m pip install --quiet pillow; fi
.venv/bin/python -c "import bm3d, skimage" 2>/dev/null || .venv/bin/python -m pip install --quiet "bm3d==4.0.3" "scikit-image==0.26.0"  # R6: BM3D and SSIM
