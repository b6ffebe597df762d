"""`ae train --stream`: data larger than memory. The resident set stays under a stated bound on
a .npy four times that size; a streamed model is as good as one trained in memory on the same
rows; a folder of .npy and .csv shards trains as one table; the same seed gives the same model;
misuse and damaged data get clear errors."""
import json
import os
import pathlib
import shutil
import subprocess

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
AE = os.environ.get("AE_BINARY", str(ROOT / ".build" / "release" / "ae"))
BOUND_MB = 160  # the resident set the streamed run must stay under


def ae(*args, ok=True):
    run = subprocess.run([AE, *map(str, args)], capture_output=True, text=True)
    if ok:
        assert run.returncode == 0, run.stderr
    return run


def low_rank(rows, seed, width=64):
    """Rows near an 8-dimensional subspace: an autoencoder with an 8-wide code can learn them."""
    rng = np.random.default_rng(seed)
    basis = np.random.default_rng(99).normal(size=(8, width))
    return (rng.normal(size=(rows, 8)) @ basis + 0.05 * rng.normal(size=(rows, width))).astype(np.float32)


def test_resident_set_stays_bounded_on_data_four_times_larger(tmp_path):
    path = tmp_path / "big.npy"
    rows = 2_700_000  # 2.7 M x 64 float32 = 659 MiB
    big = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(rows, 64))
    for start in range(0, rows, 200_000):
        big[start:start + 200_000] = low_rank(min(200_000, rows - start), start)
    del big
    size_mb = path.stat().st_size / 2 ** 20
    assert size_mb > 4 * BOUND_MB
    arguments = ["train", "--data", path, "--stream", "--shuffle-buffer", 65536, "--layers", "32,8", "--loss", "mse",
                 "--scale", "standard", "--epochs", 1, "--out", tmp_path / "m.h5", "--quiet"]
    # Measured by ae itself (VmHWM), and where GNU time is installed by it too (a small parent:
    # a child's ru_maxrss also counts the image it had before exec).
    timer = shutil.which("time", path="/usr/bin")
    if timer:
        run = subprocess.run([timer, "-f", "peak %M", AE, *map(str, arguments)], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        measured_mb = int(run.stderr.strip().splitlines()[-1].split()[1]) / 1024
        assert measured_mb < BOUND_MB, measured_mb
    else:
        run = ae(*arguments)
    summary = json.loads(run.stdout)
    assert summary["rows"] == rows and summary["held_out_rows"] > 0
    assert summary["max_rss_mb"] < BOUND_MB, summary
    assert summary["loss"] < 64 * 0.2  # it learned: well under the variance of standardized rows


def test_streamed_training_matches_training_in_memory(tmp_path):
    np.save(tmp_path / "train.npy", low_rank(30_000, 1))
    np.save(tmp_path / "test.npy", low_rank(5_000, 2))
    common = ["--layers", "32,8", "--loss", "mse", "--scale", "standard", "--epochs", 4, "--seed", 3, "--quiet"]
    ae("train", "--data", tmp_path / "train.npy", *common, "--out", tmp_path / "memory.h5")
    ae("train", "--data", tmp_path / "train.npy", "--stream", "--shuffle-buffer", 5000, *common, "--out", tmp_path / "stream.h5")
    memory = json.loads(ae("eval", tmp_path / "memory.h5", "--data", tmp_path / "test.npy").stdout)["mse"]
    stream = json.loads(ae("eval", tmp_path / "stream.h5", "--data", tmp_path / "test.npy").stdout)["mse"]
    assert stream <= 1.15 * memory, (stream, memory)
    # mse is in the data's units; a model that learned nothing errs by the data's variance.
    variance = float(np.load(tmp_path / "test.npy").var())
    assert stream < 0.2 * variance, (stream, variance)
    # The same seed: the same model, bit for bit.
    ae("train", "--data", tmp_path / "train.npy", "--stream", "--shuffle-buffer", 5000, *common, "--out", tmp_path / "again.h5")
    with h5py.File(tmp_path / "stream.h5", "r") as a, h5py.File(tmp_path / "again.h5", "r") as b:
        for name in ("encoder", "decoder"):
            for layer in a[name]:
                assert np.array_equal(a[name][layer]["kernel"][...], b[name][layer]["kernel"][...])


def test_a_folder_of_shards_trains_as_one_table(tmp_path):
    rows = low_rank(4000, 5)
    folder = tmp_path / "shards"
    folder.mkdir()
    np.save(folder / "a.npy", rows[:1500])
    np.savetxt(folder / "b.csv", rows[1500:2500], delimiter=",", fmt="%.7g")
    np.save(folder / "c.npy", rows[2500:].astype(np.float64))
    np.save(folder / "d.npy", np.zeros((0, 64), np.float32))  # an empty partition, as Dask writes them
    (folder / "notes.txt").write_text("not a shard")
    (folder / "._a.npy").write_bytes(b"macOS metadata")
    run = ae("train", "--data", folder, "--stream", "--layers", "16,8", "--loss", "mse", "--scale", "standard",
             "--epochs", 2, "--out", tmp_path / "m.h5", "--quiet")
    summary = json.loads(run.stdout)
    assert summary["rows"] == 4000 and summary["training_rows"] + summary["held_out_rows"] == 4000


def test_misuse_and_damaged_data_get_clear_errors(tmp_path):
    np.save(tmp_path / "ok.npy", low_rank(500, 1))
    bad = low_rank(500, 1)
    bad[321, 7] = np.nan
    np.save(tmp_path / "nan.npy", bad)
    (tmp_path / "truncated.npy").write_bytes((tmp_path / "ok.npy").read_bytes()[:5000])
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    np.save(mixed / "a.npy", low_rank(100, 1))
    np.save(mixed / "b.npy", low_rank(100, 1, width=10))
    (tmp_path / "empty").mkdir()
    os.mkfifo(tmp_path / "fifo.npy")
    out = tmp_path / "m.h5"
    common = ["--layers", "8,2", "--epochs", 1, "--out", out, "--quiet"]
    cases = [
        (["--data", tmp_path / "nan.npy", "--stream"], "row 321, column 7 is nan"),
        (["--data", tmp_path / "truncated.npy", "--stream"], "truncated"),
        (["--data", mixed, "--stream"], "10 values per row; the folder's first shard has 64"),
        (["--data", tmp_path / "empty", "--stream"], "no .npy or .csv shards"),
        (["--data", tmp_path / "fifo.npy", "--stream"], "not a regular file"),
        (["--data", tmp_path / "ok.npy", "--stream", "--model", "cvae"], "unconditional"),
        (["--data", tmp_path / "ok.npy", "--stream", "--limit", "10"], "drop --limit"),
        (["--data", tmp_path / "ok.npy", "--shuffle-buffer", "100"], "applies with --stream"),
        (["--data", tmp_path / "ok.npy", "--stream", "--checkpoint", tmp_path / "ck"], "drop --checkpoint"),
        (["--data", tmp_path / "ok.npy", "--stream", "--validation", "0.001", "--calibrate", "0.9"], "held out none"),
    ]
    for arguments, message in cases:
        run = ae("train", *arguments, *common, ok=False)
        assert run.returncode != 0 and message in run.stderr, (arguments, run.stderr)
        assert not out.exists()
    # A window larger than the data is the data's size (no overflow, no huge allocation).
    run = ae("train", "--data", tmp_path / "ok.npy", "--stream", "--shuffle-buffer", 2 ** 63 - 1, *common)
    assert json.loads(run.stdout)["shuffle_window"] <= 500
