"""Recipes R3 and R6 in PyTorch: the convolutional autoencoder
Conv(1->16, 3x3, s2, p1) -> Conv(16->32, 3x3, s2, p1) -> Linear(1568->32), mirrored with
ConvTranspose2d(output_padding=1); ReLU after every hidden layer (the code included), sigmoid
output, BCE summed over pixels (mean over the batch), Adam 1e-3, batch 128.

--code and --code-activation change the code layer (R6 compares ours and PyTorch's on
conv16s2,conv32s2,dense256 with a linear code too). R6 adds --noise SIGMA: inputs get Gaussian noise clipped to [0, 1] each batch, the target is
the clean image. With --noisy-test FILE.npy (noisy test images in [0, 1]) and --out FILE.npy it
writes its denoised test images there (r6.py scores them). Prints one JSON line."""
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
    parser.add_argument("--out")
    parser.add_argument("--code", type=int, default=32, help="code width (R6's best arch of ours: 256)")
    parser.add_argument("--code-activation", choices=("relu", "linear"), default="relu")


args = arguments(epochs=5, extra=r6_options)
train, test = (torch.from_numpy(a).reshape(-1, 1, 28, 28) for a in train_test())


class ConvAutoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 16, 3, 2, 1), nn.Conv2d(16, 32, 3, 2, 1)
        self.code, self.widen = nn.Linear(1568, args.code), nn.Linear(args.code, 1568)
        self.deconv1 = nn.ConvTranspose2d(32, 16, 3, 2, 1, output_padding=1)
        self.deconv2 = nn.ConvTranspose2d(16, 1, 3, 2, 1, output_padding=1)

    def forward(self, x):
        h = F.relu(self.conv2(F.relu(self.conv1(x))))
        z = self.code(h.flatten(1))
        z = F.relu(z) if args.code_activation == "relu" else z
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
    if args.noisy_test and args.out:
        noisy = torch.from_numpy(np.load(args.noisy_test)).reshape(-1, 1, 28, 28)
        out = torch.cat([torch.sigmoid(model(noisy[i:i + 1000])) for i in range(0, len(noisy), 1000)])
        np.save(args.out, out.reshape(len(noisy), 784).numpy())
print(json.dumps(result))
