"""Recipe R1 in PyTorch: 784-256-32-256-784, ReLU (code included), sigmoid output, BCE summed
over pixels and averaged over the batch, Adam 1e-3, batch 128. Prints one JSON line."""
import argparse
import json
import statistics
import time

import torch
from torch import nn

from fashion import train_test

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--seed", type=int, default=1)
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
train, test = (torch.from_numpy(a) for a in train_test())

model = nn.Sequential(
    nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 32), nn.ReLU(),
    nn.Linear(32, 256), nn.ReLU(), nn.Linear(256, 784),
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.BCEWithLogitsLoss(reduction="sum")

seconds = []
for epoch in range(args.epochs):
    start = time.perf_counter()
    order = torch.randperm(len(train))
    for i in range(0, len(train), 128):
        batch = train[order[i:i + 128]]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(batch), batch) / len(batch)
        loss.backward()
        optimizer.step()
    seconds.append(time.perf_counter() - start)

with torch.no_grad():
    logits = model(test)
    bce = (nn.functional.binary_cross_entropy_with_logits(logits, test, reduction="sum") / len(test)).item()
    mse = ((torch.sigmoid(logits) - test) ** 2).mean().item()
print(json.dumps({"bce": bce, "mse": mse, "seconds_per_epoch": statistics.median(seconds)}))
