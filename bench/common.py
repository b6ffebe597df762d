"""What the side-by-side benchmarks share: alternating runs and medians."""
import statistics
import sys


def alternate(label, ours, theirs, repeats):
    """Run ours() and theirs() `repeats` times, swapping which goes first each time, so drifting
    machine load hits both sides alike. Returns (our results, their results)."""
    mine, others = [], []
    for repeat in range(repeats):
        pair = [lambda: mine.append(ours()), lambda: others.append(theirs())]
        for run in (pair if repeat % 2 == 0 else pair[::-1]):
            run()
        print(f"{label}, repeat {repeat + 1}: ours {mine[-1]}, theirs {others[-1]}", file=sys.stderr)
    return mine, others


def median(runs, key):
    return statistics.median(r[key] for r in runs)
