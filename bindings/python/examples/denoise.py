"""Denoise Fashion-MNIST test images with a trained denoising model, from Python: add
Gaussian noise (sigma 0.5 of the pixel range, clipped), reconstruct, and report the PSNR of
the noisy and the cleaned images against the originals.

    python denoise.py MODEL.h5
"""
import gzip
import os
import sys

import numpy as np

import autoencoder

folder = os.environ.get("AE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
with gzip.open(f"{folder}/t10k-images-idx3-ubyte.gz") as f:
    clean = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255


def psnr(images):
    return 10 * np.log10(1 / np.mean((images - clean) ** 2))


noisy = np.clip(clean + 0.5 * np.random.default_rng(6).standard_normal(clean.shape, dtype=np.float32), 0, 1)
with autoencoder.Model(sys.argv[1]) as model:
    # The model was trained on 0..255 pixels and takes and returns that unit.
    denoised = model.reconstruct(noisy * 255) / 255
    print(f"python: {model!r} (input shape {model.input_shape})")
print(f"python: PSNR of the noisy test images {psnr(noisy):.2f} dB, denoised {psnr(denoised):.2f} dB")
