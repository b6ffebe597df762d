"""Recipe R2 (VAE) side by side: our `ae train --model vae` against PyTorch's VAE example, same
architecture, optimizer, batch, epochs and threads, runs alternated; medians and ratios."""
import os
import tempfile

from common import alternate, record_training, arguments, median, run_torch, train_ours

args = arguments()


SEEDS = [int(s) for s in args.seeds.split(",")]


def ours(threads, folder, seed):
    figures = train_ours(["--model", "vae", "--layers", "400,20", "--loss", "bce"], args.epochs, threads,
                         os.path.join(folder, "r2.h5"), seed)
    return {k: figures[k] for k in ("neg_elbo", "seconds_per_epoch")}


def torch_run(threads, seed):
    return run_torch("r2_torch.py", args.epochs, threads, ["--seed", str(seed)])


rows = []
with tempfile.TemporaryDirectory() as folder:
    for threads in [int(t) for t in args.threads.split(",")]:
        mine, theirs = [], []
        for seed in SEEDS:  # each seed's runs alternate sides; the table takes medians over all
            a, b = alternate(f"threads {threads}, seed {seed}", lambda: ours(threads, folder, seed),
                             lambda: torch_run(threads, seed), args.repeats)
            mine += a
            theirs += b
        rows.append((threads, mine, theirs))

print(f"\nR2 VAE 784-400-(20,20)-400-784, Fashion-MNIST, {args.epochs} epochs, seeds {args.seeds}, "
      f"medians of {args.repeats} alternated runs per seed")
print(f"{'threads':>7} | {'-ELBO ours':>10} {'torch':>8} {'ratio':>6} | {'s/epoch ours':>12} {'torch':>7} {'ratio':>6}")
for threads, mine, theirs in rows:
    e1, e2 = median(mine, "neg_elbo"), median(theirs, "neg_elbo")
    s1, s2 = median(mine, "seconds_per_epoch"), median(theirs, "seconds_per_epoch")
    print(f"{threads:>7} | {e1:10.2f} {e2:8.2f} {e1 / e2:6.3f} | {s1:12.3f} {s2:7.3f} {s1 / s2:6.2f}")
print("targets: -ELBO ratio <= 1.0, s/epoch ratio <= 0.8")
record_training("R2", rows, "neg_elbo")
