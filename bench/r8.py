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


def kernels():
    """What our library's products run on here (ae_kernels), asked in a fresh process."""
    out = subprocess.run([sys.executable, "-c", "import autoencoder; print(autoencoder.kernels())"], check=True,
                         capture_output=True, text=True, cwd=HERE).stdout
    return out.strip()


OURS = kernels()
OWN = OURS.endswith("(own)")


def run(command, threads):
    # Our side's threads: on its own kernels the workspace's (rows of a batch, the columns of a
    # single row's products) with OpenBLAS idle; on OpenBLAS, OpenBLAS's own threads.
    blas = 1 if OWN else threads
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(blas), OMP_NUM_THREADS=str(threads))
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env, cwd=HERE).stdout
    return json.loads(out.strip().splitlines()[-1])


def python_side(side, threads):
    return run([sys.executable, "r8_python.py", side, "--model", args.model, "--onnx", args.onnx,
                "--threads", str(threads), "--workspace-threads", str(threads if OWN else 1)], threads)


def c_side(threads):
    return run([args.c_bench, args.model, "5000", str(weights), str(threads if OWN else 1)], threads)


def cpu():
    """The CPU's model name and the vector extensions that matter here."""
    text = open("/proc/cpuinfo").read()
    name = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")), "?")
    family = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("cpu family")), "?")
    flags = set(next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), []))
    isa = [f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16") if f in flags]
    return f"{name} (family {family}), {os.cpu_count()} cores; {' '.join(isa)}"


import onnxruntime  # noqa: E402  (only for its version)
print(f"CPU: {cpu()}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}", file=sys.stderr)
print(f"ours: libautoencoder, products on {OURS}; onnxruntime {onnxruntime.__version__}, MLAS (kernels picked by CPU)",
      file=sys.stderr)


rows = []
for threads in [int(t) for t in args.threads.split(",")]:
    results = {"c": [], "ours": [], "ort": []}
    for repeat in range(args.repeats):
        order = ["c", "ours", "ort"] if repeat % 2 == 0 else ["ort", "ours", "c"]
        for side in order:
            results[side].append(c_side(threads) if side == "c" else python_side(side, threads))
        print(f"threads {threads}, repeat {repeat + 1}: " + ", ".join(f"{k} {v[-1]}" for k, v in results.items()),
              file=sys.stderr)
    rows.append((threads, {k: {m: statistics.median(r[m] for r in v) for m in v[0]} for k, v in results.items()}))

print(f"\nR8 inference, R1 model (784-256-32-256-784), reconstruct; medians of {args.repeats} alternated runs")
print(f"CPU: {cpu()}")
print(f"kernels: ours {OURS}; onnxruntime {onnxruntime.__version__} MLAS")
print(f"{'threads':>7} | {'single row, µs: C':>18} {'ours/py':>8} {'onnxrt/py':>9} {'ratio py':>8} | "
      f"{'batch-256 rows/s: C':>20} {'ours/py':>9} {'onnxrt/py':>9} {'ratio py':>8}")
floors = []
for threads, m in rows:
    s, b = "single_us", "batch_rows_per_s"
    print(f"{threads:>7} | {m['c'][s]:18.1f} {m['ours'][s]:8.1f} {m['ort'][s]:9.1f} {m['ours'][s] / m['ort'][s]:8.2f} | "
          f"{m['c'][b]:20.0f} {m['ours'][b]:9.0f} {m['ort'][b]:9.0f} {m['ours'][b] / m['ort'][b]:8.2f}")
    floors.append((threads, m["c"]["read_floor_us"], m["ort"][s]))
print("ratios are ours / onnxruntime, both from Python: latency lower is better (target <= 0.75), "
      "throughput higher is better (target >= 1.0)")
results = {"date": __import__("time").strftime("%Y-%m-%d", __import__("time").gmtime()), "cpu": cpu(), "kernels": OURS,
           "onnxruntime": onnxruntime.__version__, "repeats": args.repeats,
           "rows": [{"threads": t, **{f"{side}_{metric}": value for side, figures in m.items() for metric, value in figures.items()}}
                    for t, m in rows]}
with open(os.path.join(HERE, "results", "r8.json"), "w") as f:
    json.dump(results, f, indent=1)
for threads, floor, ort in floors:
    print(f"floor, {threads} thread(s): reading the {weights * 4 / 1e6:.2f} MB of weights once on one core takes "
          f"{floor:.1f} µs = {floor / ort:.2f} x onnxruntime's single-row call")
