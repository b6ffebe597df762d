#!/usr/bin/env bash
# The audio/music bench's Python environment (bench/audio/.venv) and the Debian packages it renders with.
# Safe to run again: it installs nothing that is already there. Nothing downloads at run time afterwards.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
for package in fluidsynth fluid-soundfont-gm; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
python3 -m venv --help >/dev/null 2>&1 || missing+=(python3 python3-venv)
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
if ! .venv/bin/python -c "import librosa, numpy, scipy, soundfile, sklearn, music21, mido" 2>/dev/null; then
  echo "setup: installing librosa, numpy, scipy, soundfile, scikit-learn, music21 and mido into bench/audio/.venv" >&2
  .venv/bin/python -m pip install --quiet librosa numpy scipy soundfile scikit-learn music21 mido
fi
