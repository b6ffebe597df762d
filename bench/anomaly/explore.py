"""Exploration (not part of run.sh): other ways to combine what one trained model gives, on the
one-class protocol. For each class, trains one model with ae, then scores train and test rows
with ae (excess, mse, code) and encodes them; combinations are computed here.

Usage (from bench/anomaly): ../.venv/bin/python explore.py [--classes 0,2,4,6] [--model conv] [--epochs 20]"""
import argparse
import os
import tempfile

import numpy as np
from sklearn.neighbors import NearestNeighbors

import ours
import protocol


def standardised(values, reference):
    low, middle, high = np.percentile(reference, [25, 50, 75])
    return (values - middle) / max(high - low, 1e-12)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--classes", default="0,2,4,6")
    parser.add_argument("--model", default="conv")
    parser.add_argument("--arch", default=None, help="ae train arguments instead of --model, space-separated")
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    model = args.arch.split() if args.arch else ours.MODELS[args.model]
    train_x, train_y, test_x, test_y = protocol.load()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        test_path, train_path, model_path = (os.path.join(folder, n) for n in ("test.npy", "train.npy", "m.h5"))
        np.save(test_path, ours.as_bytes(test_x))
        for c in protocol.parse_classes(args.classes):
            np.save(train_path, ours.as_bytes(train_x[train_y == c]))
            ours.ae("train", *model, "--data", train_path, "--validation", "0", "--epochs", str(args.epochs),
                    "--seed", str(ours.SEED), "--threads", "1", "--quiet", "--out", model_path)

            def run(command, data, *extra):
                out = os.path.join(folder, "out.npy")
                ours.ae(command, model_path, "--data", data, "--out", out, "--threads", "1", *extra)
                return np.load(out).astype(np.float64)

            s = {}
            for score in ("excess", "mse", "code"):
                s[score] = (run("score", test_path, "--score", score).ravel(), run("score", train_path, "--score", score).ravel())
            z_test, z_train = run("encode", test_path), run("encode", train_path)
            knn = NearestNeighbors(n_neighbors=6).fit(z_train)
            s["knn5"] = (knn.kneighbors(z_test, 5)[0].mean(1), knn.kneighbors(z_train, 6)[0][:, 1:].mean(1))
            std = {k: standardised(v[0], v[1]) for k, v in s.items()}
            candidates = {
                "excess": s["excess"][0], "mse": s["mse"][0], "code": s["code"][0], "knn5": s["knn5"][0],
                "excess+code": std["excess"] + std["code"],
                "mse+code": std["mse"] + std["code"],
                "excess+knn5": std["excess"] + std["knn5"],
                "excess+code+knn5": std["excess"] + std["code"] + std["knn5"],
                "excess+2code": std["excess"] + 2 * std["code"],
                "2excess+code": 2 * std["excess"] + std["code"],
                "log excess+log code": standardised(np.log(s["excess"][0] + 1e-9), np.log(s["excess"][1] + 1e-9))
                + standardised(np.log(s["code"][0] + 1e-9), np.log(s["code"][1] + 1e-9)),
            }
            row = {k: protocol.auroc(test_y, c, v) for k, v in candidates.items()}
            rows.append(row)
            print(c, {k: round(v, 4) for k, v in row.items()}, flush=True)
    print(" ".join(model), {k: round(float(np.mean([r[k] for r in rows])), 4) for k in rows[0]})


if __name__ == "__main__":
    main()
