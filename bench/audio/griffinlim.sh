#!/usr/bin/env bash
# Griffin-Lim speed, librosa against `ae audio griffinlim`, on the same 1 s and 10 s clips at 16 kHz.
# The sides alternate (librosa, ae, librosa, ae, ...) for ROUNDS rounds a clip, all at one thread.
# librosa: seconds timed inside Python (STFT + griffinlim, after an in-process warm-up; see griffinlim_librosa.py).
# ae: wall clock of the whole command, minus nothing (process start, WAV reading and writing and the
# figures it prints included), so that ratio leans against ae, most on the 1 s clip; and the same work
# as librosa's side inside the process (STFT + Griffin-Lim, its JSON's griffinlim_seconds).
# Both in-process sides are also timed in CPU seconds (Python's process_time, ae's griffinlim_cpu_seconds):
# on a shared machine the wall clock also counts the time spent waiting for a core.
#
#   bash bench/audio/griffinlim.sh [OUT_DIR (default /tmp/ae-audio-bench)] [ROUNDS (default 5)]
#   AE=/path/to/ae bash bench/audio/griffinlim.sh   # another ae build (default: the repo's .build/release/ae)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-/tmp/ae-audio-bench}"
rounds="${2:-5}"
ae="${AE:-$here/../../.build/release/ae}"
python="$here/.venv/bin/python"
[ -x "$python" ] || { echo "error: bench/audio/.venv is missing; run bash bench/audio/setup.sh first." >&2; exit 1; }
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1

have_ae=1
if [ ! -x "$ae" ] || ! "$ae" audio griffinlim --help 2>&1 | grep -q "USAGE: ae audio griffinlim"; then
  have_ae=0
  echo "griffinlim: $ae is not built or has no 'audio griffinlim' command yet (swift build -c release); timing librosa only." >&2
fi
ae_threads=()  # ae's default is all cores; pin it to one when the command takes --threads
if ((have_ae)) && "$ae" audio griffinlim --help 2>&1 | grep -q -- "--threads"; then ae_threads=(--threads 1); fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
clips="$out/clips"
results="$out/griffinlim_rounds.tsv"
printf 'clip_seconds\tside\tround\tseconds\n' >"$results"
for length in 1 10; do
  for round in $(seq "$rounds"); do
    read -r seconds cpu < <("$python" "$here/griffinlim_librosa.py" --dir "$clips" --lengths "$length" --repeats 1 \
      | "$python" -c 'import json, sys; c = json.load(sys.stdin)["clips"][0]; print(c["median_seconds"], c["median_cpu_seconds"])')
    printf '%s\tlibrosa\t%s\t%s\n' "$length" "$round" "$seconds" >>"$results"
    printf '%s\tlibrosa-cpu\t%s\t%s\n' "$length" "$round" "$cpu" >>"$results"
    if ((have_ae)); then
      start=$EPOCHREALTIME
      read -r inside inside_cpu < <("$ae" audio griffinlim "$clips/tone_${length}s.wav" --out "$clips/tone_${length}s_ae.wav" \
        --iterations 32 "${ae_threads[@]}" \
        | "$python" -c 'import json, sys; d = json.load(sys.stdin); print(d["griffinlim_seconds"], d.get("griffinlim_cpu_seconds", "nan"))')
      end=$EPOCHREALTIME
      printf '%s\tae\t%s\t%s\n' "$length" "$round" "$(awk "BEGIN { print $end - $start }")" >>"$results"
      printf '%s\tae-inside\t%s\t%s\n' "$length" "$round" "$inside" >>"$results"
      printf '%s\tae-inside-cpu\t%s\t%s\n' "$length" "$round" "$inside_cpu" >>"$results"
    fi
  done
done

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(getconf _NPROCESSORS_ONLN) cores; one thread each side; load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg); rounds in $results"
"$python" - "$results" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
for length in sorted({row["clip_seconds"] for row in rows}, key=int):
    medians = {}
    for side in ("librosa", "librosa-cpu", "ae", "ae-inside", "ae-inside-cpu"):
        times = [float(row["seconds"]) for row in rows if row["clip_seconds"] == length and row["side"] == side]
        if times:
            medians[side] = statistics.median(times)
            print(f"{length:>2} s clip, {side:13}: median {medians[side]:.4f} s  (rounds: {', '.join(f'{t:.4f}' for t in times)})")
    if "ae" in medians:
        print(f"{length:>2} s clip, librosa / ae, in process (STFT + Griffin-Lim): {medians['librosa'] / medians['ae-inside']:.1f}x "
              f"by the wall clock, {medians['librosa-cpu'] / medians['ae-inside-cpu']:.1f}x in CPU time; "
              f"librosa in process / the whole ae command: {medians['librosa'] / medians['ae']:.1f}x")
PY
