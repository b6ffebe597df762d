"""Two builds of `ae` side by side on our side of recipes R1, R2, R3 and R6: same data,
architecture, optimizer, epochs, seed and thread count, runs alternated. For a change that
must not cost quality or speed (the one-engine redesign): the old build is the reference.

Usage: python bench/ab.py OLD_AE NEW_AE [--epochs 3] [--repeats 3] [--threads 1,2] [--recipes r1,r2,r3,r6]
Prints one JSON line per recipe and thread count: medians of each side and new / old ratios."""
import argparse
import json
import os
import statistics
import sys
import tempfile

from common import train_ours

RECIPES = {
    "r1": ["--layers", "256,32", "--activation", "relu", "--loss", "bce"],
    "r2": ["--model", "vae", "--layers", "400,20", "--loss", "bce"],
    "r3": ["--arch", "conv16s2,conv32s2,dense32", "--loss", "bce"],
    "r6": ["--model", "denoising", "--noise", "gaussian:0.5", "--arch", "conv16s2,conv32s2,dense256", "--code-activation", "linear",
           "--loss", "bce"],
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--recipes", default="r1,r2,r3,r6")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for recipe in args.recipes.split(","):
            for threads in [int(t) for t in args.threads.split(",")]:
                runs = {"old": [], "new": []}
                for repeat in range(args.repeats):
                    order = ["old", "new"] if repeat % 2 == 0 else ["new", "old"]
                    for side in order:
                        runs[side].append(train_ours(RECIPES[recipe], args.epochs, threads, os.path.join(folder, f"{side}.h5"),
                                                     ae=getattr(args, side)))
                    print(f"{recipe} threads {threads} repeat {repeat + 1}: "
                          f"old {runs['old'][-1]} new {runs['new'][-1]}", file=sys.stderr)
                keys = [k for k in runs["old"][0] if isinstance(runs["old"][0][k], (int, float)) and k != "samples"]
                result = {"recipe": recipe, "threads": threads, "epochs": args.epochs, "repeats": args.repeats}
                for k in keys:
                    old, new = (statistics.median(r[k] for r in runs[s]) for s in ("old", "new"))
                    result[k] = {"old": round(old, 6), "new": round(new, 6), "new/old": round(new / old, 4) if old else None}
                print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
