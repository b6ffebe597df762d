"""Per-thread workspaces: each thread's is freed when the thread ends or the model closes, exactly once."""
import threading

import numpy as np
import pytest

import autoencoder
from autoencoder import _lib

from ae_tool import ae


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workspaces")
    x = np.random.default_rng(13).random((60, 20)).astype(np.float32)
    np.save(folder / "x.npy", x)
    ae("train", "--model", "vae", "--layers", "10,3", "--loss", "mse", "--epochs", "1", "--quiet",
       "--data", folder / "x.npy", "--out", folder / "vae.h5")
    return folder / "vae.h5"


@pytest.fixture
def ledger(monkeypatch):
    """Records every workspace the binding creates and frees, through the C calls themselves."""
    created, freed, lock = [], [], threading.Lock()
    create, free = _lib.ae_workspace_create, _lib.ae_workspace_free

    def counting_create(model, rows, out):
        status = create(model, rows, out)
        if status == 0:
            with lock:
                created.append(out._obj.value)
        return status

    def counting_free(handle):
        with lock:
            freed.append(handle)
        free(handle)

    monkeypatch.setattr(_lib, "ae_workspace_create", counting_create)
    monkeypatch.setattr(_lib, "ae_workspace_free", counting_free)
    return created, freed


def run_threads(count, target, at_once=1):
    for start in range(0, count, at_once):
        threads = [threading.Thread(target=target) for _ in range(min(at_once, count - start))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def test_short_lived_threads_leave_no_workspaces_behind(model_path, ledger):
    created, freed = ledger
    x = np.random.default_rng(1).random((4, 20)).astype(np.float32)
    with autoencoder.Model(model_path) as model:
        expected = model.encode(x)  # the main thread's workspace, kept while it lives
        results = []
        run_threads(100, lambda: results.append(model.encode(x)))
        assert len(results) == 100 and all(np.array_equal(r, expected) for r in results)
        assert model._workspace_count() == 1  # used to be 101: one per thread that ever called
        assert len(created) == 101 and sorted(freed) == sorted(created[1:])
        run_threads(40, lambda: results.append(model.sample(3, seed=4)), at_once=8)
        assert model._workspace_count() == 1 and len(created) == 141
    assert model._workspace_count() == 0
    assert sorted(freed) == sorted(created)  # each exactly once


def test_closing_while_threads_compute_frees_each_workspace_once(model_path, ledger):
    created, freed = ledger
    x = np.random.default_rng(2).random((64, 20)).astype(np.float32)
    model = autoencoder.Model(model_path)
    started, outcomes = threading.Barrier(9), []  # 8 threads and this one

    def work():
        started.wait()
        try:
            while True:
                model.reconstruct(x)
        except autoencoder.MisuseError as error:  # the model closed under it: refused, never a crash
            outcomes.append(error.status)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(8)]
    for thread in threads:
        thread.start()
    started.wait(timeout=60)
    model.close()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == [autoencoder.Status.MISUSE] * 8
    assert model._workspace_count() == 0
    assert sorted(freed) == sorted(created)  # the threads ended after close(): nothing freed twice


def test_threads_outliving_their_model_free_nothing_twice(model_path, ledger):
    created, freed = ledger
    x = np.random.default_rng(3).random((2, 20)).astype(np.float32)
    holder = [autoencoder.Model(model_path)]  # the only reference, so the model can be dropped
    computed, release = threading.Barrier(5), threading.Event()

    def work():
        holder[0].encode(x)
        computed.wait()
        release.wait()  # the model is closed and dropped while this thread still holds its workspace

    threads = [threading.Thread(target=work, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        computed.wait(timeout=60)
        assert holder[0]._workspace_count() == 4
        holder.pop().close()
    finally:
        release.set()  # a failed check must not leave the threads waiting
    for thread in threads:
        thread.join(timeout=60)
    assert len(created) == 4 and sorted(freed) == sorted(created)
