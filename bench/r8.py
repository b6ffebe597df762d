"""R8: the R1 model through our library (from C, and from Python through the binding) against
onnxruntime with the same weights, 1 and 2 threads, alternated runs, medians, ratios."""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True)
parser.add_argument("--onnx", required=True)
parser.add_argument("--c-bench", required=True)
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--threads", default="1,2")
args = parser.parse_args()


def parameter_count(path):
    """Floats in the model's layers: what a single-row call must read once."""
    import h5py
    with h5py.File(path, "r") as f:
        return sum(group[name].size for part in ("encoder", "decoder")
                   for group in f[part].values() for name in ("kernel", "bias"))


weights = parameter_count(args.model)


def run(command, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env, cwd=HERE).stdout
    return json.loads(out.strip().splitlines()[-1])


def python_side(side, threads):
    return run([sys.executable, "r8_python.py", side, "--model", args.model, "--onnx", args.onnx,
                "--threads", str(threads)], threads)


rows = []
for threads in [int(t) for t in args.threads.split(",")]:
    results = {"c": [], "ours": [], "ort": []}
    for repeat in range(args.repeats):
        order = ["c", "ours", "ort"] if repeat % 2 == 0 else ["ort", "ours", "c"]
        for side in order:
            results[side].append(run([args.c_bench, args.model, "5000", str(weights)], threads) if side == "c" else python_side(side, threads))
        print(f"threads {threads}, repeat {repeat + 1}: " + ", ".join(f"{k} {v[-1]}" for k, v in results.items()),
              file=sys.stderr)
    rows.append((threads, {k: {m: statistics.median(r[m] for r in v) for m in v[0]} for k, v in results.items()}))

print(f"\nR8 inference, R1 model (784-256-32-256-784), reconstruct; medians of {args.repeats} alternated runs")
print(f"{'threads':>7} | {'single row, µs: C':>18} {'ours/py':>8} {'onnxrt/py':>9} {'ratio py':>8} | "
      f"{'batch-256 rows/s: C':>20} {'ours/py':>9} {'onnxrt/py':>9} {'ratio py':>8}")
floors = []
for threads, m in rows:
    s, b = "single_us", "batch_rows_per_s"
    print(f"{threads:>7} | {m['c'][s]:18.1f} {m['ours'][s]:8.1f} {m['ort'][s]:9.1f} {m['ours'][s] / m['ort'][s]:8.2f} | "
          f"{m['c'][b]:20.0f} {m['ours'][b]:9.0f} {m['ort'][b]:9.0f} {m['ours'][b] / m['ort'][b]:8.2f}")
    floors.append((threads, m["c"]["read_floor_us"], m["ort"][s]))
print("ratios are ours / onnxruntime, both from Python: latency lower is better (target <= 0.5), "
      "throughput higher is better (target >= 1.0)")
for threads, floor, ort in floors:
    print(f"floor, {threads} thread(s): reading the {weights * 4 / 1e6:.2f} MB of weights once on one core takes "
          f"{floor:.1f} µs = {floor / ort:.2f} x onnxruntime's single-row call")
