"""autoencoder.spark with a local[2] master: scores and codes equal the Model's own, a table
sample is the one Model.sample_table draws whatever the partitioning, misuse fails on the
driver. Skipped, saying why, where Java is missing (Spark runs on it)."""
import os
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

if shutil.which("java") is None:
    pytest.skip("Java is not installed: PySpark needs a Java 17 runtime (apt-get install openjdk-17-jre-headless)",
                allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402

import autoencoder.spark as aes  # noqa: E402
from autoencoder import InvalidArgumentError, Model, UnsupportedError  # noqa: E402
from ae_tool import ae  # noqa: E402

ROWS = 400


@pytest.fixture(scope="module")
def spark():
    # Spark's Python workers run this interpreter (its packages), not the first python3 on PATH.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2]").appName("autoencoder-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               # Not UTC: timestamps must be instants, not wall-clock times of the session's zone.
               .config("spark.sql.session.timeZone", "Asia/Tokyo")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")  # several batches per partition
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spark")
    rng = np.random.default_rng(8)
    labels = np.arange(ROWS) % 2
    x = (rng.normal(size=(ROWS, 5)) + 2 * labels[:, None]).astype(np.float32)
    header = ",".join([f"f{i}" for i in range(5)] + ["label"])
    np.savetxt(folder / "data.csv", np.column_stack([x, labels]), delimiter=",", header=header, comments="", fmt="%g")
    common = ["--data", folder / "data.csv", "--label-column", "label", "--epochs", 3, "--quiet"]
    ae("train", "--layers", "8,3", "--calibrate", "0.9", "--out", folder / "dense.h5", *common)
    ae("train", "--model", "cvae", "--layers", "8,2", "--out", folder / "cvae.h5", *common)
    with open(folder / "table.csv", "w") as file:
        file.write("kind,amount,count,day\n")
        for i in range(300):
            missing = i % 11 == 0
            file.write(f"{'' if missing else 'xyz'[i % 3]},{rng.normal(5 * (i % 3), 1):.2f},{rng.integers(0, 9)},"
                       f"2024-03-{1 + i % 28:02d}\n")
    ae("augment", "fit", folder / "table.csv", "--out", folder / "table.h5", "--epochs", 5, "--seed", 2, "--quiet")
    x = np.loadtxt(folder / "data.csv", delimiter=",", skiprows=1, dtype=np.float32)
    frame = pd.DataFrame(x[:, :5], columns=[f"f{i}" for i in range(5)])
    frame["label"] = labels
    frame["id"] = np.arange(ROWS)
    return {"dense": folder / "dense.h5", "cvae": folder / "cvae.h5", "table": folder / "table.h5",
            "frame": frame, "x": x[:, :5], "labels": labels}


def close(a, b):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64), rtol=1e-5, atol=1e-6)


def test_scores_codes_and_reconstructions_equal_the_models(spark, models):
    df = spark.createDataFrame(models["frame"]).repartition(3)
    features = [f"f{i}" for i in range(5)]
    scored = aes.score(df, models["dense"], columns=features).toPandas().sort_values("id")
    assert list(scored.columns) == ["f0", "f1", "f2", "f3", "f4", "label", "id", "score"]
    with Model(models["dense"]) as dense:
        close(scored["score"], dense.score(models["x"]))
        predicted = aes.predict(df, models["dense"].read_bytes(), columns=features).toPandas().sort_values("id")
        assert predicted["anomaly"].sum() > 0
        clear = np.abs(dense.score(models["x"]) - dense.threshold) > 1e-4
        assert (predicted["anomaly"].to_numpy()[clear] == dense.predict(models["x"])[clear]).all()
        back = aes.reconstruct(df, models["dense"], columns=features).toPandas().sort_values("id")
        close(back[features], dense.reconstruct(models["x"]))
        assert (back["label"].to_numpy() == models["labels"]).all()
    with Model(models["cvae"]) as cvae:
        codes = aes.encode(df, models["cvae"], columns=features, labels="label").toPandas().sort_values("id")
        close(codes[["code_0", "code_1"]], cvae.encode(models["x"], models["labels"]))


def test_sample_table_is_the_models_sample(spark, models):
    three = aes.sample_table(spark, models["table"], rows=500, partitions=3, seed=7, row_column="row")
    assert three.rdd.getNumPartitions() == 3
    got = three.toPandas().sort_values("row").reset_index(drop=True)
    assert (got["row"] == np.arange(500)).all()
    five = aes.sample_table(spark, models["table"].read_bytes(), rows=500, partitions=5, seed=7, row_column="row")
    five = five.toPandas().sort_values("row").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, five, check_exact=False, rtol=1e-5)
    with Model(models["table"]) as model:
        whole = model.sample_table(500, seed=7, as_frame=True)
    kinds = whole["kind"].astype(object).where(whole["kind"].notna(), None)
    # The CSV's empty cells are a category of their own, "".
    assert got["kind"].tolist() == kinds.tolist() and "" in set(got["kind"])
    close(got["amount"], whole["amount"])
    assert (got["count"].to_numpy() == whole["count"].to_numpy()).all()
    from pyspark.sql import functions as F
    seconds = three.select("row", F.unix_timestamp("day").alias("s")).toPandas().sort_values("row")["s"].to_numpy()
    assert (seconds == whole["day"].to_numpy().astype("datetime64[s]").astype(np.int64)).all()


def test_misuse_fails_on_the_driver(spark, models, tmp_path):
    df = spark.createDataFrame(models["frame"])
    with pytest.raises(InvalidArgumentError, match="5 features"):
        aes.score(df, models["dense"])  # all columns: label and id too
    with pytest.raises(InvalidArgumentError, match="no column 'nope'"):
        aes.score(df, models["dense"], columns=["f0", "f1", "f2", "f3", "nope"])
    with pytest.raises(UnsupportedError, match="threshold"):
        aes.predict(df, models["cvae"], columns=[f"f{i}" for i in range(5)], labels="label")
    with pytest.raises(UnsupportedError, match="table model"):
        aes.sample_table(spark, models["dense"], rows=10, partitions=2)
    with pytest.raises(InvalidArgumentError, match="partitions"):
        aes.sample_table(spark, models["table"], rows=10, partitions=0)
    with pytest.raises(InvalidArgumentError, match="has a column 'score' already"):
        aes.score(df.withColumnRenamed("id", "score"), models["dense"], columns=[f"f{i}" for i in range(5)])
    with pytest.raises(InvalidArgumentError, match="classes are integers"):
        aes.encode(df.withColumn("label", df["label"].cast("string")), models["cvae"], columns=[f"f{i}" for i in range(5)],
                   labels="label")
    with pytest.raises(UnsupportedError, match="takes no labels"):
        aes.score(df, models["dense"], columns=[f"f{i}" for i in range(5)], labels="label")
    with pytest.raises(FileNotFoundError):
        aes.score(df, tmp_path / "missing.h5", columns=[f"f{i}" for i in range(5)])
