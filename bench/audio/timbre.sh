#!/usr/bin/env bash
# Our side of the timbre bench: trains `ae audio train --condition pitch` (default settings) on
# the General MIDI notes of make_notes.py, evaluates it on the held-out pitches beside the
# Griffin-Lim ceiling (`ae audio eval`), prints it next to the reference baselines
# (baselines.py's JSON), and times `ae audio generate` on one core (taskset -c 0): a 10 s
# sound, median of 5, with the default 32 Griffin-Lim passes and with the real-time phase
# alone (--iterations 0).
# Usage: bash bench/audio/timbre.sh [DATA_DIR]   (default /tmp/ae-audio-bench; AE=path/to/ae)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${1:-/tmp/ae-audio-bench}
ae=${AE:-$here/../../.build/release/ae}
[ -d "$data/notes/train" ] || { echo "no notes in $data/notes: run make_notes.py first (README.md)" >&2; exit 1; }
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p')"

start=$(date +%s.%N)
"$ae" audio train --data "$data/notes/train" --out "$data/timbre.h5" --condition pitch --quiet > "$data/timbre-train.json"
echo "train: $(cat "$data/timbre-train.json") ($(echo "$(date +%s.%N) - $start" | bc) s wall)"
"$ae" audio eval "$data/timbre.h5" --data "$data/notes/test" --json > "$data/timbre-eval.json"
"$ae" audio eval "$data/timbre.h5" --data "$data/notes/train" --json > "$data/timbre-eval-train.json"

python3 - "$data" <<'PY'
import json, sys
d = sys.argv[1]
ours, train = json.load(open(f"{d}/timbre-eval.json")), json.load(open(f"{d}/timbre-eval-train.json"))
try:
    ref = json.load(open(f"{d}/baselines.json"))
except FileNotFoundError:
    ref = None
def row(name, s):
    print(f"| {name} | {s['lsd_db']:.2f} | {s['spectral_convergence']:.3f} | {s['mr_stft']:.3f} |")
print("| reconstruction (held-out pitches) | LSD dB | SC | MR-STFT |\n|---|---:|---:|---:|")
row("Griffin-Lim ceiling (ae)", ours["griffin_lim"])
if ref:
    for name, s in ref["results"].items():
        row(f"{name} (reference, librosa)", s)
row("ae timbre model", ours["model"])
row("ae timbre model, training pitches", train["model"])
PY

for iterations in 32 0; do
  times=()
  for round in 1 2 3 4 5; do
    times+=("$(taskset -c 0 "$ae" audio generate "$data/timbre.h5" --seconds 10 --seed "$round" --pitch 60 \
      --iterations "$iterations" --out "$data/generated.wav" | python3 -c 'import json,sys; print(json.load(sys.stdin)["real_time_factor"])')")
  done
  echo "generate 10 s, one core, $iterations Griffin-Lim passes: real-time factors ${times[*]}; median $(printf '%s\n' "${times[@]}" | sort -g | sed -n 3p)"
done
