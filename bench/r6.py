"""Recipe R6 (denoising), issue 13's protocol: Fashion-MNIST test images with Gaussian noise
(sigma 0.5) added to [0, 1] pixels and clipped to [0, 1]; every method maps them back and is
scored against the clean images by the mean of per-image PSNR, the PSNR of the mean MSE, and
SSIM (scikit-image, data_range 1, per image, mean). In one run, on the same noisy test set:
  - the noisy input itself;
  - a Gaussian blur, its width picked on noisy training images (held out from the test set);
  - BM3D (PyPI bm3d) at sigma_psd 0.5 (the true sigma) and at its best sigma_psd, picked on the
    scored slice itself (a generous baseline); at about a second per 28x28 image it is scored
    on the first --bm3d-images test images only, and every method is also reported there;
  - models trained for --epochs, runs alternated (order reversed every repeat), medians:
    ours (`ae train --model denoising`) with R3's arch and with the best arch found for R6, and
    PyTorch's same two networks (r3_torch.py) plus the plain tutorial recipe (r6_torch.py:
    fully convolutional, no dense bottleneck).
Seconds per epoch: from our model's /history/seconds, perf_counter around PyTorch's epochs."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor

import bm3d
import h5py
import numpy as np
from skimage.metrics import structural_similarity

from common import AE, HERE
from fashion import train_test

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--threads", default="1,2")
parser.add_argument("--bm3d-images", type=int, default=200, help="test images BM3D is scored on (0: skip BM3D)")
args = parser.parse_args()
SIGMA = 0.5
R3 = "conv16s2,conv32s2,dense32"
BEST = "conv16s2,conv32s2,dense256"  # with a linear code

OURS = {"ours R3": ["--arch", R3],
        "ours best": ["--arch", BEST, "--code-activation", "linear"]}
TORCH = {"torch R3": ("r3_torch.py", []),
         "torch best": ("r3_torch.py", ["--code", "256", "--code-activation", "linear"]),
         "torch plain": ("r6_torch.py", [])}


def add_noise(images, seed):
    noise = np.random.default_rng(seed).standard_normal(images.shape, dtype=np.float32)
    return np.clip(images + SIGMA * noise, 0, 1)


def per_image_psnr(images, clean):
    return 10 * np.log10(1 / np.mean((images - clean) ** 2, axis=1))


def scores(images, clean):
    """Mean per-image PSNR, PSNR of the mean MSE, mean SSIM."""
    images = np.asarray(images, np.float64).reshape(len(clean), 784)
    ssim = [structural_similarity(a.reshape(28, 28), b.reshape(28, 28), data_range=1) for a, b in zip(images, clean)]
    return {"psnr": float(np.mean(per_image_psnr(images, clean))),
            "psnr_of_mse": float(10 * np.log10(1 / np.mean((images - clean) ** 2))),
            "ssim": float(np.mean(ssim))}


def gaussian_blur(images, width):
    """Separable Gaussian filter over 28x28 images (zero padding)."""
    radius = max(1, int(3 * width))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / width) ** 2)
    taps /= taps.sum()
    out = images.reshape(-1, 28, 28)
    for axis in (1, 2):
        out = np.apply_along_axis(lambda v: np.convolve(v, taps, mode="same"), axis, out)
    return out.reshape(-1, 784)


def bm3d_image(job):
    image, sigma_psd = job
    return bm3d.bm3d(image.reshape(28, 28).astype(np.float64), sigma_psd).reshape(784)


def ours(train_args, threads, folder):
    model, out = os.path.join(folder, "r6.h5"), os.path.join(folder, "out.npy")
    subprocess.run([AE, "train", "--model", "denoising", "--noise", f"gaussian:{SIGMA}", *train_args, "--loss", "bce",
                    "--optimizer", "adam", "--lr", "1e-3", "--batch", "128", "--epochs", str(args.epochs), "--seed", "1",
                    "--validation", "0", "--data", "fashion-mnist", "--threads", str(threads), "--quiet",
                    "--out", model], check=True, stdout=subprocess.DEVNULL)
    # Our model stores the training data's 0..255 units and undoes them itself.
    subprocess.run([AE, "reconstruct", model, "--data", os.path.join(folder, "noisy255.npy"), "--out", out,
                    "--threads", str(threads)], check=True, capture_output=True)
    with h5py.File(model, "r") as f:
        seconds = statistics.median(f["history/seconds"][...])
    return np.load(out) / 255, seconds


def theirs(script, extra, threads, folder):
    out = os.path.join(folder, "out.npy")
    printed = subprocess.run([sys.executable, os.path.join(HERE, script), "--epochs", str(args.epochs),
                              "--threads", str(threads), "--noise", str(SIGMA),
                              "--noisy-test", os.path.join(folder, "noisy01.npy"), "--out", out, *extra],
                             check=True, capture_output=True, text=True, cwd=HERE).stdout
    return np.load(out), json.loads(printed.strip().splitlines()[-1])["seconds_per_epoch"]


train, clean = train_test()
noisy = add_noise(clean, 6)
held_out = train[:1000]
held_out_noisy = add_noise(held_out, 7)
blur_width = max((0.5, 0.7, 1.0, 1.5, 2.0),
                 key=lambda w: np.mean(per_image_psnr(gaussian_blur(held_out_noisy, w), held_out)))
n = args.bm3d_images
rows = {"noisy input": (noisy, None), f"Gaussian blur (width {blur_width})": (gaussian_blur(noisy, blur_width), None)}

bm3d_rows = {}
if n:
    # Before the timed runs: two processes, no timing at stake.
    with ProcessPoolExecutor(2) as pool:
        for sigma_psd in (0.2, 0.3, 0.4, 0.5):
            out = np.array(list(pool.map(bm3d_image, [(x, sigma_psd) for x in noisy[:n]], chunksize=10)))
            bm3d_rows[sigma_psd] = out
            print(f"BM3D sigma_psd {sigma_psd}: {scores(out, clean[:n])}", file=sys.stderr)
    best_psd = max(bm3d_rows, key=lambda s: scores(bm3d_rows[s], clean[:n])["psnr"])

runs = {}  # (name, threads) -> [(images, seconds per epoch)]
with tempfile.TemporaryDirectory() as folder:
    np.save(os.path.join(folder, "noisy01.npy"), noisy)
    np.save(os.path.join(folder, "noisy255.npy"), noisy * 255)
    sides = [(name, lambda t, a=a: ours(a, t, folder)) for name, a in OURS.items()]
    sides += [(name, lambda t, s=s, e=e: theirs(s, e, t, folder)) for name, (s, e) in TORCH.items()]
    for threads in [int(t) for t in args.threads.split(",")]:
        for repeat in range(args.repeats):
            for name, run in (sides if repeat % 2 == 0 else sides[::-1]):
                images, seconds = run(threads)
                runs.setdefault((name, threads), []).append((scores(images, clean), scores(images[:n], clean[:n]) if n else None, seconds))
                print(f"threads {threads}, repeat {repeat + 1}: {name} {runs[(name, threads)][-1][0]}, "
                      f"{seconds:.2f} s/epoch", file=sys.stderr)


def med(values):
    return statistics.median(values)


subset = f"first {n} test images" if n else "-"
print(f"\nR6 denoising: Fashion-MNIST test set (10,000 images), Gaussian noise sigma {SIGMA} clipped to [0, 1]; "
      f"models {args.epochs} epochs, medians of {args.repeats} alternated runs")
print(f"{'method':<34} {'threads':>7} | {'PSNR/image':>10} {'PSNR(MSE)':>9} {'SSIM':>6} | "
      f"{'PSNR/image ' + str(n):>14} | {'s/epoch':>7} {'ratio':>6}")
for name, (images, _) in rows.items():
    full, part = scores(images, clean), scores(images[:n], clean[:n]) if n else {"psnr": float("nan")}
    print(f"{name:<34} {'':>7} | {full['psnr']:10.2f} {full['psnr_of_mse']:9.2f} {full['ssim']:6.3f} | {part['psnr']:14.2f} |")
for sigma_psd in sorted(bm3d_rows):
    part = scores(bm3d_rows[sigma_psd], clean[:n])
    label = f"BM3D sigma_psd {sigma_psd}" + (" (best)" if sigma_psd == best_psd else "")
    print(f"{label:<34} {'':>7} | {'-':>10} {'-':>9} {'-':>6} | {part['psnr']:14.2f} |  (PSNR(MSE) {part['psnr_of_mse']:.2f}, SSIM {part['ssim']:.3f} on the {subset})")
for threads in [int(t) for t in args.threads.split(",")]:
    plain = med(r[2] for r in runs[("torch plain", threads)])
    for name in [*OURS, *TORCH]:
        rs = runs[(name, threads)]
        part = med(r[1]["psnr"] for r in rs) if n else float("nan")
        seconds = med(r[2] for r in rs)
        print(f"{name:<34} {threads:>7} | {med(r[0]['psnr'] for r in rs):10.2f} {med(r[0]['psnr_of_mse'] for r in rs):9.2f} "
              f"{med(r[0]['ssim'] for r in rs):6.3f} | {part:14.2f} | {seconds:7.2f} {seconds / plain:6.2f}")
print(f"ratio: seconds per epoch / torch plain's. ours R3 / best: --arch {R3} / {BEST} --code-activation linear; "
      f"torch R3 / best: r3_torch.py with the same networks; torch plain: r6_torch.py")
print("target: ours best >= 18.7 dB per image, ratio <= 1")
