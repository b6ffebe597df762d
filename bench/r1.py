"""Recipes R1 (dense autoencoder) and R4 (PCA-32) side by side: our `ae` against PyTorch and
scikit-learn, same data, architecture, optimizer, epochs and thread count, runs alternated.

Prints a table of medians over the repeats and the ratios ours / theirs."""
import json
import os
import statistics
import subprocess
import tempfile
import time

from sklearn.decomposition import PCA

from common import AE, alternate, record_training, arguments, median, run_torch, train_ours
from fashion import train_test

args = arguments()


def ours(threads, folder):
    figures = train_ours(["--layers", "256,32", "--activation", "relu", "--loss", "bce"], args.epochs, threads, os.path.join(folder, "r1.h5"))
    return {k: figures[k] for k in ("bce", "mse", "seconds_per_epoch")}


def torch_run(threads):
    return run_torch("r1_torch.py", args.epochs, threads)


rows = []
with tempfile.TemporaryDirectory() as folder:
    for threads in [int(t) for t in args.threads.split(",")]:
        mine, theirs = alternate(f"threads {threads}", lambda: ours(threads, folder), lambda: torch_run(threads),
                                 args.repeats)
        rows.append((threads, mine, theirs))

    train, test = train_test()
    pca_times, pca_mse = [], None
    for _ in range(args.repeats):
        start = time.perf_counter()
        pca = PCA(n_components=32, svd_solver="full").fit(train)
        pca_times.append(time.perf_counter() - start)
        pca_mse = float(((pca.inverse_transform(pca.transform(test)) - test) ** 2).mean())
    ours_pca = json.loads(subprocess.run([AE, "pca", "--components", "32", "--data", "fashion-mnist"],
                                         check=True, capture_output=True, text=True).stdout)

print(f"\nR1 dense AE, Fashion-MNIST, {args.epochs} epochs, medians of {args.repeats} alternated runs")
print(f"{'threads':>7} | {'BCE ours':>9} {'torch':>9} {'ratio':>6} | {'MSE ours':>9} {'torch':>9} | "
      f"{'s/epoch ours':>12} {'torch':>7} {'ratio':>6}")
for threads, mine, theirs in rows:
    b1, b2 = median(mine, "bce"), median(theirs, "bce")
    m1, m2 = median(mine, "mse"), median(theirs, "mse")
    s1, s2 = median(mine, "seconds_per_epoch"), median(theirs, "seconds_per_epoch")
    print(f"{threads:>7} | {b1:9.2f} {b2:9.2f} {b1 / b2:6.3f} | {m1:9.5f} {m2:9.5f} | {s1:12.3f} {s2:7.3f} {s1 / s2:6.2f}")
print(f"\nR4 PCA-32 test MSE: ours {ours_pca['mse']:.5f}, scikit-learn {pca_mse:.5f}; "
      f"fit seconds ours {ours_pca['fit_seconds']:.2f}, scikit-learn {statistics.median(pca_times):.2f}")
best_mse = min(median(mine, "mse") for _, mine, _ in rows)
print(f"R1 / R4: our autoencoder's test MSE is {best_mse / pca_mse:.2f} x PCA-32's (target <= 0.75)")
record_training("R1", rows, "bce")
