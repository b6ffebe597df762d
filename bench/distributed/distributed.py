"""Scoring and table generation at scale: the single-process CLI against the CLI split into
--shards run as parallel processes, and against autoencoder.dask on a LocalCluster of 1 and 2
worker processes (one thread each). Run it through run.sh, which sets the environment.

Sides, each timed as one whole operation (wall clock, from the command's start to its output
being complete; for Dask, from building the graph to the last result; the cluster's start-up,
with `import autoencoder` on every worker, is timed separately and excluded):

  score    cli1     ae score --threads 1 over the whole .npy -> one scores .npy
           cli2     the same with --shards 2 --shard-index 0/1, two processes at once
           daskK    autoencoder.dask.score over a dask Array made of --chunk-rows blocks, each
                    block read by its worker from the same .npy (np.load mmap_mode='r', sliced
                    and copied: no data goes through the client), the scores gathered into the
                    client (compute()) and saved as one .npy, as the CLI writes
  sample   cli1     ae augment sample --rows N --threads 1 -> one .npy (float64, N x columns)
           cli2     the same with --shards 2, two processes at once
           daskK-parquet   autoencoder.dask.sample_table(model, N, partitions, seed).to_parquet(dir):
                    each worker writes its partitions
           daskK-memory    the same frame .compute()d: every partition gathered into one pandas
                    DataFrame in the client, nothing written (the CLI's .npy goes to the page cache
                    of the work directory; writing it is a small share of its time)

Every repeat runs every side, in forward order on even repeats and reversed on odd ones, so a
drifting load hits all sides alike; the table gives medians. Checks: the shards' outputs
concatenated equal the single process's (bit for bit), Dask's scores equal the CLI's within
1e-5, and Dask's rows equal the CLI's rows (same seed; categories by label).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# This file is called distributed.py: keep its folder off the path, or `import distributed`
# (Dask's) would find this script.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]
ROOT = os.path.dirname(os.path.dirname(HERE))
AE = os.environ.get("AE_BINARY", os.path.join(ROOT, ".build", "release", "ae"))

import numpy as np  # noqa: E402


def arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows to score and to generate")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", default="1,2", help="Dask LocalCluster sizes (worker processes, 1 thread each)")
    parser.add_argument("--chunk-rows", type=int, default=1_000_000,
                        help="rows per Dask block (scoring) and per partition (generation)")
    parser.add_argument("--parts", default="score,sample", help="score, sample or both")
    parser.add_argument("--outputs", default="parquet,memory", help="Dask outputs for generation: parquet, memory")
    parser.add_argument("--score", default="excess",
                        help="the anomaly model's score (ae train --score); combined, the default of ae train, "
                             "is about 14x slower here (a 5-nearest-neighbour search per row over 10,000 codes)")
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--work", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "ae-bench-distributed"),
                        help="where the data and the outputs go (about 220 bytes per row); kept for the next run")
    parser.add_argument("--json", default=os.path.join(ROOT, "bench", "results", "distributed.json"))
    return parser.parse_args()


def cpu_name():
    with open("/proc/cpuinfo") as f:
        return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def ae(*args, **kwargs):
    return subprocess.run([AE, *args], check=True, stdout=subprocess.DEVNULL, **kwargs)


def parallel(commands):
    """Start every command at once, wait for all; raise if one failed."""
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL) for c in commands]
    codes = [p.wait() for p in procs]
    if any(codes):
        raise RuntimeError(f"exit codes {codes} from {commands}")


def check_room(work, rows, features):
    need = rows * (features * 4 + 4 * 3 + 5 * 8 * 3 + 60)  # data, scores x3, rows .npy x3, parquet x2
    free = shutil.disk_usage(work).free
    with open("/proc/meminfo") as f:
        available = next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable"))
    print(f"room: {free / 1e9:.1f} GB free in {work} (need about {need / 1e9:.1f}), "
          f"{available / 1e9:.1f} GB RAM available", flush=True)
    if free < need * 1.2:
        sys.exit(f"not enough disk in {work}: pass --work DIR or fewer --rows")
    if available < rows * 200:
        print("warning: little RAM for this many rows; the data may not stay in the page cache", flush=True)


# -- data and models -----------------------------------------------------------------------------------------

def make_data(work, rows, features, score):
    """Rows from a 4-dimensional linear factor model plus noise; the model trains on 20,000 of them."""
    rng = np.random.default_rng(1)
    mixing = rng.normal(size=(4, features)).astype(np.float32)

    def draw(n, generator):
        return (generator.normal(size=(n, 4)).astype(np.float32) @ mixing
                + np.float32(0.1) * generator.normal(size=(n, features)).astype(np.float32))

    model = os.path.join(work, f"anomaly-{score}.h5")
    if not os.path.exists(model):
        np.save(os.path.join(work, "train.npy"), draw(20_000, rng))
        ae("train", "--layers", "64,8", "--epochs", "2", "--score", score, "--seed", "1", "--threads", "1",
           "--data", os.path.join(work, "train.npy"), "--out", model, "--quiet")
    big = os.path.join(work, f"big-{rows}x{features}.npy")
    if not os.path.exists(big):
        started = time.perf_counter()
        out = np.lib.format.open_memmap(big + ".tmp", mode="w+", dtype=np.float32, shape=(rows, features))
        generator = np.random.default_rng(2)
        for first in range(0, rows, 1_000_000):
            n = min(1_000_000, rows - first)
            out[first:first + n] = draw(n, generator)
        out.flush()
        del out
        os.replace(big + ".tmp", big)
        print(f"wrote {big} ({rows * features * 4 / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s", flush=True)
    return model, big


def make_table_model(work):
    synth = os.path.join(work, "synth.h5")
    if os.path.exists(synth):
        return synth
    import pandas as pd
    rng = np.random.default_rng(3)
    n = 5000
    age = rng.integers(18, 80, n)
    income = np.round(np.exp(rng.normal(10, 0.5, n)) + 300 * age, 2)
    member = rng.random(n) < 0.3 + 0.005 * (age - 18)
    spend = np.round(0.05 * income * (1 + member) + rng.normal(0, 200, n), 2)
    city = rng.choice(["Lyon", "Oslo", "Porto", "Riga"], n, p=[0.4, 0.3, 0.2, 0.1])
    table = os.path.join(work, "table.csv")
    pd.DataFrame(dict(age=age, income=income, city=city, member=member, spend=spend)).to_csv(table, index=False)
    ae("augment", "fit", table, "--out", synth, "--epochs", "5", "--seed", "1", "--threads", "1", "--quiet")
    return synth


# -- Dask ----------------------------------------------------------------------------------------------------

def start_cluster(workers, work):
    """A LocalCluster of `workers` processes with one thread each, every worker with autoencoder
    imported (and its library loaded). Returns (cluster, client, seconds)."""
    from distributed import Client, LocalCluster
    started = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                           local_directory=os.path.join(work, "dask-scratch"))
    client = Client(cluster)
    client.wait_for_workers(workers)
    client.run(lambda: __import__("autoencoder.dask").__name__)
    return cluster, client, time.perf_counter() - started


def read_rows(path, first, count):
    return np.array(np.load(path, mmap_mode="r")[first:first + count])


def dask_rows(path, rows, features, chunk_rows):
    """The .npy as a dask Array of `chunk_rows`-row blocks, each read on the worker that needs it."""
    import dask
    import dask.array as da
    blocks = [da.from_delayed(dask.delayed(read_rows, pure=True)(path, first, min(chunk_rows, rows - first)),
                              shape=(min(chunk_rows, rows - first), features), dtype=np.float32)
              for first in range(0, rows, chunk_rows)]
    return da.concatenate(blocks, axis=0)


# -- the sides -----------------------------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.work = os.path.abspath(args.work)
        self.out = os.path.join(self.work, "out")
        os.makedirs(self.out, exist_ok=True)
        self.times, self.startups = {}, {}
        self.frames = {}  # last gathered frame of each daskK-memory side, for the check

    def path(self, name):
        return os.path.join(self.out, name)

    def dask_side(self, key, workers, operation):
        cluster, client, startup = start_cluster(workers, self.work)
        try:
            started = time.perf_counter()
            operation()
            seconds = time.perf_counter() - started
        finally:
            client.close()
            cluster.close()
        self.startups.setdefault(key, []).append(startup)
        return seconds

    # scoring
    def score_sides(self, model, big):
        rows, features, chunk = self.args.rows, self.args.features, self.args.chunk_rows

        def cli1():
            ae("score", model, "--data", big, "--out", self.path("scores-cli1.npy"), "--threads", "1")

        def cli2():
            parallel([[AE, "score", model, "--data", big, "--out", self.path(f"scores-cli2-{i}.npy"), "--threads", "1",
                       "--shards", "2", "--shard-index", str(i)] for i in range(2)])

        sides = [("cli1", lambda: timed(cli1)), ("cli2", lambda: timed(cli2))]
        for workers in self.workers():
            def run(workers=workers):
                import autoencoder.dask as aed

                def operation():
                    scores = aed.score(model, dask_rows(big, rows, features, chunk)).compute()
                    np.save(self.path(f"scores-dask{workers}.npy"), scores)
                return self.dask_side(f"score/dask{workers}", workers, operation)
            sides.append((f"dask{workers}", run))
        return sides

    def check_scores(self):
        single = np.load(self.path("scores-cli1.npy")).reshape(-1)
        shards = np.concatenate([np.load(self.path(f"scores-cli2-{i}.npy")).reshape(-1) for i in range(2)])
        checks = {"cli2 shards concatenated == cli1": bool(np.array_equal(single, shards))}
        for workers in self.workers():
            theirs = np.load(self.path(f"scores-dask{workers}.npy")).reshape(-1)
            difference = float(np.max(np.abs(theirs.astype(np.float64) - single))) if theirs.shape == single.shape else None
            checks[f"dask{workers} vs cli1 max |diff|"] = difference
            checks[f"dask{workers} within 1e-5 of cli1"] = difference is not None and bool(
                np.allclose(theirs, single, rtol=1e-5, atol=1e-5))
        return checks

    # generation
    def sample_sides(self, synth):
        rows, seed = self.args.rows, "1"
        partitions = max(1, -(-rows // self.args.chunk_rows))

        def cli1():
            ae("augment", "sample", synth, "--rows", str(rows), "--seed", seed, "--out", self.path("rows-cli1.npy"),
               "--threads", "1", "--quiet")

        def cli2():
            parallel([[AE, "augment", "sample", synth, "--rows", str(rows), "--seed", seed, "--threads", "1", "--quiet",
                       "--out", self.path(f"rows-cli2-{i}.npy"), "--shards", "2", "--shard-index", str(i)]
                      for i in range(2)])

        sides = [("cli1", lambda: timed(cli1)), ("cli2", lambda: timed(cli2))]
        outputs = [o for o in self.args.outputs.split(",") if o]
        for workers in self.workers():
            for output in outputs:
                name = f"dask{workers}-{output}"

                def run(workers=workers, output=output, name=name):
                    import autoencoder.dask as aed
                    target = self.path(f"rows-{name}.parquet")
                    shutil.rmtree(target, ignore_errors=True)
                    self.frames.pop(name, None)

                    def operation():
                        frame = aed.sample_table(synth, rows, partitions, int(seed))
                        if output == "parquet":
                            frame.to_parquet(target, write_index=False)
                        else:
                            self.frames[name] = frame.compute()
                    return self.dask_side(f"sample/{name}", workers, operation)
                sides.append((name, run))
        return sides

    def check_rows(self, synth):
        import pandas as pd

        import autoencoder
        columns = autoencoder.Model(synth).table_columns
        single = np.load(self.path("rows-cli1.npy"))
        shards = np.concatenate([np.load(self.path(f"rows-cli2-{i}.npy")) for i in range(2)])
        checks = {"cli2 shards concatenated == cli1": bool(np.array_equal(single, shards))}
        for name in [n for n, _ in self.sides_sample if n.startswith("dask")]:
            if name.endswith("-parquet"):
                frame = pd.read_parquet(self.path(f"rows-{name}.parquet"))
            else:
                frame = self.frames.pop(name)
            checks[f"{name} vs cli1"] = compare_rows(frame, single, columns)
            del frame
        return checks

    def workers(self):
        return [int(w) for w in self.args.workers.split(",") if w]


def timed(function):
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def compare_rows(frame, rows, columns):
    """Dask's frame against the CLI's .npy: categories by label, numbers by their largest
    relative difference, integers by how many differ."""
    if len(frame) != len(rows):
        return {"equal": False, "why": f"{len(frame)} rows against {len(rows)}"}
    worst, differing_labels, differing_integers = 0.0, 0, 0
    for i, column in enumerate(columns):
        values = frame[column.name]
        if column.categories:
            expected = np.asarray(column.categories, dtype=object)[rows[:, i].astype(np.int64)]
            differing_labels += int(np.count_nonzero(values.astype(str).to_numpy(dtype=object) != expected))
        elif column.kind == "integer":
            differing_integers += int(np.count_nonzero(values.to_numpy(dtype=np.float64) != rows[:, i]))
        else:
            got = values.to_numpy(dtype=np.float64)
            scale = np.maximum(np.abs(rows[:, i]), 1e-12)
            worst = max(worst, float(np.max(np.abs(got - rows[:, i]) / scale)))
    return {"equal": differing_labels == 0 and differing_integers == 0 and worst <= 1e-6,
            "max_relative_diff": worst, "labels_differing": differing_labels, "integers_differing": differing_integers}


def alternate(part, sides, repeats, times):
    """Every side once per repeat; forward on even repeats, reversed on odd ones."""
    for repeat in range(repeats):
        order = sides if repeat % 2 == 0 else sides[::-1]
        for name, run in order:
            seconds = run()
            times.setdefault(f"{part}/{name}", []).append(seconds)
            print(f"{part} {name:15s} repeat {repeat + 1}: {seconds:7.2f} s  (load {load()})", flush=True)


def main():
    args = arguments()
    parts = [p for p in args.parts.split(",") if p]
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    import dask
    import distributed
    version = subprocess.run([AE, "--version"], capture_output=True, text=True).stdout.strip()
    header = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "cpu": cpu_name(), "nproc": os.cpu_count(),
              "load_start": load(), "ae": version, "dask": dask.__version__, "distributed": distributed.__version__,
              "rows": args.rows, "features": args.features, "repeats": args.repeats, "chunk_rows": args.chunk_rows,
              "score": args.score, "work": work}
    print(f"{header['date']}  {header['cpu']}, nproc {header['nproc']}, load {header['load_start']}")
    print(f"ae {version}; dask {dask.__version__}, distributed {distributed.__version__}; "
          f"{args.rows:,} rows, {args.repeats} repeats, {args.chunk_rows:,} rows a block/partition", flush=True)
    check_room(work, args.rows, args.features)

    bench = Bench(args)
    checks = {}
    if "score" in parts:
        model, big = make_data(work, args.rows, args.features, args.score)
        alternate("score", bench.score_sides(model, big), args.repeats, bench.times)
        checks["score"] = bench.check_scores()
    if "sample" in parts:
        synth = make_table_model(work)
        bench.sides_sample = bench.sample_sides(synth)
        alternate("sample", bench.sides_sample, args.repeats, bench.times)
        checks["sample"] = bench.check_rows(synth)

    header["load_end"] = load()
    results = []
    for key, seconds in bench.times.items():
        part = key.split("/")[0]
        reference = statistics.median(bench.times[f"{part}/cli1"])
        median = statistics.median(seconds)
        startup = bench.startups.get(key)
        results.append({"side": key, "seconds": seconds, "median_seconds": median, "rows_per_second": args.rows / median,
                        "speedup_vs_cli1": reference / median,
                        "startup_median_seconds": statistics.median(startup) if startup else None})

    print(f"\n{args.rows:,} rows, medians of {args.repeats}; load at the end {header['load_end']}")
    print(f"{'side':24s} {'median s':>9s} {'min-max s':>15s} {'rows/s':>11s} {'vs cli1':>8s} {'cluster start s':>16s}")
    for r in results:
        spread = f"{min(r['seconds']):.2f}-{max(r['seconds']):.2f}"
        startup = f"{r['startup_median_seconds']:.2f}" if r["startup_median_seconds"] is not None else ""
        print(f"{r['side']:24s} {r['median_seconds']:9.2f} {spread:>15s} {r['rows_per_second']:11,.0f} "
              f"{r['speedup_vs_cli1']:8.2f} {startup:>16s}")
    print("\nchecks:")
    for part, items in checks.items():
        for name, value in items.items():
            print(f"  {part}: {name}: {value}")

    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({**header, "results": results, "checks": checks}, f, indent=1)
    print(f"\nwrote {args.json}")
    failed = [f"{part}: {name}" for part, items in checks.items() for name, value in items.items()
              if value is False or (isinstance(value, dict) and not value.get("equal"))]
    if failed:
        sys.exit("check failed: " + "; ".join(failed))


if __name__ == "__main__":
    main()
