"""Recipe R1 in PyTorch: 784-256-32-256-784, ReLU (code included), sigmoid output, BCE summed
over pixels and averaged over the batch, Adam 1e-3, batch 128. Prints one JSON line."""
import json

import torch
from torch import nn

from fashion import train_test
from torch_recipe import arguments, fit

args = arguments()
train, test = (torch.from_numpy(a) for a in train_test())

model = nn.Sequential(
    nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 32), nn.ReLU(),
    nn.Linear(32, 256), nn.ReLU(), nn.Linear(256, 784),
)
loss_fn = nn.BCEWithLogitsLoss(reduction="sum")
seconds = fit(model, train, args.epochs, lambda batch: loss_fn(model(batch), batch))

with torch.no_grad():
    logits = model(test)
    bce = (nn.functional.binary_cross_entropy_with_logits(logits, test, reduction="sum") / len(test)).item()
    mse = ((torch.sigmoid(logits) - test) ** 2).mean().item()
print(json.dumps({"bce": bce, "mse": mse, "seconds_per_epoch": seconds}))
