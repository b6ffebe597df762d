#!/usr/bin/env python3
"""One Fashion-MNIST class as "normal" data for anomaly detection, with the standard library:
writes DIR/CLASS.npy (that class's training images, uint8 (n, 28, 28)) and DIR/truth-CLASS.csv
(for each test image, 0 when it is of that class, 1 otherwise: the anomalies).
Usage: make-one-class.py DIR CLASS"""
import gzip
import os
import struct
import sys

folder = os.environ.get("AE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
out, wanted = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)


def read(name, offset):
    with gzip.open(f"{folder}/{name}") as f:
        return f.read()[offset:]


images, labels = read("train-images-idx3-ubyte.gz", 16), read("train-labels-idx1-ubyte.gz", 8)
rows = [images[i * 784:(i + 1) * 784] for i, label in enumerate(labels) if label == wanted]
header = "{'descr': '|u1', 'fortran_order': False, 'shape': (%d, 28, 28), }" % len(rows)
header += " " * (63 - (10 + len(header)) % 64) + "\n"  # the data starts on a 64-byte boundary
with open(f"{out}/{wanted}.npy", "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + b"".join(rows))
with open(f"{out}/truth-{wanted}.csv", "w") as f:
    f.write("".join("0\n" if label == wanted else "1\n" for label in read("t10k-labels-idx1-ubyte.gz", 8)))
print(f"{out}/{wanted}.npy: {len(rows)} training images of class {wanted}")
