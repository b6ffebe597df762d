#!/usr/bin/env bash
# Mel frames against the default timbre model (issue 12's "log-magnitude or mel frames"):
# trains `ae audio train --condition pitch --frames mel --mels N` (default epochs) on the notes of
# make_notes.py, evaluates it on the held-out pitches (`ae audio eval --json`), and measures the mel
# axis's own ceiling: each held-out note's true magnitudes through N mel bands and back, then
# Griffin-Lim (`ae audio griffinlim --mels N`), beside the plain Griffin-Lim ceiling. The default
# model's figures come from timbre.sh.
# Usage: bash bench/audio/mel.sh [DATA_DIR] [MELS]   (default /tmp/ae-audio-bench, 128; AE=path/to/ae)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${1:-/tmp/ae-audio-bench}
mels=${2:-128}
ae=${AE:-$here/../../.build/release/ae}
[ -d "$data/notes/test" ] || { echo "no notes in $data/notes: run make_notes.py first (README.md)" >&2; exit 1; }
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'); $(uptime)"

start=$(date +%s.%N)
"$ae" audio train --data "$data/notes/train" --out "$data/mel$mels.h5" --condition pitch --frames mel --mels "$mels" --quiet \
  > "$data/mel$mels-train.json"
echo "train: $(cat "$data/mel$mels-train.json") ($(echo "$(date +%s.%N) - $start" | bc) s wall)"
"$ae" audio eval "$data/mel$mels.h5" --data "$data/notes/test" --json > "$data/mel$mels-eval.json"

for axis in plain mel; do
  extra=()
  [ "$axis" = mel ] && extra=(--mels "$mels")
  for f in "$data"/notes/test/*.wav; do
    "$ae" audio griffinlim "$f" --out "$data/mel-ceiling.wav" "${extra[@]}" 2>/dev/null
  done > "$data/ceiling-$axis.jsonl"
done

python3 - "$data" "$mels" <<'PY'
import json, sys
d, mels = sys.argv[1], sys.argv[2]
def mean(path):
    rows = [json.loads(line) for line in open(path)]
    return {k: sum(r[k] for r in rows) / len(rows) for k in ("lsd_db", "spectral_convergence", "mr_stft")}, len(rows)
def row(name, s):
    print(f"| {name} | {s['lsd_db']:.2f} | {s['spectral_convergence']:.3f} | {s['mr_stft']:.3f} |")
model = json.load(open(f"{d}/mel{mels}-eval.json"))
print(f"| held-out notes ({model['files']}) | LSD dB | SC | MR-STFT |\n|---|---:|---:|---:|")
plain, n = mean(f"{d}/ceiling-plain.jsonl")
row(f"Griffin-Lim ceiling, true magnitude (ae audio griffinlim, {n} notes)", plain)
row(f"mel-{mels} ceiling: true magnitude through the mel axis (ae audio griffinlim --mels {mels})", mean(f"{d}/ceiling-mel.jsonl")[0])
row(f"ae timbre model, --frames mel --mels {mels}", model["model"])
PY
