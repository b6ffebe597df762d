"""Recipe R6 (denoising) side by side: R3's convolutional autoencoder trained to map images with
Gaussian noise (sigma 0.5, clipped to [0, 1]) back to the clean ones, ours (`ae train --model
denoising`) against PyTorch (r3_torch.py --noise), runs alternated; plus a Gaussian-blur baseline
whose width is picked for it on the test images themselves (a generous baseline).
Reports PSNR (dB, over the whole test set) of the noisy input, the blur and both models."""
import os
import subprocess
import tempfile

import numpy as np

from common import AE, alternate, arguments, median, run_torch, train_ours
from fashion import train_test

args = arguments(epochs=5)
SIGMA = 0.5


def psnr(images, clean):
    return float(10 * np.log10(1 / np.mean((images - clean) ** 2)))


def gaussian_blur(images, width):
    """Separable Gaussian filter over 28x28 images (zero padding)."""
    radius = max(1, int(3 * width))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / width) ** 2)
    taps /= taps.sum()
    out = images.reshape(-1, 28, 28)
    for axis in (1, 2):
        out = np.apply_along_axis(lambda v: np.convolve(v, taps, mode="same"), axis, out)
    return out.reshape(-1, 784)


_, clean = train_test()
noisy = np.clip(clean + SIGMA * np.random.default_rng(6).standard_normal(clean.shape, dtype=np.float32), 0, 1)
blur_width = max((0.5, 0.7, 1.0, 1.5, 2.0), key=lambda w: psnr(gaussian_blur(noisy[:1000], w), clean[:1000]))
blur_psnr = psnr(gaussian_blur(noisy, blur_width), clean)

with tempfile.TemporaryDirectory() as folder:
    np.save(os.path.join(folder, "noisy01.npy"), noisy)
    np.save(os.path.join(folder, "noisy255.npy"), noisy * 255)  # our model undoes the data's 0..255 units itself

    def ours(threads):
        model = os.path.join(folder, "r6.h5")
        figures = train_ours(["--model", "denoising", "--noise", f"gaussian:{SIGMA}", "--arch", "conv16s2,conv32s2,dense32",
                              "--loss", "bce"], args.epochs, threads, model)
        out = os.path.join(folder, "out.npy")
        subprocess.run([AE, "reconstruct", model, "--data", os.path.join(folder, "noisy255.npy"), "--out", out,
                        "--threads", str(threads)], check=True, capture_output=True)
        return {"psnr": psnr(np.load(out) / 255, clean), "seconds_per_epoch": figures["seconds_per_epoch"]}

    def theirs(threads):
        return run_torch("r3_torch.py", args.epochs, threads,
                         ["--noise", str(SIGMA), "--noisy-test", os.path.join(folder, "noisy01.npy")])

    rows = []
    for threads in [int(t) for t in args.threads.split(",")]:
        mine, others = alternate(f"threads {threads}", lambda: ours(threads), lambda: theirs(threads), args.repeats)
        rows.append((threads, mine, others))

print(f"\nR6 denoising, Gaussian sigma {SIGMA} clipped, R3's conv AE, {args.epochs} epochs, "
      f"medians of {args.repeats} alternated runs")
print(f"noisy input PSNR {psnr(noisy, clean):.2f} dB; Gaussian blur (width {blur_width}, best on the test set) "
      f"{blur_psnr:.2f} dB")
print(f"{'threads':>7} | {'PSNR ours':>9} {'torch':>7} {'diff dB':>7} | {'s/epoch ours':>12} {'torch':>7} {'ratio':>6}")
for threads, mine, others in rows:
    p1, p2 = median(mine, "psnr"), median(others, "psnr")
    s1, s2 = median(mine, "seconds_per_epoch"), median(others, "seconds_per_epoch")
    print(f"{threads:>7} | {p1:9.2f} {p2:7.2f} {p1 - p2:+7.2f} | {s1:12.3f} {s2:7.3f} {s1 / s2:6.2f}")
print("target: PSNR ours >= torch's")
