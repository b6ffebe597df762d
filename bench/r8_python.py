"""One side of R8 from Python: `ours` (the autoencoder binding) or `ort` (onnxruntime).
Prints {"single_us": median latency of one row, "batch_rows_per_s": batch-256 throughput}.
Set OPENBLAS_NUM_THREADS before starting this process for `ours` (r8.py sets it and
--workspace-threads by the kernels the library runs on)."""
import argparse
import json
import statistics
import time

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("side", choices=["ours", "ort"])
parser.add_argument("--model", required=True)
parser.add_argument("--onnx", required=True)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--workspace-threads", type=int, default=1, help="ours: Model(threads=...)")
parser.add_argument("--calls", type=int, default=5000)
args = parser.parse_args()

rng = np.random.default_rng(1)
x = rng.integers(0, 256, size=(256, 784)).astype(np.float32)

if args.side == "ours":
    import autoencoder
    model = autoencoder.Model(args.model, threads=args.workspace_threads)
    run = model.reconstruct
else:
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(args.onnx, options, providers=["CPUExecutionProvider"])
    run = lambda rows: session.run(["y"], {"x": rows})[0]

rows = [x[i:i + 1] for i in range(256)]
for i in range(300):
    run(rows[i % 256])
times = []
for i in range(args.calls):
    row = rows[i % 256]
    start = time.perf_counter_ns()
    run(row)
    times.append(time.perf_counter_ns() - start)
single = statistics.median(times) / 1000

count, start = 0, time.perf_counter()
while time.perf_counter() - start < 2.0 or count < 20:
    run(x)
    count += 1
throughput = count * 256 / (time.perf_counter() - start)
print(json.dumps({"single_us": single, "batch_rows_per_s": throughput}))
