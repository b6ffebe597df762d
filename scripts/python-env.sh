#!/usr/bin/env bash
# Creates .venv with what the Python tests and examples need from PyPI: numpy, h5py, pytest;
# dask, distributed and pandas (autoencoder.dask); pyspark and pyarrow (autoencoder.spark; its
# tests also need Java 17, and are skipped, saying so, without it); onnx and onnxruntime (the
# tests of ae export --onnx). pandas stays below 3, which
# PySpark 4.x does not yet support.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import numpy, h5py, pytest" 2>/dev/null; then
  echo "setup: installing numpy, h5py and pytest into .venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check numpy h5py pytest
fi
if ! .venv/bin/python -c "import dask.dataframe, distributed, pandas, pyspark, pyarrow, onnx, onnxruntime" 2>/dev/null; then
  echo "setup: installing dask, distributed, pandas, pyspark, pyarrow, onnx and onnxruntime into .venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "dask[dataframe]" distributed "pandas<3" pyspark pyarrow \
    onnx onnxruntime
fi
