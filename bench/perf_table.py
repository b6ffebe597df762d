"""The README's performance table, made from the benches' last results in bench/results/:
r8.json (bash bench/r8.sh), quantize/quantize.json (bash bench/quantize.sh), gemm-summary.txt
(bash bench/gemm/run.sh) and training.json (python bench/training.py). Rewrites the lines
between the table's markers in README.md; prints the table too.

    python3 bench/perf_table.py [--readme README.md]
"""
import argparse
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
BEGIN = "<!-- performance table: made by bench/perf_table.py from bench/results/ -->"
END = "<!-- end of performance table -->"


def load(name):
    path = os.path.join(RESULTS, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return f.read() if name.endswith(".txt") else json.load(f)


def r8_lines(r8):
    lines = []
    for row in r8["rows"]:
        t = row["threads"]
        lines.append(f"| R8 single row from Python, {t} thread{'s' if t > 1 else ''} | {row['ours_single_us']:.1f} µs | "
                     f"{row['ort_single_us']:.1f} µs | {row['ours_single_us'] / row['ort_single_us']:.2f} | ≤ 0.75 |")
        lines.append(f"| R8 single row from C, {t} thread{'s' if t > 1 else ''} | {row['c_single_us']:.1f} µs | | | |")
    for row in r8["rows"]:
        t = row["threads"]
        lines.append(f"| R8 batch-256 from Python, {t} thread{'s' if t > 1 else ''} | {row['ours_batch_rows_per_s'] / 1000:.0f}k rows/s | "
                     f"{row['ort_batch_rows_per_s'] / 1000:.0f}k rows/s | {row['ours_batch_rows_per_s'] / row['ort_batch_rows_per_s']:.2f} | ≥ 1.0 |")
    return lines


def quantize_lines(q):
    ort, ours, half = q["onnxruntime float32"], q["ours float32"], q["ours bfloat16"]
    change = lambda key, side, base: f"{100 * (side[key] / base[key] - 1):+.2f} %"
    lines = [f"| R8 single row at bfloat16 from Python, 1 thread | {half['single_us']:.1f} µs | "
             f"{ort['single_us']:.1f} µs (onnxruntime float32) | {half['single_us'] / ort['single_us']:.2f} | ≤ 0.5 |",
             f"| bfloat16's change in quality against float32 | MSE {change('mse', half, ours)}, −ELBO "
             f"{change('elbo', half, ours)}, AUROC {half['auroc'] - ours['auroc']:+.4f} | | | MSE ≤ +1 % |"]
    if "ours int8" in q:
        mine = q["ours int8"]
        lines += [f"| R8 single row at int8 from Python, 1 thread | {mine['single_us']:.1f} µs | "
                  f"{ort['single_us']:.1f} µs (onnxruntime float32) | {mine['single_us'] / ort['single_us']:.2f} | ≤ 0.5 |",
                  f"| int8's change in quality against float32 | MSE {change('mse', mine, ours)}, −ELBO "
                  f"{change('elbo', mine, ours)}, AUROC {mine['auroc'] - ours['auroc']:+.4f} | | | MSE ≤ +1 % |"]
    if "onnxruntime int8" in q:
        int8 = q["onnxruntime int8"]
        lines.append(f"| onnxruntime's dynamic int8, for comparison: single row; MSE change | | {int8['single_us']:.1f} µs; "
                     f"MSE {change('mse', int8, ort)} | | |")
        if "ours int8" in q:
            mine = q["ours int8"]
            lines.append(f"| R8 batch-256 at int8 from Python, 1 thread | {mine['batch_rows_per_s'] / 1000:.0f}k rows/s | "
                         f"{int8['batch_rows_per_s'] / 1000:.0f}k rows/s (onnxruntime int8) | "
                         f"{mine['batch_rows_per_s'] / int8['batch_rows_per_s']:.2f} | |")
    return lines


def gemm_lines(summary):
    lines = []
    for line in summary.splitlines():
        fields = line.split()
        # One thread: the per-core figure the target is about (2 threads share the machine's load).
        # Columns: threads shape dims 6 sides best ours/ob peak %peak (the peak: the FMA loop timed
        # in the same rotation as the products).
        if len(fields) == 13 and fields[0] == "1" and fields[1].startswith("r8_batch"):
            threads, dims, ours, ratio, fma, peak = fields[0], fields[2], fields[7], fields[10], fields[11], fields[12]
            lines.append(f"| dense product {dims.replace('.', ' · ')} (batch), {threads} thread{'s' if threads != '1' else ''} | "
                         f"{ours} GFLOP/s = {peak} of the FMA peak ({fma} GFLOP/s, same run) | OpenBLAS: {ratio} | | ≥ 70 % of peak |")
    return lines


def training_lines(training):
    lines = []
    for row in training["rows"]:
        lines.append(f"| {row['recipe']} training, {row['threads']} thread{'s' if row['threads'] > 1 else ''}, s/epoch | "
                     f"{row['ours']:.2f} s | {row['torch']:.2f} s (PyTorch) | {row['ours'] / row['torch']:.2f} | ≤ 0.8 |")
    return lines


def table():
    r8, q, gemm = load("r8.json"), load(os.path.join("quantize", "quantize.json")), load("gemm-summary.txt")
    training = load("training.json")
    source = r8 or q or training
    header = [f"Measured {source['date']} on {source['cpu']}; our products on {source['kernels']}. "
              "Medians of alternated runs on a shared machine (±30 %); commands in bench/README.md." if source else
              "No bench results yet: run the benches named in bench/README.md.", "",
              "| measure | ours | reference | ratio | target |", "| --- | ---: | ---: | ---: | --- |"]
    rows = (r8_lines(r8) if r8 else []) + (quantize_lines(q) if q else []) + (gemm_lines(gemm) if gemm else []) \
        + (training_lines(training) if training else [])
    return "\n".join(header + rows)


parser = argparse.ArgumentParser()
parser.add_argument("--readme", default=os.path.join(HERE, "..", "README.md"))
args = parser.parse_args()
text = table()
print(text)
with open(args.readme) as f:
    readme = f.read()
block = f"{BEGIN}\n{text}\n{END}"
if BEGIN in readme:
    readme = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, readme, flags=re.S)
else:
    readme = readme.replace("## Benchmarks\n", "## Benchmarks\n\n" + block + "\n", 1)
with open(args.readme, "w") as f:
    f.write(readme)
