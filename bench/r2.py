"""Recipe R2 (VAE) side by side: our `ae train --model vae` against PyTorch's VAE example, same
architecture, optimizer, batch, epochs and threads, runs alternated; medians and ratios."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import h5py

from common import alternate, median

HERE = os.path.dirname(os.path.abspath(__file__))
AE = os.environ.get("AE_BINARY", os.path.join(HERE, "..", ".build", "release", "ae"))
parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--threads", default="1,2")
args = parser.parse_args()


def ours(threads, folder):
    model = os.path.join(folder, "r2.h5")
    subprocess.run([AE, "train", "--model", "vae", "--layers", "400,20", "--loss", "bce", "--optimizer", "adam",
                    "--lr", "1e-3", "--batch", "128", "--epochs", str(args.epochs), "--seed", "1", "--validation", "0",
                    "--data", "fashion-mnist", "--threads", str(threads), "--quiet", "--out", model],
                   check=True, stdout=subprocess.DEVNULL)
    figures = json.loads(subprocess.run([AE, "eval", model, "--data", "fashion-mnist:test"], check=True,
                                        capture_output=True, text=True).stdout)
    with h5py.File(model, "r") as f:
        seconds = statistics.median(f["history/seconds"][...])
    return {"neg_elbo": figures["neg_elbo"], "seconds_per_epoch": seconds}


def torch_run(threads):
    out = subprocess.run([sys.executable, os.path.join(HERE, "r2_torch.py"), "--epochs", str(args.epochs),
                          "--threads", str(threads)], check=True, capture_output=True, text=True, cwd=HERE).stdout
    return json.loads(out.strip().splitlines()[-1])


rows = []
with tempfile.TemporaryDirectory() as folder:
    for threads in [int(t) for t in args.threads.split(",")]:
        mine, theirs = alternate(f"threads {threads}", lambda: ours(threads, folder), lambda: torch_run(threads),
                                 args.repeats)
        rows.append((threads, mine, theirs))

print(f"\nR2 VAE 784-400-(20,20)-400-784, Fashion-MNIST, {args.epochs} epochs, medians of {args.repeats} alternated runs")
print(f"{'threads':>7} | {'-ELBO ours':>10} {'torch':>8} {'ratio':>6} | {'s/epoch ours':>12} {'torch':>7} {'ratio':>6}")
for threads, mine, theirs in rows:
    e1, e2 = median(mine, "neg_elbo"), median(theirs, "neg_elbo")
    s1, s2 = median(mine, "seconds_per_epoch"), median(theirs, "seconds_per_epoch")
    print(f"{threads:>7} | {e1:10.2f} {e2:8.2f} {e1 / e2:6.3f} | {s1:12.3f} {s2:7.3f} {s1 / s2:6.2f}")
print("targets: -ELBO ratio <= 1.0, s/epoch ratio <= 0.8")
