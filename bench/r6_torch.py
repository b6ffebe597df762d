"""Recipe R6's reference side: the plain PyTorch convolutional denoising autoencoder a user
following the common tutorials writes. Fully convolutional, no dense bottleneck:
Conv(1->32, 3x3, s2, p1) -> Conv(32->64, 3x3, s2, p1), mirrored with
ConvTranspose2d(output_padding=1); ReLU after every hidden layer, sigmoid output, BCE summed over
pixels (mean over the batch), Adam 1e-3, batch 128. Inputs get fresh Gaussian noise (sigma
--noise, clipped to [0, 1]) every batch; the target is the clean image.

With --noisy-test FILE.npy (noisy test images in [0, 1]) and --out FILE.npy it writes its
denoised test images there (scored by r6.py, the same way for every side). Prints one JSON line.
--width, --loss exist to measure the recipe's choices (bench/README.md's R6 log)."""
import json

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from fashion import train_test
from torch_recipe import arguments, fit


def options(parser):
    parser.add_argument("--noise", type=float, default=0.5)
    parser.add_argument("--noisy-test")
    parser.add_argument("--out")
    parser.add_argument("--width", type=int, default=32, help="filters of the first convolution (the second has twice)")
    parser.add_argument("--loss", choices=("bce", "mse"), default="bce")


args = arguments(epochs=5, extra=options)
train, _ = (torch.from_numpy(a).reshape(-1, 1, 28, 28) for a in train_test())
w = args.width
model = nn.Sequential(
    nn.Conv2d(1, w, 3, 2, 1), nn.ReLU(), nn.Conv2d(w, 2 * w, 3, 2, 1), nn.ReLU(),
    nn.ConvTranspose2d(2 * w, w, 3, 2, 1, output_padding=1), nn.ReLU(),
    nn.ConvTranspose2d(w, 1, 3, 2, 1, output_padding=1))  # logits


def batch_loss(clean):
    noisy = (clean + args.noise * torch.randn_like(clean)).clamp(0, 1)
    if args.loss == "bce":
        return F.binary_cross_entropy_with_logits(model(noisy), clean, reduction="sum")
    return F.mse_loss(torch.sigmoid(model(noisy)), clean, reduction="sum")


result = {"seconds_per_epoch": fit(model, train, args.epochs, batch_loss)}
if args.noisy_test and args.out:
    with torch.no_grad():
        noisy = torch.from_numpy(np.load(args.noisy_test)).reshape(-1, 1, 28, 28)
        out = torch.cat([torch.sigmoid(model(noisy[i:i + 1000])) for i in range(0, len(noisy), 1000)])
    np.save(args.out, out.reshape(len(noisy), 784).numpy())
print(json.dumps(result))
