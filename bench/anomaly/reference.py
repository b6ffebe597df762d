"""The reference side of the anomaly bench: what a user would otherwise reach for, on the
one-class Fashion-MNIST protocol (protocol.py).

- PyOD's AutoEncoder at its defaults (only random_state set, to 1, and the progress bar off);
- PyOD's PCA at its defaults: standardized pixels, all components, and the score PyOD defines
  (the sum of distances to the component vectors, each divided by its explained variance ratio);
- scikit-learn's PCA with 32 components on the raw pixels, scored by reconstruction error
  (the R4 baseline of the other benches).

Everything runs on one thread (torch.set_num_threads(1) and threadpoolctl for BLAS), like our
side's --threads 1. Train seconds time fit() (PyOD's fit also scores the training rows);
score seconds time scoring the 10,000 test images.

Usage: python reference.py [--classes 0-9] [--seed 1] [--methods pyod-ae,pyod-pca,sklearn-pca32] [--json FILE]"""
import argparse
import time

import numpy as np
import pyod
import sklearn
import torch
from pyod.models.auto_encoder import AutoEncoder
from pyod.models.pca import PCA as PyodPCA
from sklearn.decomposition import PCA
from threadpoolctl import threadpool_limits

import protocol

SEED = 1
METHODS = ("pyod-ae", "pyod-pca", "sklearn-pca32")


def one_thread():
    torch.set_num_threads(1)
    return threadpool_limits(limits=1)


def pyod_autoencoder():
    return AutoEncoder(random_state=SEED, verbose=0)


def pyod_pca():
    return PyodPCA(random_state=SEED)


def detector_run(make, train, test):
    detector = make()
    start = time.perf_counter()
    detector.fit(train)
    train_s = time.perf_counter() - start
    start = time.perf_counter()
    scores = detector.decision_function(test)
    return scores, train_s, time.perf_counter() - start


def pca32_run(train, test):
    start = time.perf_counter()
    pca = PCA(n_components=32, svd_solver="full").fit(train)
    train_s = time.perf_counter() - start
    start = time.perf_counter()
    scores = np.sum((test - pca.inverse_transform(pca.transform(test))) ** 2, axis=1)
    return scores, train_s, time.perf_counter() - start


RUNS = {
    "pyod-ae": (lambda train, test: detector_run(pyod_autoencoder, train, test),
                "PyOD AutoEncoder, defaults, random_state={seed}"),
    "pyod-pca": (lambda train, test: detector_run(pyod_pca, train, test), "PyOD PCA, defaults, random_state={seed}"),
    "sklearn-pca32": (pca32_run, "scikit-learn PCA(32), squared reconstruction error"),
}


def run_class(normal_class, data, methods=METHODS):
    """Train each method on class `normal_class`, score the test set; one result per method."""
    train_x, train_y, test_x, test_y = data
    train = train_x[train_y == normal_class]
    results = []
    for method in methods:
        run, how = RUNS[method]
        scores, train_s, score_s = run(train, test_x)
        results.append({"method": method, "class": normal_class, "auroc": protocol.auroc(test_y, normal_class, scores),
                        "train_s": train_s, "score_s": score_s, "how": how.format(seed=SEED)})
    return results


def versions():
    """Library versions and the defaults the detectors ran with (for the results file)."""
    def params(detector):
        return {k: (v if isinstance(v, (int, float, str, bool, type(None), list, dict)) else repr(v))
                for k, v in detector.get_params().items()}
    return {"pyod": pyod.__version__, "torch": torch.__version__, "sklearn": sklearn.__version__,
            "numpy": np.__version__, "torch_threads": torch.get_num_threads(),
            "pyod_autoencoder_params": params(pyod_autoencoder()), "pyod_pca_params": params(pyod_pca())}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--classes", default="0-9")
    parser.add_argument("--seed", type=int, default=1, help="random_state of PyOD's models (default 1)")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--json", help="write the per-class results and versions here")
    args = parser.parse_args()
    global SEED
    SEED = args.seed
    methods = args.methods.split(",")
    unknown = [m for m in methods if m not in RUNS]
    if unknown:
        raise SystemExit(f"--methods: unknown {unknown}; choose from {','.join(METHODS)}")
    with one_thread():
        data = protocol.load()
        results = []
        for normal_class in protocol.parse_classes(args.classes):
            results += run_class(normal_class, data, methods)
            print(f"class {normal_class}: " + ", ".join(f"{r['method']} {r['auroc']:.3f}" for r in results[-len(methods):]),
                  flush=True)
        print(protocol.markdown(results))
        if args.json:
            protocol.write_json(args.json, {"versions": versions(), "results": results})


if __name__ == "__main__":
    main()
