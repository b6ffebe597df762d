"""Reference baselines on the held-out notes: the Griffin-Lim ceiling and PCA-k on log-magnitude frames.

(a) ceiling: each test file's true STFT magnitude through librosa.griffinlim, so the only loss is phase;
(b) PCA-k (k = 16, 128) fitted on DIR/train's feature frames ln(|X| + 1e-4), applied to the test frames,
    back to magnitudes exp(f) - 1e-4 clipped at 0, then the same Griffin-Lim.
Metrics (reference_metrics.py) against the original test WAV, averaged over test files.

    python baselines.py --data /tmp/ae-audio-bench/notes --json /tmp/ae-audio-bench/baselines.json
"""
import argparse
import glob
import json
import os
import sys
import time

import librosa
import numpy as np
from sklearn.decomposition import PCA

from reference_metrics import HOP, N_FFT, all_metrics, read_mono, stft_magnitude

PCA_SIZES = (16, 128)
GRIFFIN_LIM_SEED = 0


def griffin_lim(magnitude_frames, length):
    """librosa's fast Griffin-Lim (32 iterations, momentum 0.99, seeded random phases) of frames x bins."""
    return librosa.griffinlim(magnitude_frames.T, n_iter=32, hop_length=HOP, n_fft=N_FFT, window="hann",
                              center=True, pad_mode="constant", length=length, momentum=0.99,
                              init="random", random_state=GRIFFIN_LIM_SEED)


def read_folder(folder):
    paths = sorted(glob.glob(os.path.join(folder, "*.wav")))
    if not paths:
        sys.exit(f"error: {folder} holds no .wav files; run make_notes.py first.")
    try:
        return paths, [read_mono(path)[0].astype(np.float64) for path in paths]
    except ValueError as error:
        sys.exit(f"error: {error}")


def mean_metrics(per_file):
    return {key: float(np.mean([metrics[key] for metrics in per_file])) for key in per_file[0]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder with train/ and test/ from make_notes.py")
    parser.add_argument("--json", required=True, help="where to write the results")
    args = parser.parse_args()
    start = time.perf_counter()
    _, train_signals = read_folder(os.path.join(args.data, "train"))
    test_paths, test_signals = read_folder(os.path.join(args.data, "test"))
    train_features = np.concatenate([np.log(stft_magnitude(signal) + 1e-4) for signal in train_signals])

    # Each method maps a test signal's magnitude frames to the magnitude frames Griffin-Lim inverts.
    methods = {"Griffin-Lim ceiling (true magnitude)": lambda magnitude: magnitude}
    explained = {}
    for k in PCA_SIZES:
        pca = PCA(n_components=k, svd_solver="full").fit(train_features)
        explained[f"PCA-{k}"] = float(pca.explained_variance_ratio_.sum())
        methods[f"PCA-{k} + Griffin-Lim"] = lambda magnitude, pca=pca: np.maximum(
            np.exp(pca.inverse_transform(pca.transform(np.log(magnitude + 1e-4)))) - 1e-4, 0)

    results = {}
    for name, to_magnitude in methods.items():
        per_file = [all_metrics(signal, griffin_lim(to_magnitude(stft_magnitude(signal)), len(signal)))
                    for signal in test_signals]
        results[name] = mean_metrics(per_file)
        print(f"baselines: {name} done", file=sys.stderr)

    report = {"data": os.path.abspath(args.data), "test_files": len(test_paths), "train_files": len(train_signals),
              "train_frames": int(len(train_features)), "pca_explained_variance": explained,
              "griffin_lim": {"n_iter": 32, "momentum": 0.99, "init": "random", "seed": GRIFFIN_LIM_SEED,
                              "n_fft": N_FFT, "hop": HOP, "librosa": librosa.__version__},
              "results": results, "seconds": round(time.perf_counter() - start, 1)}
    with open(args.json, "w") as file:
        json.dump(report, file, indent=2)
    print(f"| method ({len(test_paths)} test notes, unseen pitches) | LSD (dB) | SC | MR-STFT |")
    print("| --- | ---: | ---: | ---: |")
    for name, metrics in results.items():
        print(f"| {name} | {metrics['lsd_db']:.2f} | {metrics['spectral_convergence']:.3f} | {metrics['mr_stft']:.3f} |")


if __name__ == "__main__":
    main()
