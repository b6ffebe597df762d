#!/usr/bin/env bash
# Our side of the timbre bench: trains `ae audio train --condition pitch` (default settings) on
# the General MIDI notes of make_notes.py, evaluates it on the held-out pitches beside the
# Griffin-Lim ceiling (`ae audio eval`), prints it next to the reference baselines
# (baselines.py's JSON), and times `ae audio generate` on one core (taskset -c 0): a 10 s
# sound, 5 rounds, each round the default passes (8, from the streaming phase), 32 passes and
# the real-time phase alone (--iterations 0) one after another; medians of the real-time factor
# by the wall clock and by CPU time (on a shared core the wall clock also counts waiting).
# Usage: bash bench/audio/timbre.sh [DATA_DIR]   (default /tmp/ae-audio-bench; AE=path/to/ae;
#        TRAIN=0 reuses DATA_DIR/timbre.h5 instead of training again)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${1:-/tmp/ae-audio-bench}
ae=${AE:-$here/../../.build/release/ae}
[ -d "$data/notes/train" ] || { echo "no notes in $data/notes: run make_notes.py first (README.md)" >&2; exit 1; }
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p')"

if [ "${TRAIN:-1}" != 0 ] || [ ! -f "$data/timbre.h5" ]; then
  start=$(date +%s.%N)
  "$ae" audio train --data "$data/notes/train" --out "$data/timbre.h5" --condition pitch --quiet > "$data/timbre-train.json"
  echo "train: $(cat "$data/timbre-train.json") ($(echo "$(date +%s.%N) - $start" | bc) s wall)"
fi
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

echo "load average before timing generate: $(cut -d' ' -f1-3 /proc/loadavg)"
rounds="$data/generate_rounds.tsv"
printf 'round\titerations\treal_time_factor\tcpu_real_time_factor\n' > "$rounds"
for round in 1 2 3 4 5; do
  for iterations in default 32 0; do
    passes=(); [ "$iterations" = default ] || passes=(--iterations "$iterations")
    taskset -c 0 "$ae" audio generate "$data/timbre.h5" --seconds 10 --seed "$round" --pitch 60 "${passes[@]}" \
      --out "$data/generated.wav" | python3 -c 'import json, sys; d = json.load(sys.stdin)
print(sys.argv[1], sys.argv[2], d["real_time_factor"], d.get("cpu_real_time_factor", float("nan")), sep="\t")' "$round" "$iterations" >> "$rounds"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$rounds" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
for iterations in ("default", "32", "0"):
    wall = [float(r["real_time_factor"]) for r in rows if r["iterations"] == iterations]
    cpu = [float(r["cpu_real_time_factor"]) for r in rows if r["iterations"] == iterations]
    name = "the default passes" if iterations == "default" else f"{iterations} Griffin-Lim passes"
    print(f"generate 10 s, one core, {name}: real-time factor median {statistics.median(wall):.0f}x by the wall clock "
          f"({', '.join(f'{x:.0f}' for x in wall)}), {statistics.median(cpu):.0f}x in CPU time ({', '.join(f'{x:.0f}' for x in cpu)})")
PY
