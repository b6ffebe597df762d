"""Our side of the anomaly bench, through the `ae` CLI only, on the one-class Fashion-MNIST
protocol (protocol.py): per class, `ae train` on that class's 6,000 training images, then
`ae score --score NAME` on the 10,000 test images.

Data go to ae as uint8 .npy (the IDX files' bytes), which --scale unit divides by 255 like
--data fashion-mnist: the network sees the protocol's [0, 1] pixels. (Float pixels would be
min-max scaled per pixel over the one class's rows, so test pixels could leave [0, 1]; and
--scale none is refused with --loss bce.) --validation 0: all 6,000 rows train.

Scores:
  loss    the model's own per-row loss (BCE summed over pixels; a VAE's on its posterior mean)
  excess  the loss minus the loss of a perfect reconstruction (BCE minus the target's entropy)
  mse     mean squared error per pixel, in the data's units
  code    the code's squared Mahalanobis distance to the training codes' Gaussian
  neighbours  the mean distance of the code to its 5 nearest training codes
  combined  excess, code and neighbours, each standardised by the training rows' median and IQR, summed
Each model is trained once (its stored score is the default, combined) and the test set scored
by each score asked for with `ae score --score NAME`: the same weights under up to six scores.

Usage: python ours.py [--classes 0-9] [--seed 1] [--models dense,conv,vae,conv64] [--scores loss,excess,mse,code,neighbours,combined]
                      [--epochs 20] [--json FILE]"""
import argparse
import os
import subprocess
import tempfile
import time

import h5py
import numpy as np

import protocol

AE = os.environ.get("AE_BINARY", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".build", "release", "ae"))
SEED = 1
MODELS = {
    "dense": ["--layers", "256,32"],
    "conv": ["--arch", "conv16s2,conv32s2,dense32", "--image-shape", "28x28x1"],
    "vae": ["--model", "vae", "--layers", "256,32"],
    "conv64": ["--arch", "conv16s2,conv32s2,dense64", "--image-shape", "28x28x1"],
}
SCORES = ("loss", "excess", "mse", "code", "neighbours", "combined")


def ae(*arguments):
    """Run ae; retry once after a pause when the binary is being relinked under us."""
    for attempt in range(3):
        try:
            return subprocess.run([AE, *arguments], check=True, capture_output=True, text=True).stdout
        except (subprocess.CalledProcessError, OSError) as error:
            if attempt == 2:
                detail = getattr(error, "stderr", "") or str(error)
                raise SystemExit(f"ae {' '.join(arguments)} failed: {detail.strip()}")
            time.sleep(10)


def as_bytes(pixels):
    """[0, 1] pixels back to the IDX files' bytes (exact: they were bytes / 255)."""
    return np.rint(pixels * 255).astype(np.uint8)


def train(model, epochs, data_path, out):
    arguments = ["train", *MODELS[model], "--data", data_path, "--validation", "0",
                 "--epochs", str(epochs), "--seed", str(SEED), "--threads", "1", "--quiet", "--out", out]
    start = time.perf_counter()
    ae(*arguments)
    wall = time.perf_counter() - start
    with h5py.File(out, "r") as f:
        epoch_seconds = float(np.sum(f["history/seconds"][...]))
    return wall, epoch_seconds


def ae_score(model_path, test_path, folder, score):
    out = os.path.join(folder, "scores.npy")
    start = time.perf_counter()
    ae("score", model_path, "--data", test_path, "--score", score, "--out", out, "--threads", "1")
    return np.load(out).astype(np.float64).ravel(), time.perf_counter() - start


def run_class(normal_class, data, folder, models, scores, epochs):
    """Train each model on class `normal_class` and score the test set with each score;
    one result per (model, score)."""
    train_x, train_y, test_x, test_y = data
    train_path, test_path = os.path.join(folder, "train.npy"), os.path.join(folder, "test.npy")
    np.save(train_path, as_bytes(train_x[train_y == normal_class]))
    if not os.path.exists(test_path):
        np.save(test_path, as_bytes(test_x))
    model_path = os.path.join(folder, "model.h5")
    results = []
    for model in models:
        train_s, epoch_s = train(model, epochs, train_path, model_path)
        for score in scores:
            values, score_s = ae_score(model_path, test_path, folder, score)
            results.append({"method": f"{model} {score}", "model": model, "score": score, "class": normal_class,
                            "auroc": protocol.auroc(test_y, normal_class, values), "train_s": train_s,
                            "epoch_s": epoch_s, "score_s": score_s, "how": "ae score --score"})
    return results


def arguments(parser):
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--scores", default=",".join(SCORES))
    parser.add_argument("--epochs", type=int, default=20)


def checked(args):
    models, scores = args.models.split(","), args.scores.split(",")
    if [m for m in models if m not in MODELS] or [s for s in scores if s not in SCORES]:
        raise SystemExit(f"--models from {','.join(MODELS)}; --scores from {','.join(SCORES)}")
    return models, scores


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--classes", default="0-9")
    parser.add_argument("--seed", type=int, default=1, help="ae train --seed (default 1)")
    parser.add_argument("--json", help="write the per-class results here")
    arguments(parser)
    args = parser.parse_args()
    global SEED
    SEED = args.seed
    models, scores = checked(args)
    data = protocol.load()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for normal_class in protocol.parse_classes(args.classes):
            mine = run_class(normal_class, data, folder, models, scores, args.epochs)
            results += mine
            print(f"class {normal_class}: " + ", ".join(f"{r['method']} {r['auroc']:.3f}" for r in mine), flush=True)
    print(protocol.markdown(results))
    if args.json:
        protocol.write_json(args.json, {"ae": AE, "epochs": args.epochs, "seed": SEED, "results": results})


if __name__ == "__main__":
    main()
