"""Workspace threads (C ABI 0.2): Model(threads=N) and model.threads split each call's rows over N
threads; results equal one thread's to float rounding, and repeat bit for bit."""
import os
import time
import threading

import numpy as np
import pytest

import autoencoder
from autoencoder import ArgumentTypeError, InvalidArgumentError, MisuseError, Status

from ae_tool import ae

ROWS, WIDTH = 700, 20  # more rows than a workspace pass (256): shares and passes both happen

# Float tolerance between thread counts, as the C test's: |a - b| <= ROUNDING * max(|a|, |b|, mean |a|).
# Each share is a smaller matrix, for which BLAS may pick other kernels, so the last bits may differ;
# the mean magnitude keeps a value near 0 that is a sum of larger terms to those terms' rounding.
ROUNDING = 1e-5


def scaled_difference(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), max(np.abs(a).mean(), 1e-30))
    return float(np.max(np.abs(a - b) / scale))


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("threads")
    rng = np.random.default_rng(21)
    x = rng.random((ROWS, WIDTH)).astype(np.float32)
    labels = np.arange(ROWS) % 3
    x[:, :4] += labels[:, None] * 0.5
    np.save(folder / "x.npy", x)
    np.save(folder / "labels.npy", labels)
    common = ["--loss", "mse", "--scale", "standard", "--epochs", "2", "--quiet", "--data", folder / "x.npy"]
    ae("train", "--model", "vae", "--layers", "16,3", *common, "--out", folder / "vae.h5")
    ae("train", "--model", "cvae", "--layers", "16,3", *common, "--labels", folder / "labels.npy",
       "--out", folder / "cvae.h5")
    return folder, x, labels


def every_call(model, x, labels):
    """Each call that runs on the workspace, on all the rows (a cvae with labels)."""
    conditional = model.kind == "cvae"
    given = {"labels": labels} if conditional else {}
    z = model.encode(x, **given)
    return {
        "encode": z,
        "decode": model.decode(z, **given),
        "reconstruct": model.reconstruct(x, **given),
        "score": model.score(x, **given),
        "encode_distribution": np.concatenate(model.encode_distribution(x, **given), axis=1),
        "sample": model.sample(ROWS, seed=5, **({"label": 1} if conditional else {})),
        "sample drawn classes": model.sample(ROWS, seed=6),
        "interpolate": model.interpolate(z[0], z[1], steps=300, **({"label": 2} if conditional else {})),
    }


@pytest.mark.parametrize("kind", ["vae", "cvae"])
def test_two_threads_equal_one_to_rounding_and_repeat_bit_for_bit(models, kind):
    folder, x, labels = models
    with autoencoder.Model(folder / f"{kind}.h5") as model:
        one = every_call(model, x, labels)
        assert model.threads == 1 and model._workspace_threads() == 1
    for threads in (2, 3):
        with autoencoder.Model(folder / f"{kind}.h5", threads=threads) as model:
            first = every_call(model, x, labels)
            assert model.threads == threads and model._workspace_threads() == threads  # as the library reports it
            again = every_call(model, x, labels)
        for name in one:
            assert np.array_equal(first[name], again[name]), f"{kind} {name}: {threads} threads, run to run"
            assert scaled_difference(one[name], first[name]) < ROUNDING, f"{kind} {name}: {threads} threads vs 1"


def tasks():
    """This process's OS threads."""
    return len(os.listdir("/proc/self/task"))


