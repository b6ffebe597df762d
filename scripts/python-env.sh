#!/usr/bin/env bash
# Creates .venv with what the Python tests and examples need (numpy, h5py, pytest) from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import numpy, h5py, pytest" 2>/dev/null; then
  echo "setup: installing numpy, h5py and pytest into .venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check numpy h5py pytest
fi
