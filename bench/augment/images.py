"""Does `ae augment images` help a classifier trained on few labelled images?

Fashion-MNIST, 100 labelled training images per class (a seeded draw from the 60,000). For
each seed: train a cvae on those 1000 images with `ae train --model cvae`, make extra
images with `ae augment images` (draws from the prior, and perturbed codes of the real
images), then train a logistic regression and a small MLP (scikit-learn) on the 1000 real
images alone and on real plus extra, and test each on the full 10,000-image test set.
Prints the CPU, a markdown table of mean +- sd accuracy over the seeds with the gain over
real-only, and writes the figures as JSON.
"""
import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import fashion  # noqa: E402  (bench/fashion.py: the Debian files, pixels in [0, 1])

AE = os.environ.get("AE_BINARY", os.path.join(HERE, "..", "..", ".build", "release", "ae"))


def arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--labelled", type=int, default=100, help="real training images per class")
    parser.add_argument("--per-class", type=int, default=500, help="extra images per class")
    parser.add_argument("--perturb", default="0.5", help="noise standard deviations for the perturb mode")
    parser.add_argument("--layers", default="512,256,16", help="the cvae's --layers")
    parser.add_argument("--epochs", type=int, default=30, help="the cvae's epochs")
    parser.add_argument("--no-mlp", action="store_true", help="logistic regression only")
    parser.add_argument("--json", default=os.path.join(HERE, "images-results.json"))
    return parser.parse_args()


def labels(split):
    with gzip.open(f"{fashion.FOLDER}/{split}-labels-idx1-ubyte.gz") as f:
        return np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def ae(*args):
    run = subprocess.run([AE, *map(str, args)], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"ae {' '.join(map(str, args))} failed: {run.stderr.strip()}")
    return run


def draw_labelled(x, y, per_class, seed):
    """`per_class` images of each class, drawn without replacement from the seed."""
    rng = np.random.default_rng(seed)
    rows = np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in range(10)])
    return x[rows], y[rows]


def classifiers(seed, mlp):
    found = {"logreg": lambda: LogisticRegression(max_iter=2000)}
    if mlp:
        found["mlp"] = lambda: MLPClassifier(hidden_layer_sizes=(256,), alpha=1e-3, max_iter=300, early_stopping=True,
                                             random_state=seed)
    return found


def main():
    args = arguments()
    seeds = [int(s) for s in args.seeds.split(",")]
    noises = [float(s) for s in args.perturb.split(",")] if args.perturb else []
    x_train, x_test = fashion.train_test()
    y_train, y_test = labels("train"), labels("t10k")
    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores", file=sys.stderr)

    settings = ["real only", f"+ {args.per_class}/class prior samples"] + [f"+ {args.per_class}/class perturbed (sd {s:g})" for s in noises]
    results = {}  # setting -> classifier -> [accuracy per seed]
    work = tempfile.mkdtemp(prefix="ae-augment-images-")
    for seed in seeds:
        x, y = draw_labelled(x_train, y_train, args.labelled, seed)
        data, data_labels, model = (os.path.join(work, f"seed{seed}-{name}") for name in ("real.npy", "real-labels.npy", "cvae.h5"))
        np.save(data, x.reshape(-1, 28, 28))
        np.save(data_labels, y)
        start = time.time()
        ae("train", "--model", "cvae", "--layers", args.layers, "--loss", "bce", "--epochs", args.epochs, "--batch", 64,
           "--lr", "1e-3", "--seed", seed, "--validation", 0, "--data", data, "--labels", data_labels, "--out", model, "--quiet")
        print(f"seed {seed}: cvae trained in {time.time() - start:.0f} s", file=sys.stderr)

        extra = {settings[0]: None}
        runs = [(settings[1], [])] + [(settings[2 + i], ["--perturb", s, "--data", data, "--labels", data_labels]) for i, s in enumerate(noises)]
        for setting, options in runs:
            out, out_labels = os.path.join(work, "extra.npy"), os.path.join(work, "extra-labels.npy")
            ae("augment", "images", "--model", model, "--per-class", args.per_class, "--seed", seed, *options,
               "--out", out, "--labels-out", out_labels)
            extra[setting] = (np.load(out).reshape(-1, 784), np.load(out_labels))

        for setting, added in extra.items():
            fit_x, fit_y = (x, y) if added is None else (np.concatenate([x, added[0]]), np.concatenate([y, added[1]]))
            for name, make in classifiers(seed, not args.no_mlp).items():
                accuracy = float((make().fit(fit_x, fit_y).predict(x_test) == y_test).mean())
                results.setdefault(setting, {}).setdefault(name, []).append(accuracy)
                print(f"seed {seed}, {setting}, {name}: {accuracy:.4f}", file=sys.stderr)

    names = list(results[settings[0]])
    print(f"\nCPU: {cpu_model()}. Fashion-MNIST, {args.labelled} labelled images per class, test on 10,000; "
          f"cvae --layers {args.layers}, {args.epochs} epochs, bce; seeds {args.seeds}; accuracy mean ± sd.\n")
    print("| setting | " + " | ".join(f"{n} accuracy | {n} gain" for n in names) + " |")
    print("|---|" + "---|---|" * len(names))
    summary = {}
    for setting in settings:
        cells = []
        for name in names:
            runs = results[setting][name]
            gains = [a - b for a, b in zip(runs, results[settings[0]][name])]  # paired by seed
            summary.setdefault(setting, {})[name] = {"accuracy": runs, "mean": statistics.mean(runs), "sd": statistics.stdev(runs) if len(runs) > 1 else 0.0,
                                                    "gain_mean": statistics.mean(gains), "gain_sd": statistics.stdev(gains) if len(gains) > 1 else 0.0}
            s = summary[setting][name]
            cells += [f"{s['mean']:.4f} ± {s['sd']:.4f}", "—" if setting == settings[0] else f"{s['gain_mean']:+.4f} ± {s['gain_sd']:.4f}"]
        print(f"| {setting} | " + " | ".join(cells) + " |")
    with open(args.json, "w") as f:
        json.dump({"cpu": cpu_model(), "cores": os.cpu_count(), "labelled_per_class": args.labelled, "extra_per_class": args.per_class,
                   "cvae": {"layers": args.layers, "epochs": args.epochs, "loss": "bce", "batch": 64, "lr": 1e-3},
                   "seeds": seeds, "results": summary}, f, indent=2)
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
