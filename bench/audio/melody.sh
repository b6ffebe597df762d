#!/usr/bin/env bash
# Our side of the melody bench: `ae music train` (default settings, 2 bars) on the Essen folk
# songs make_melodies.py writes, then `ae music eval` on the held-out songs: token accuracy,
# accuracy on note starts and rests, and the baselines that use no model.
# Usage: bash bench/audio/melody.sh [DATA_DIR]   (default /tmp/ae-audio-bench; AE=path/to/ae)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${1:-/tmp/ae-audio-bench}
ae=${AE:-$here/../../.build/release/ae}
[ -d "$data/melodies/train" ] || { echo "no melodies in $data/melodies: run make_melodies.py first (README.md)" >&2; exit 1; }
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p')"
start=$EPOCHREALTIME
"$ae" music train --data "$data/melodies/train" --bars 2 --out "$data/melody.h5" --seed 1 --quiet
echo "train: $(awk "BEGIN { print $EPOCHREALTIME - $start }") s"
"$ae" music eval "$data/melody.h5" --data "$data/melodies/test" --json
