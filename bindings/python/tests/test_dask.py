"""autoencoder.dask on a LocalCluster of 2 worker processes: results equal the Model's own, each
worker opens a model once, sample_table depends on the seed alone (not on which worker ran a
partition, nor on the partitioning), and misuse fails before any task runs."""
import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import autoencoder.dask as aed
from autoencoder import InvalidArgumentError, Model, ModelNotFoundError, UnsupportedError
from ae_tool import ae

ROWS = 600


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Two Gaussian blobs of 6 features with a class column; a dense model with a threshold, a
    cvae conditioned on the class, and a table model."""
    folder = tmp_path_factory.mktemp("dask")
    rng = np.random.default_rng(4)
    labels = np.arange(ROWS) % 2
    x = (rng.normal(size=(ROWS, 6)) + 3 * labels[:, None]).astype(np.float32)
    header = ",".join([f"f{i}" for i in range(6)] + ["label"])
    np.savetxt(folder / "data.csv", np.column_stack([x, labels]), delimiter=",", header=header, comments="", fmt="%g")
    common = ["--data", folder / "data.csv", "--label-column", "label", "--epochs", 3, "--quiet"]
    ae("train", "--layers", "8,3", "--calibrate", "0.95", "--out", folder / "dense.h5", *common)
    ae("train", "--model", "cvae", "--layers", "8,2", "--out", folder / "cvae.h5", *common)
    table = folder / "table.csv"
    with open(table, "w") as file:
        file.write("kind,amount,count\n")
        for i in range(300):
            file.write(f"{'abc'[i % 3]},{rng.normal(10 * (i % 3), 1):.2f},{rng.integers(0, 9)}\n")
    ae("augment", "fit", table, "--out", folder / "table.h5", "--epochs", 5, "--seed", 2, "--quiet")
    x = np.loadtxt(folder / "data.csv", delimiter=",", skiprows=1, dtype=np.float32)  # as the models read it
    return {"dense": folder / "dense.h5", "cvae": folder / "cvae.h5", "table": folder / "table.h5",
            "x": x[:, :6], "labels": labels}


def close(a, b):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64), rtol=1e-5, atol=1e-6)


def test_arrays_give_what_the_model_gives(client, models):
    x = da.from_array(models["x"], chunks=(97, 3))  # ragged row chunks; the features split too
    with Model(models["dense"]) as model:
        close(aed.score(models["dense"], x).compute(), model.score(models["x"]))
        close(aed.encode(models["dense"], x).compute(), model.encode(models["x"]))
        reconstructed = aed.reconstruct(models["dense"], x)
        assert reconstructed.shape == x.shape and reconstructed.chunks[0] == x.chunks[0]
        close(reconstructed.compute(), model.reconstruct(models["x"]))
        scores = model.score(models["x"])
        predicted = aed.predict(models["dense"], x).compute()
        clear = np.abs(scores - model.threshold) > 1e-4  # rows not on the threshold's edge
        assert predicted.dtype == np.int64 and predicted.sum() > 0
        assert (predicted[clear] == model.predict(models["x"])[clear]).all()
    # A conditional model takes one class per row, as a dask array.
    with Model(models["cvae"]) as cvae:
        codes = aed.encode(models["cvae"], x, da.from_array(models["labels"], chunks=50)).compute()
        close(codes, cvae.encode(models["x"], models["labels"]))


def test_dataframes_keep_their_index_and_name_the_columns(client, models):
    frame = pd.DataFrame(models["x"], columns=[f"f{i}" for i in range(6)], index=np.arange(ROWS) * 10)
    frame["label"] = models["labels"]
    frame = dd.from_pandas(frame, npartitions=5)
    codes = aed.encode(models["cvae"], frame, labels="label").compute()
    with Model(models["cvae"]) as cvae:
        assert list(codes.columns) == ["code_0", "code_1"] and (codes.index == np.arange(ROWS) * 10).all()
        close(codes.to_numpy(), cvae.encode(models["x"], models["labels"]))
    scores = aed.score(models["dense"], frame, columns=[f"f{i}" for i in range(6)]).compute()
    with Model(models["dense"]) as dense:
        assert scores.name == "score"
        close(scores.to_numpy(), dense.score(models["x"]))
    back = aed.reconstruct(models["dense"], frame, columns=[f"f{i}" for i in range(6)]).compute()
    assert list(back.columns) == [f"f{i}" for i in range(6)]


def test_one_model_at_several_precisions_in_threads(models):
    """The cache keeps a model per precision; none closes another that a thread still uses."""
    aed.clear_cache()
    x = da.from_array(models["x"], chunks=(40, 6))
    results = dask.compute(*[aed.score(models["dense"], x, precision=p) for p in ("float32", "int8", "bfloat16")],
                           scheduler="threads", num_workers=4)
    with Model(models["dense"]) as model:
        close(results[0], model.score(models["x"]))
    assert aed.cache_info() == {"models": 3, "loads": 3}


def test_results_keep_the_input_index_and_types(models, tmp_path):
    times = pd.date_range("2026-01-01", periods=ROWS, freq="h")
    frame = dd.from_pandas(pd.DataFrame(models["x"], columns=[f"f{i}" for i in range(6)], index=times), npartitions=3)
    scores = aed.score(models["dense"], frame)
    assert isinstance(scores._meta.index, pd.DatetimeIndex)
    assert len(scores.resample("1D").mean().compute()) == 25
    # Integer columns are nullable Int64 in the meta and every partition (missing cells or not).
    table = aed.sample_table(models["table"], rows=200, partitions=4, seed=3)
    assert str(table.dtypes["count"]) == "Int64" and str(table.compute().dtypes["count"]) == "Int64"
    # Rows of unknown count (a DataFrame's array) with labels: told what to do instead.
    labelled = dd.from_pandas(pd.DataFrame({"label": models["labels"]}), npartitions=3)
    unknown = dd.from_pandas(pd.DataFrame(models["x"]), npartitions=3).to_dask_array()
    with pytest.raises(InvalidArgumentError, match="compute_chunk_sizes"):
        aed.encode(models["cvae"], unknown, labelled["label"].to_dask_array())
    codes = aed.encode(models["cvae"], unknown.compute_chunk_sizes(),
                       labelled["label"].to_dask_array().compute_chunk_sizes()).compute()
    with Model(models["cvae"]) as cvae:
        close(codes, cvae.encode(models["x"], models["labels"]))


def test_each_worker_opens_a_model_once(client, models):
    client.run(aed.clear_cache)
    data = models["dense"].read_bytes()  # travels as bytes: nothing read from the workers' disks
    x = da.from_array(models["x"], chunks=(20, 6))  # 30 tasks
    aed.score(data, x).compute()
    aed.encode(data, x).compute()
    opened = client.run(aed.cache_info)
    assert len(opened) == 2
    for worker, info in opened.items():
        assert info == {"models": 1, "loads": 1}, worker


def test_sample_table_depends_on_the_seed_alone(client, models):
    path = models["table"]
    three = aed.sample_table(path, rows=1000, partitions=3, seed=7)
    assert three.npartitions == 3 and three.divisions == (0, 334, 667, 999)
    on_cluster = three.compute()
    # The same graph with no workers at all: the partitions' rows cannot depend on who ran them.
    in_process = aed.sample_table(path, rows=1000, partitions=3, seed=7).compute(scheduler="synchronous")
    pd.testing.assert_frame_equal(on_cluster, in_process)
    assert (on_cluster.index == np.arange(1000)).all()
    # Another partitioning, and one process drawing all the rows: the same rows.
    seven = aed.sample_table(path, rows=1000, partitions=7, seed=7).compute()
    with Model(path) as model:
        whole = model.sample_table(1000, seed=7, as_frame=True).astype({"count": "Int64"})  # as every partition
    for other in (seven, whole):
        pd.testing.assert_frame_equal(on_cluster, other, check_exact=False, rtol=1e-5)
    # Another seed: other rows.
    assert not aed.sample_table(path, rows=1000, partitions=3, seed=8).compute()["amount"].equals(on_cluster["amount"])
    # where= fixes a condition column in every partition.
    fixed = aed.sample_table(path, rows=90, partitions=4, seed=1, where={"kind": "b"}).compute()
    assert (fixed["kind"] == "b").all() and len(fixed) == 90


def test_misuse_fails_before_any_task_runs(models, tmp_path):
    x = da.from_array(models["x"], chunks=100)
    with Model(models["dense"]) as model:
        with pytest.raises(InvalidArgumentError, match="path or bytes"):
            aed.score(model, x)
    with pytest.raises(ModelNotFoundError):
        aed.score(tmp_path / "missing.h5", x)
    with pytest.raises(InvalidArgumentError, match="dask Array or DataFrame"):
        aed.score(models["dense"], models["x"])
    with pytest.raises(UnsupportedError, match="threshold"):
        aed.predict(models["cvae"], x)
    with pytest.raises(UnsupportedError, match="table model"):
        aed.sample_table(models["dense"], rows=10, partitions=2)
    with pytest.raises(UnsupportedError, match="sample_table"):
        aed.score(models["table"], x)
    with pytest.raises(InvalidArgumentError, match="partitions"):
        aed.sample_table(models["table"], rows=10, partitions=11)
    with pytest.raises(InvalidArgumentError, match="rows"):
        aed.sample_table(models["table"], rows=0, partitions=1)
    with pytest.raises(InvalidArgumentError):
        aed.sample_table(models["table"], rows=10, partitions=2, where={"nope": "a"})
    frame = dd.from_pandas(pd.DataFrame(models["x"][:, :4]), npartitions=2)
    with pytest.raises(InvalidArgumentError, match="6 features"):
        aed.score(models["dense"], frame)
    with pytest.raises(InvalidArgumentError, match="one class per row"):
        aed.encode(models["cvae"], x, da.zeros(5, dtype=np.int64))
    with pytest.raises(InvalidArgumentError, match="6 values per row"):
        aed.score(models["dense"], da.zeros((10, 5), chunks=5))
    with pytest.raises(UnsupportedError, match="takes no labels"):
        aed.score(models["dense"], x, da.zeros(ROWS, dtype=np.int64, chunks=100))
    with pytest.raises(UnsupportedError, match="needs one class per row"):
        aed.encode(models["cvae"], x)
    with pytest.raises(InvalidArgumentError, match="list of column names"):
        aed.score(models["dense"], frame, columns="f0")
