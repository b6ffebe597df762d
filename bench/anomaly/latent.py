"""A score not built into ae yet, measured through the CLI: the Mahalanobis distance of a test
image's code to the Gaussian of the training codes, alone and added to the `excess` score
(each standardised by the training rows' median and interquartile range), on the one-class
protocol (protocol.py). See docs/ANOMALY.md.

Usage (from bench/anomaly): ../.venv/bin/python latent.py [--classes 0-9] [--epochs 20]
        [--arch conv16s2,conv32s2,dense64 | --layers 256,64]"""
import argparse
import os
import tempfile

import numpy as np

import ours
import protocol


def mahalanobis(codes, mean, precision):
    d = codes - mean
    return np.einsum("ij,jk,ik->i", d, precision, d)


def standardised(values, reference):
    low, middle, high = np.percentile(reference, [25, 50, 75])
    return (values - middle) / (high - low)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--classes", default="0-9")
    parser.add_argument("--epochs", type=int, default=20)
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--arch", default=None)
    shape.add_argument("--layers", default=None)
    args = parser.parse_args()
    model = ["--layers", args.layers] if args.layers else ["--arch", args.arch or "conv16s2,conv32s2,dense64",
                                                           "--image-shape", "28x28x1"]
    train_x, train_y, test_x, test_y = protocol.load()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        test_path, train_path, model_path = (os.path.join(folder, name) for name in ("test.npy", "train.npy", "m.h5"))
        np.save(test_path, ours.as_bytes(test_x))
        for c in protocol.parse_classes(args.classes):
            np.save(train_path, ours.as_bytes(train_x[train_y == c]))
            ours.ae("train", *model, "--data", train_path, "--validation", "0", "--epochs", str(args.epochs),
                    "--seed", str(ours.SEED), "--threads", "1", "--quiet", "--out", model_path)

            def run(command, data):
                out = os.path.join(folder, "out.npy")
                ours.ae(command, model_path, "--data", data, "--out", out, "--threads", "1")
                return np.load(out).astype(np.float64)

            excess_test, excess_train = run("score", test_path).ravel(), run("score", train_path).ravel()
            codes_test, codes_train = run("encode", test_path), run("encode", train_path)
            mean = codes_train.mean(0)
            precision = np.linalg.inv(np.cov(codes_train, rowvar=False) + 1e-6 * np.eye(codes_train.shape[1]))
            distance_test, distance_train = (mahalanobis(z, mean, precision) for z in (codes_test, codes_train))
            both = standardised(excess_test, excess_train) + standardised(distance_test, distance_train)
            row = {name: protocol.auroc(test_y, c, values)
                   for name, values in (("excess", excess_test), ("code distance", distance_test), ("both", both))}
            rows.append(row)
            print(c, {name: round(value, 4) for name, value in row.items()}, flush=True)
    print(" ".join(model), {name: round(float(np.mean([r[name] for r in rows])), 4) for name in rows[0]})


if __name__ == "__main__":
    main()
