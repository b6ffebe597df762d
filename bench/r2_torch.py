"""Recipe R2 in PyTorch: VAE 784-400-(20 mu, 20 logvar)-400-784, Bernoulli decoder (BCE summed
over pixels), analytic KL, Adam 1e-3, batch 128 (the PyTorch examples' VAE). Prints one JSON
line: test negative ELBO per image (sampled codes, as the example evaluates) and s/epoch."""
import json

import torch
from torch import nn
from torch.nn import functional as F

from fashion import train_test
from torch_recipe import arguments, fit

args = arguments()
train, test = (torch.from_numpy(a) for a in train_test())


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.mu, self.logvar = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.fc4(F.relu(self.fc3(z))), mu, logvar


def loss_sum(logits, x, mu, logvar):
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    return bce - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


model = VAE()


def batch_loss(batch):
    logits, mu, logvar = model(batch)
    return loss_sum(logits, batch, mu, logvar)


seconds = fit(model, train, args.epochs, batch_loss)
with torch.no_grad():
    logits, mu, logvar = model(test)
    neg_elbo = (loss_sum(logits, test, mu, logvar) / len(test)).item()
print(json.dumps({"neg_elbo": neg_elbo, "seconds_per_epoch": seconds}))