def tasks_settle(expected, seconds=2.0):
    """This process's OS threads once they reach `expected`, or after `seconds`: a joined
    thread's /proc entry can outlive pthread_join for a moment on a loaded machine (seen once
    in a full test run, 4 tasks where 3 were expected)."""
    deadline = time.monotonic() + seconds
    while tasks() != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return tasks()


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads through /proc")
def test_the_workspace_starts_its_threads_and_ends_them(models):
    folder, x, _ = models
    model = autoencoder.Model(folder / "vae.h5")
    model.encode(x)  # the workspace, one thread (the caller's)
    before = tasks()
    # Each extra thread is two on the own kernels: one for rows of a batch, one that splits a
    # single row's products (ae_workspace_set_threads).
    per = 2 if autoencoder.kernels().endswith("(own)") else 1
    model.threads = 3  # this thread's workspace is set at once
    assert model._workspace_threads() == 3 and tasks() == before + 2 * per
    model.encode(x)
    model.threads = 2
    assert tasks_settle(before + per) == before + per
    model.close()  # ae_workspace_free ends them
    assert tasks_settle(before) == before


def test_the_setting_reaches_every_threads_workspace(models):
    folder, x, _ = models
    with autoencoder.Model(folder / "vae.h5") as model:
        model.encode(x[:4])  # this thread's workspace
        seen, go, asked = {}, threading.Event(), threading.Barrier(2)

        def worker():
            model.encode(x[:4])  # made while the setting is 1
            seen["made"] = model._workspace_threads()
            asked.wait(timeout=60)
            go.wait(timeout=60)
            seen["before its next call"] = model._workspace_threads()
            model.encode(x[:4])
            seen["after its next call"] = model._workspace_threads()

        thread = threading.Thread(target=worker, daemon=True)
        thread.start()
        try:
            asked.wait(timeout=60)
            model.threads = 2
            mine = model._workspace_threads()
        finally:
            go.set()  # a failed check must not leave the worker waiting
            thread.join(timeout=60)
        assert mine == 2  # the caller's own: at once
        # Another thread's workspace is its own to change (a call may be running on it): at its next call.
        assert seen == {"made": 1, "before its next call": 1, "after its next call": 2}
        late = {}
        fresh = threading.Thread(target=lambda: (model.encode(x[:4]), late.update(n=model._workspace_threads())))
        fresh.start()
        fresh.join(timeout=60)
        assert late == {"n": 2}  # a new workspace gets the setting too


def test_changing_threads_while_other_threads_compute(models):
    folder, x, _ = models
    with autoencoder.Model(folder / "vae.h5") as model:
        expected = model.reconstruct(x)
        stop, failures, counts = threading.Event(), [], []

        def work():
            try:
                while not stop.is_set():
                    got = model.reconstruct(x)
                    counts.append(model._workspace_threads())
                    if scaled_difference(expected, got) >= ROUNDING:
                        failures.append("results moved")
            except autoencoder.AutoencoderError as error:  # e.g. MISUSE, if the setting touched a busy workspace
                failures.append(repr(error))

        workers = [threading.Thread(target=work) for _ in range(3)]
        for worker in workers:
            worker.start()
        try:
            for threads in (2, 1, 3, 1, 2) * 3:
                model.threads = threads
                model.reconstruct(x)
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=120)
        assert failures == [] and len(counts) > 0 and set(counts) <= {1, 2, 3}


def test_thread_counts_out_of_range_or_of_the_wrong_type_are_refused(models):
    folder, _, _ = models
    for value in (0, -1, 257):
        with pytest.raises(InvalidArgumentError, match=f"threads must be 1 to 256.*got {value}") as caught:
            autoencoder.Model(folder / "vae.h5", threads=value)
        assert isinstance(caught.value, ValueError) and caught.value.status is Status.INVALID_ARGUMENT
    with autoencoder.Model(folder / "vae.h5", threads=2) as model:
        for value in (0, -3, 1000):
            with pytest.raises(InvalidArgumentError):
                model.threads = value
            assert model.threads == 2  # unchanged
        for value in (1.5, True, "2", None):
            with pytest.raises(ArgumentTypeError):
                model.threads = value
        with pytest.raises(ArgumentTypeError):
            autoencoder.Model(folder / "vae.h5", threads=2.0)
        model.threads = 1
        assert model.threads == 1
    with pytest.raises(MisuseError):
        model.threads = 2
