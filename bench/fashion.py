"""Fashion-MNIST from Debian's dataset-fashion-mnist IDX files, pixels scaled to [0, 1]."""
import gzip
import os

import numpy as np

FOLDER = os.environ.get("AE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")


def images(split):
    with gzip.open(f"{FOLDER}/{split}-images-idx3-ubyte.gz") as f:
        data = np.frombuffer(f.read(), np.uint8, offset=16)
    return (data.reshape(-1, 784).astype(np.float32) / 255.0)


def train_test():
    return images("train"), images("t10k")


def labels(split):
    with gzip.open(f"{FOLDER}/{split}-labels-idx1-ubyte.gz") as f:
        return np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
