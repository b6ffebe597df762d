"""The one-class Fashion-MNIST protocol (issue 13) that both sides of the anomaly bench share:
train on the training images of class c only, score all 10,000 test images, and take the AUROC
of "not class c" (anomaly = 1) against the score. Pixels are float32 in [0, 1]."""
import json
import os
import statistics
import sys

import numpy as np
from sklearn.metrics import roc_auc_score

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fashion import images, labels  # noqa: E402


def parse_classes(text):
    """'0-9', '3' or '0,4,7' -> a sorted list of class numbers in 0...9."""
    classes = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        classes.update(range(int(low), int(high or low) + 1))
    if not classes or min(classes) < 0 or max(classes) > 9:
        raise SystemExit(f"--classes {text}: classes run from 0 to 9, e.g. 0-9 or 0,3,5")
    return sorted(classes)


def load():
    return images("train"), labels("train"), images("t10k"), labels("t10k")


def auroc(test_labels, normal_class, scores):
    return float(roc_auc_score((test_labels != normal_class).astype(np.int64), scores))


def summary(results):
    """Per method, in first-seen order: mean AUROC, the worst class and the median train seconds."""
    methods = list(dict.fromkeys(r["method"] for r in results))
    rows = []
    for method in methods:
        mine = [r for r in results if r["method"] == method]
        worst = min(mine, key=lambda r: r["auroc"])
        rows.append({"method": method, "how": mine[0].get("how", ""), "classes": len(mine),
                     "mean_auroc": statistics.fmean(r["auroc"] for r in mine),
                     "worst_auroc": worst["auroc"], "worst_class": worst["class"],
                     "train_s": statistics.median(r["train_s"] for r in mine),
                     "score_s": statistics.median(r["score_s"] for r in mine)})
    return rows


def markdown(results):
    """The summary table, then AUROC per class (methods down, classes across)."""
    lines = ["| method | mean AUROC | worst class | train s/class | score s/class | computed |",
             "| --- | --- | --- | --- | --- | --- |"]
    for row in summary(results):
        lines.append(f"| {row['method']} | {row['mean_auroc']:.3f} | {row['worst_auroc']:.3f} (class {row['worst_class']}) "
                     f"| {row['train_s']:.1f} | {row['score_s']:.2f} | {row['how']} |")
    classes = sorted({r["class"] for r in results})
    lines += ["", "| method | " + " | ".join(str(c) for c in classes) + " |",
              "| --- |" + " --- |" * len(classes)]
    for method in dict.fromkeys(r["method"] for r in results):
        by_class = {r["class"]: r["auroc"] for r in results if r["method"] == method}
        lines.append(f"| {method} | " + " | ".join(f"{by_class[c]:.3f}" if c in by_class else "" for c in classes) + " |")
    return "\n".join(lines)


def write_json(path, payload):
    """Atomically: a half-written results file must never look like a finished one."""
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        json.dump(payload, f, indent=1)
    os.replace(temporary, path)
