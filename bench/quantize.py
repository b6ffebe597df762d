"""Reduced precision, side by side (issue 14): our models opened at float32, at bfloat16
(AE_OPEN_BFLOAT16: kernels rounded to bfloat16, float32 accumulation) and at int8 (AE_OPEN_INT8:
int8 weights per output column, rows quantized per row, exact int32 sums), against onnxruntime at
float32 and with its dynamic int8 quantization (quantize_dynamic: int8 weights per channel,
activations quantized per call), on the same weights, in one process, 1 thread each.

Quality, all on the 10,000 Fashion-MNIST test images, pixels in [0, 1]:
  R1 (784-256-32-256-784, BCE)   reconstruction MSE per pixel
  R2 VAE (784-400-20-400-784)    -ELBO per image: BCE of decode(mean) + KL (z = the mean)
  anomaly (784-256-32 on class 0) AUROC of the model's stored score, class 0 against the rest
Speed: R1 reconstruct, single-row latency (median of 3000 calls) and batch-256 throughput,
sides alternated over --repeats rounds, medians.

    bash bench/quantize.sh [--epochs 5] [--repeats 5]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fashion  # noqa: E402

AE = os.environ.get("AE_BINARY", os.path.join(HERE, "..", ".build", "release", "ae"))
parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--repeats", type=int, default=5)
parser.add_argument("--work", default=os.path.join(HERE, "results", "quantize"))
args = parser.parse_args()
os.makedirs(args.work, exist_ok=True)

import autoencoder  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402


def ae(*arguments):
    subprocess.run([AE, *map(str, arguments)], check=True, capture_output=True, text=True)


def model(name, *options, data="fashion-mnist"):
    path = os.path.join(args.work, f"{name}.h5")
    if not os.path.exists(path):
        print(f"training {name} ({args.epochs} epochs)", file=sys.stderr)
        ae("train", *options, "--epochs", args.epochs, "--data", data, "--out", path, "--seed", 1, "--quiet")
    return path


train, test = fashion.train_test()
labels = fashion.labels("t10k")
x_test = (test * 255).astype(np.float32)  # raw units, as the models were trained on (--data fashion-mnist)
r1 = model("r1", "--layers", "256,32")
r2 = model("r2", "--model", "vae", "--layers", "400,20")
with tempfile.TemporaryDirectory() as folder:
    one_class = os.path.join(folder, "class0.npy")
    np.save(one_class, np.rint(train[fashion.labels("train") == 0] * 255).astype(np.uint8))
    anomaly = model("anomaly", "--layers", "256,32", "--validation", "0", data=one_class)

onnx_path = os.path.join(args.work, "r1.onnx")
int8_path = os.path.join(args.work, "r1-int8.onnx")
subprocess.run([sys.executable, os.path.join(HERE, "r8_export.py"), r1, onnx_path], check=True)
if not os.path.exists(int8_path):
    quantize_dynamic(onnx_path, int8_path, weight_type=QuantType.QInt8, per_channel=True)


def session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    s = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return lambda rows: s.run(["y"], {"x": rows})[0]


def bce(x, y):
    y = np.clip(y, 1e-7, 1 - 1e-7)
    return -(x * np.log(y) + (1 - x) * np.log(1 - y)).sum(axis=1)


sides = {}
for precision in ("float32", "bfloat16", "int8"):
    m1, m2, m3 = (autoencoder.Model(p, precision=precision) for p in (r1, r2, anomaly))
    mse = float(np.mean((m1.reconstruct(x_test) / 255 - test) ** 2))
    mean, log_variance = m2.encode_distribution(x_test)
    kl = 0.5 * (np.exp(log_variance) + mean ** 2 - 1 - log_variance).sum(axis=1)
    elbo = float(np.mean(bce(test, m2.decode(mean, flat=True) / 255) + kl))
    auroc = float(roc_auc_score(labels != 0, m3.score(x_test)))
    sides[f"ours {precision}"] = {"run": m1.reconstruct, "mse": mse, "elbo": elbo, "auroc": auroc}
for name, path in (("onnxruntime float32", onnx_path), ("onnxruntime int8", int8_path)):
    run = session(path)
    sides[name] = {"run": run, "mse": float(np.mean((run(x_test) / 255 - test) ** 2))}

rows = [x_test[i:i + 1] for i in range(256)]
batch = x_test[:256]
times = {name: {"single": [], "batch": []} for name in sides}
for repeat in range(args.repeats):
    order = list(sides) if repeat % 2 == 0 else list(reversed(sides))
    for name in order:
        run = sides[name]["run"]
        for i in range(300):
            run(rows[i % 256])
        calls = []
        for i in range(3000):
            start = time.perf_counter_ns()
            run(rows[i % 256])
            calls.append(time.perf_counter_ns() - start)
        times[name]["single"].append(statistics.median(calls) / 1000)
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < 1.0 or count < 10:
            run(batch)
            count += 1
        times[name]["batch"].append(count * 256 / (time.perf_counter() - start))
    print(f"round {repeat + 1}: " + ", ".join(f"{n} {times[n]['single'][-1]:.1f} µs" for n in sides), file=sys.stderr)

text = open("/proc/cpuinfo").read()
cpu = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")), "?")
print(f"\nReduced precision, R1/R2/anomaly models ({args.epochs} epochs), 1 thread, medians of {args.repeats} alternated rounds")
print(f"CPU: {cpu}; ours on {autoencoder.kernels()} (int8: {autoencoder.int8_kernels()}); onnxruntime {ort.__version__}")
reference_single = statistics.median(times["onnxruntime float32"]["single"])
print(f"{'side':<22} {'single row µs':>13} {'x ort fp32':>10} {'batch rows/s':>12} | {'R1 MSE':>9} {'change':>7} | "
      f"{'R2 -ELBO':>9} {'change':>7} | {'AUROC':>6} {'change':>7}")
result = {}
for name, side in sides.items():
    single, rate = statistics.median(times[name]["single"]), statistics.median(times[name]["batch"])
    base = sides["ours float32"] if name.startswith("ours") else sides["onnxruntime float32"]
    change = lambda key: f"{100 * (side[key] / base[key] - 1):+6.2f}%" if key in side else "      -"
    value = lambda key, form: format(side[key], form) if key in side else "-"
    print(f"{name:<22} {single:13.1f} {single / reference_single:10.2f} {rate:12.0f} | {value('mse', '9.6f'):>9} "
          f"{change('mse')} | {value('elbo', '9.3f'):>9} {change('elbo')} | {value('auroc', '6.4f'):>6} {change('auroc')}")
    result[name] = {"single_us": single, "batch_rows_per_s": rate, **{k: v for k, v in side.items() if k != "run"}}
print("changes are against the same library's float32; targets: bf16/int8 single row <= 0.5 x onnxruntime float32, "
      "MSE at most 1 % worse")
with open(os.path.join(args.work, "quantize.json"), "w") as f:
    json.dump(result, f, indent=1)
