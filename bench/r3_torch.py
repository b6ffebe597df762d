"""Recipes R3 and R6 in PyTorch: the convolutional autoencoder
Conv(1->16, 3x3, s2, p1) -> Conv(16->32, 3x3, s2, p1) -> Linear(1568->32), mirrored with
ConvTranspose2d(output_padding=1); ReLU after every hidden layer (the code included), sigmoid
output, BCE summed over pixels (mean over the batch), Adam 1e-3, batch 128.

R6 adds --noise SIGMA: inputs get Gaussian noise clipped to [0, 1] each batch, the target is
the clean image. With --noisy-test FILE.npy (noisy test images in [0, 1]) it also reports the
PSNR of its outputs against the clean test images. Prints one JSON line."""
import json

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from fashion import train_test
from torch_recipe import arguments, fit


def r6_options(parser):
    parser.add_argument("--noise", type=float, default=0.0)
    parser.add_argument("--noisy-test")


args = arguments(epochs=5, extra=r6_options)
train, test = (torch.from_numpy(a).reshape(-1, 1, 28, 28) for a in train_test())


class ConvAutoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 16, 3, 2, 1), nn.Conv2d(16, 32, 3, 2, 1)
        self.code, self.widen = nn.Linear(1568, 32), nn.Linear(32, 1568)
        self.deconv1 = nn.ConvTranspose2d(32, 16, 3, 2, 1, output_padding=1)
        self.deconv2 = nn.ConvTranspose2d(16, 1, 3, 2, 1, output_padding=1)

    def forward(self, x):
        h = F.relu(self.conv2(F.relu(self.conv1(x))))
        z = F.relu(self.code(h.flatten(1)))
        h = F.relu(self.widen(z)).reshape(-1, 32, 7, 7)
        return self.deconv2(F.relu(self.deconv1(h)))  # logits


model = ConvAutoencoder()


def batch_loss(clean):
    noisy = (clean + args.noise * torch.randn_like(clean)).clamp(0, 1) if args.noise > 0 else clean
    return F.binary_cross_entropy_with_logits(model(noisy), clean, reduction="sum")


seconds = fit(model, train, args.epochs, batch_loss)
result = {"seconds_per_epoch": seconds}
with torch.no_grad():
    logits = torch.cat([model(test[i:i + 1000]) for i in range(0, len(test), 1000)])
    result["bce"] = (F.binary_cross_entropy_with_logits(logits, test, reduction="sum") / len(test)).item()
    result["mse"] = F.mse_loss(torch.sigmoid(logits), test).item()
    if args.noisy_test:
        noisy = torch.from_numpy(np.load(args.noisy_test)).reshape(-1, 1, 28, 28)
        out = torch.cat([torch.sigmoid(model(noisy[i:i + 1000])) for i in range(0, len(noisy), 1000)])
        result["psnr"] = float(10 * np.log10(1 / F.mse_loss(out, test).item()))
print(json.dumps(result))
