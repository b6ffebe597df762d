#!/usr/bin/env bash
# How fast Griffin-Lim converges, by where it starts and how many passes it runs: the curve behind
# the rendering commands' default of 8 passes (TimbreModel.defaultIterations).
# 1. From the true magnitudes of the held-out notes (make_notes.py's test/): `ae audio griffinlim
#    --initial-phase streaming|random --iterations K`, mean LSD / SC / MR-STFT against the note.
# 2. With the bench's timbre model (timbre.sh's timbre.h5, when present): `ae audio eval --iterations K`,
#    whose model rows render the model's magnitudes from the streaming phase as generate does.
# Usage: bash bench/audio/phase.sh [DATA_DIR]   (default /tmp/ae-audio-bench; AE=path/to/ae)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${1:-/tmp/ae-audio-bench}
ae=${AE:-$here/../../.build/release/ae}
[ -d "$data/notes/test" ] || { echo "no notes in $data/notes: run make_notes.py first (README.md)" >&2; exit 1; }
passes=(0 4 8 16 32)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "| start, from the true magnitudes (60 test notes) | passes | LSD dB | SC | MR-STFT |"
echo "|---|---:|---:|---:|---:|"
for start in streaming random; do
  for k in "${passes[@]}"; do
    for note in "$data"/notes/test/*.wav; do
      "$ae" audio griffinlim "$note" --out "$scratch/out.wav" --iterations "$k" --initial-phase "$start" 2>/dev/null
    done | python3 -c '
import json, sys
rows = [json.loads(line) for line in sys.stdin]
lsd, sc, mr = (sum(row[key] for row in rows) / len(rows) for key in ("lsd_db", "spectral_convergence", "mr_stft"))
print("| %s | %s | %.2f | %.3f | %.3f |" % (sys.argv[1], sys.argv[2], lsd, sc, mr))' "$start" "$k"
  done
done

if [ -f "$data/timbre.h5" ]; then
  echo
  echo "| timbre model on the test notes, from the streaming phase | passes | LSD dB | SC | MR-STFT |"
  echo "|---|---:|---:|---:|---:|"
  for k in "${passes[@]}"; do
    "$ae" audio eval "$data/timbre.h5" --data "$data/notes/test" --json --iterations "$k" | python3 -c '
import json, sys
m = json.load(sys.stdin)["model"]
print("| model | %s | %.2f | %.3f | %.3f |" % (sys.argv[1], m["lsd_db"], m["spectral_convergence"], m["mr_stft"]))' "$k"
  done
fi
