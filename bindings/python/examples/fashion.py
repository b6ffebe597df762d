"""Use a trained Fashion-MNIST model from Python: encode, reconstruct, and rank test images
by anomaly score. Writes the first test images as CSV for the C example.

    python fashion.py MODEL.h5 OUT_ROWS.csv
"""
import gzip
import os
import sys

import numpy as np

import autoencoder

folder = os.environ.get("AE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
with gzip.open(f"{folder}/t10k-images-idx3-ubyte.gz") as f:
    images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32)
with gzip.open(f"{folder}/t10k-labels-idx1-ubyte.gz") as f:
    labels = np.frombuffer(f.read(), np.uint8, offset=8)
names = ["T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]

with autoencoder.Model(sys.argv[1]) as model:
    print(f"python: {model!r}, libautoencoder {autoencoder.library_version()}")
    codes = model.encode(images)
    recon = model.reconstruct(images)
    scores = model.score(images)
    print(f"python: encoded {len(images)} test images to codes of shape {codes.shape}")
    print(f"python: reconstruction MSE per pixel {np.mean(((recon - images) / 255) ** 2):.4f}")
    by_class = {names[c]: float(np.mean(scores[labels == c])) for c in range(10)}
    hardest = max(by_class, key=by_class.get)
    easiest = min(by_class, key=by_class.get)
    print(f"python: mean anomaly score {scores.mean():.1f}; hardest class {hardest} ({by_class[hardest]:.1f}), "
          f"easiest {easiest} ({by_class[easiest]:.1f})")
np.savetxt(sys.argv[2], images[:3], fmt="%g", delimiter=",")
