"""What the side-by-side benchmarks share: arguments, running both sides, medians."""
import argparse
import json
import os
import statistics
import subprocess
import sys

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
AE = os.environ.get("AE_BINARY", os.path.join(HERE, "..", ".build", "release", "ae"))


def arguments(epochs=10):
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--seeds", default="1", help="comma-separated seeds; each repeat runs every seed on both sides")
    return parser.parse_args()


def train_ours(train_args, epochs, threads, model_path, seed=1, ae=AE):
    """`ae train` on Fashion-MNIST (all 60,000 images), then `ae eval` on the test split.
    Returns eval's figures plus the median seconds per epoch from the model's history."""
    subprocess.run([ae, "train", *train_args, "--optimizer", "adam", "--lr", "1e-3", "--batch", "128",
                    "--epochs", str(epochs), "--seed", str(seed), "--validation", "0", "--data", "fashion-mnist",
                    "--threads", str(threads), "--quiet", "--out", model_path], check=True, stdout=subprocess.DEVNULL)
    figures = json.loads(subprocess.run([ae, "eval", model_path, "--data", "fashion-mnist:test", "--threads", str(threads)],
                                        check=True, capture_output=True, text=True).stdout)
    with h5py.File(model_path, "r") as f:
        figures["seconds_per_epoch"] = statistics.median(f["history/seconds"][...])
    return figures


def run_torch(script, epochs, threads, extra=()):
    """A PyTorch recipe script; returns the JSON line it prints last."""
    out = subprocess.run([sys.executable, os.path.join(HERE, script), "--epochs", str(epochs), "--threads", str(threads),
                          *extra], check=True, capture_output=True, text=True, cwd=HERE).stdout
    return json.loads(out.strip().splitlines()[-1])


def alternate(label, ours, theirs, repeats):
    """Run ours() and theirs() `repeats` times, swapping which goes first each time, so drifting
    machine load hits both sides alike. Returns (our results, their results)."""
    mine, others = [], []
    for repeat in range(repeats):
        pair = [lambda: mine.append(ours()), lambda: others.append(theirs())]
        for run in (pair if repeat % 2 == 0 else pair[::-1]):
            run()
        print(f"{label}, repeat {repeat + 1}: ours {mine[-1]}, theirs {others[-1]}", file=sys.stderr)
    return mine, others


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def cpu_name():
    with open("/proc/cpuinfo") as f:
        return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")


def record_training(recipe, rows, quality):
    """Add a training recipe's medians to results/training.json (read by perf_table.py):
    seconds per epoch of both sides and the test `quality` figure, per thread count."""
    import time
    path = os.path.join(HERE, "results", "training.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        with open(path) as f:
            saved = json.load(f)
    except (OSError, ValueError):
        saved = {"rows": []}
    version = subprocess.run([AE, "--version"], capture_output=True, text=True).stdout.strip()
    saved.update(date=time.strftime("%Y-%m-%d", time.gmtime()), cpu=cpu_name(),
                 kernels=version.split("matrix products: ", 1)[-1].rstrip(")") if "matrix products" in version else "?")
    saved["rows"] = [r for r in saved["rows"] if r["recipe"] != recipe] + [
        {"recipe": recipe, "threads": threads, "ours": median(mine, "seconds_per_epoch"),
         "torch": median(theirs, "seconds_per_epoch"), "quality": quality, "ours_quality": median(mine, quality),
         "torch_quality": median(theirs, quality)} for threads, mine, theirs in rows]
    with open(path, "w") as f:
        json.dump(saved, f, indent=1)
