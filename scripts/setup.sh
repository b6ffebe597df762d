#!/usr/bin/env bash
# Installs the Debian packages the project needs (when missing) and builds it in release mode.
# Safe to run again: it installs nothing that is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config gcc g++ make binutils valgrind libhdf5-dev libsndfile1-dev libopenblas-dev liblapack-dev
          libfftw3-dev libsamplerate0-dev zlib1g-dev libpng-dev dataset-fashion-mnist)
# The main job (scripts/demo.sh --demo) also renders General MIDI notes with fluidsynth.
[ "${1:-}" = "--demo" ] && packages+=(fluidsynth timgm6mb-soundfont)
missing=()
for package in "${packages[@]}"; do
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

if ! command -v swift >/dev/null; then
  echo "setup: swift is not on PATH; install the Swift 6 toolchain for Linux first" >&2
  exit 1
fi

echo "setup: building (release)" >&2
swift build -c release 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking|Applying)' >&2
