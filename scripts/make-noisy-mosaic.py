#!/usr/bin/env python3
"""A picture bigger than a model's tile, for ae denoise and ae inpaint, with the standard library:
3 x 4 Fashion-MNIST test images side by side, cropped to 80 x 101 pixels (0..255). Writes into DIR
clean.png/.npy, noisy.png/.npy (Gaussian noise of sigma SIGMA of the range, clipped; default 0.5)
and mask.png/.npy (0 missing: a 10 x 14 hole and every 7th pixel; 255 known elsewhere).
The .npy files are float32 (80, 101), the mask's uint8. Usage: make-noisy-mosaic.py DIR [SIGMA]"""
import gzip
import os
import random
import struct
import sys
import zlib

folder = os.environ.get("AE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
out = sys.argv[1]
sigma = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
os.makedirs(out, exist_ok=True)
HEIGHT, WIDTH = 80, 101

with gzip.open(f"{folder}/t10k-images-idx3-ubyte.gz") as f:
    images = f.read()[16:]
clean = [[images[((y // 28) * 4 + x // 28) * 784 + (y % 28) * 28 + x % 28] for x in range(WIDTH)] for y in range(HEIGHT)]
noise = random.Random(0)
noisy = [[float(round(min(max(v + noise.gauss(0, sigma * 255), 0), 255))) for v in row] for row in clean]
mask = [[0 if (34 <= y < 44 and 40 <= x < 54) or (y * WIDTH + x) % 7 == 0 else 255 for x in range(WIDTH)]
        for y in range(HEIGHT)]


def png(path, rows):
    """An 8-bit grey PNG."""
    data = b"".join(b"\0" + bytes(int(v) for v in row) for row in rows)
    chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(data)) + chunk(b"IEND", b""))


def npy(path, rows, dtype):
    """A (HEIGHT, WIDTH) .npy array of float32 ('<f4') or uint8 ('|u1')."""
    header = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': ({HEIGHT}, {WIDTH}), }}"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    values = [v for row in rows for v in row]
    body = struct.pack(f"<{len(values)}f", *values) if dtype == "<f4" else bytes(values)
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + body)


for name, rows in (("clean", clean), ("noisy", noisy)):
    png(f"{out}/{name}.png", rows)
    npy(f"{out}/{name}.npy", rows, "<f4")
png(f"{out}/mask.png", mask)
npy(f"{out}/mask.npy", mask, "|u1")
