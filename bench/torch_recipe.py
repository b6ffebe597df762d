"""What the PyTorch recipe scripts share: their arguments and the training loop every recipe
uses (Adam 1e-3, batch 128, a fresh shuffle each epoch, the loss averaged over the batch)."""
import argparse
import statistics
import time

import torch


def arguments(epochs=10, extra=lambda parser: None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    extra(parser)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    return args


def fit(model, train, epochs, batch_loss):
    """Train `model` on `train`; `batch_loss(batch)` gives a batch's summed loss. Returns the
    median seconds per epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(len(train))
        for i in range(0, len(train), 128):
            batch = train[order[i:i + 128]]
            optimizer.zero_grad(set_to_none=True)
            loss = batch_loss(batch) / len(batch)
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)
