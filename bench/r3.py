"""Recipe R3 (convolutional autoencoder) side by side: `ae train --arch conv16s2,conv32s2,dense32`
against the same network in PyTorch (r3_torch.py), same optimizer, batch, epochs and threads,
runs alternated; medians and ratios."""
import os
import tempfile

from common import alternate, record_training, arguments, median, run_torch, train_ours

args = arguments(epochs=5)
ARCH = ["--arch", "conv16s2,conv32s2,dense32", "--loss", "bce"]


def ours(threads, folder):
    figures = train_ours(ARCH, args.epochs, threads, os.path.join(folder, "r3.h5"))
    return {k: figures[k] for k in ("bce", "mse", "seconds_per_epoch")}


rows = []
with tempfile.TemporaryDirectory() as folder:
    for threads in [int(t) for t in args.threads.split(",")]:
        mine, theirs = alternate(f"threads {threads}", lambda: ours(threads, folder),
                                 lambda: run_torch("r3_torch.py", args.epochs, threads), args.repeats)
        rows.append((threads, mine, theirs))

print(f"\nR3 conv AE 28x28x1-14x14x16-7x7x32-32 and mirror, Fashion-MNIST, {args.epochs} epochs, "
      f"medians of {args.repeats} alternated runs")
print(f"{'threads':>7} | {'test BCE ours':>13} {'torch':>8} {'ratio':>6} | {'MSE ours':>9} {'torch':>8} | "
      f"{'s/epoch ours':>12} {'torch':>7} {'ratio':>6}")
for threads, mine, theirs in rows:
    b1, b2 = median(mine, "bce"), median(theirs, "bce")
    m1, m2 = median(mine, "mse"), median(theirs, "mse")
    s1, s2 = median(mine, "seconds_per_epoch"), median(theirs, "seconds_per_epoch")
    print(f"{threads:>7} | {b1:13.2f} {b2:8.2f} {b1 / b2:6.3f} | {m1:9.5f} {m2:8.5f} | {s1:12.3f} {s2:7.3f} {s1 / s2:6.2f}")
print("targets: BCE ratio <= 1.005, s/epoch ratio <= 1.0")
record_training("R3", rows, "bce")
