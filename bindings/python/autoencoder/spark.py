"""Run a model over Spark DataFrames with `mapInPandas`, and draw synthetic tables, on any Spark
cluster (PySpark 3.3 or newer, with pyarrow).

    from autoencoder import spark as aes
    scored = aes.score(df, "model.h5", columns=["f0", "f1", ...])    # df plus a `score` column
    table = aes.sample_table(spark, "synth.h5", rows=10_000_000, partitions=40, seed=7)
    table.write.parquet("synthetic/")

The recipe underneath is Spark's own: `map_function` returns the function and the schema for
`df.mapInPandas(function, schema)`, which you may call yourself. `model` is a path (each
executor opens the file: put it where the executors can read it, or ship it with
`spark-submit --files`) or a model file's bytes (broadcast once, opened from memory). Each
Python worker process opens a model once and keeps it (Spark reuses its Python workers).

Every function checks the model and the columns here, on the driver, before any task runs.
"""
from typing import Iterator, List, Optional, Sequence

import numpy as np
import pandas as pd

from ._arguments import integer
from ._distributed import ModelSource, cache_info, cached_model, clear_cache, feature_columns, partition_bounds
from ._errors import InvalidArgumentError, UnsupportedError

__all__ = ["map_function", "encode", "reconstruct", "score", "predict", "sample_table", "cache_info", "clear_cache"]


def score(df, model, columns: Optional[Sequence[str]] = None, labels: Optional[str] = None, *, verify: bool = True,
          precision: str = "float32"):
    """`df` with one more column, `score` (float): the model's anomaly score of each row, as
    `Model.score`. `columns`: the feature columns, in the model's order (default: all but
    `labels`); `labels`: the column of classes, for conditional models."""
    return _apply(df, "score", model, columns, labels, verify, precision)


def predict(df, model, columns: Optional[Sequence[str]] = None, labels: Optional[str] = None, *, verify: bool = True,
            precision: str = "float32"):
    """`df` with one more column, `anomaly` (long): 1 for a row whose score is above the model's
    threshold, as `Model.predict`. Arguments as `score`."""
    return _apply(df, "predict", model, columns, labels, verify, precision)


def encode(df, model, columns: Optional[Sequence[str]] = None, labels: Optional[str] = None, *, verify: bool = True,
           precision: str = "float32"):
    """`df` with the codes as more columns, code_0 ... code_{latent_dim - 1} (float). Arguments
    as `score`."""
    return _apply(df, "encode", model, columns, labels, verify, precision)


def reconstruct(df, model, columns: Optional[Sequence[str]] = None, labels: Optional[str] = None, *,
                verify: bool = True, precision: str = "float32"):
    """`df` with its feature columns replaced by their reconstructions (float); the other
    columns as they were. Arguments as `score`."""
    return _apply(df, "reconstruct", model, columns, labels, verify, precision)


def map_function(df, what: str, model, columns: Optional[Sequence[str]] = None, labels: Optional[str] = None, *,
                 verify: bool = True, precision: str = "float32"):
    """(function, schema) for `df.mapInPandas(function, schema)`: `what` is "score", "predict",
    "encode" or "reconstruct", as the functions of the same names."""
    from pyspark.sql.types import FloatType, IntegralType, LongType, StructField, StructType

    if what not in ("score", "predict", "encode", "reconstruct"):
        raise InvalidArgumentError(f"what must be 'score', 'predict', 'encode' or 'reconstruct', got {what!r}")
    source = ModelSource(model, verify=verify, precision=precision)
    local = cached_model(source)  # a bad file fails here, on the driver
    if local.is_table:
        raise UnsupportedError(f"{what} runs encoder models; a table model draws rows: use sample_table")
    if what == "predict" and local.threshold is None:
        raise UnsupportedError("this model has no anomaly threshold; train it with ae train --calibrate Q "
                               "or --contamination C")
    if labels is not None:
        if local.condition_width == 0:
            raise UnsupportedError(f"a {local.kind} model takes no labels; only conditional models (cvae) do")
        if labels not in df.columns:
            raise InvalidArgumentError(f"labels: the DataFrame has no column {labels!r}")
        if not isinstance(df.schema[labels].dataType, IntegralType):
            raise InvalidArgumentError(f"labels: column {labels!r} holds {df.schema[labels].dataType.simpleString()}; "
                                       "classes are integers (cast it)")
    elif local.condition_width:
        raise UnsupportedError("a conditional model needs one class per row: pass labels (a column name)")
    features = feature_columns(list(df.columns), columns, labels, local.input_dim)
    added = {"score": ["score"], "predict": ["anomaly"], "encode": [f"code_{i}" for i in range(local.latent_dim)],
             "reconstruct": []}[what]
    clashes = [name for name in added if name in df.columns]
    if clashes:
        raise InvalidArgumentError(f"the DataFrame has a column {clashes[0]!r} already, which {what} adds: "
                                   f"rename it first (df.withColumnRenamed)")
    fields = list(df.schema.fields)
    if what == "score":
        fields.append(StructField("score", FloatType(), False))
    elif what == "predict":
        fields.append(StructField("anomaly", LongType(), False))
    elif what == "encode":
        fields += [StructField(f"code_{i}", FloatType(), False) for i in range(local.latent_dim)]
    else:
        fields = [StructField(f.name, FloatType(), False) if f.name in features else f for f in fields]
    travelling = _travelling(df.sparkSession, source)

    def function(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        model = cached_model(_arrived(travelling))
        for batch in batches:
            if len(batch) == 0:
                continue
            values = batch[features].to_numpy(dtype=np.float32)
            classes = None if labels is None else batch[labels].to_numpy()
            out = getattr(model, what)(values, classes)
            if what in ("score", "predict"):
                batch = batch.assign(**{"score" if what == "score" else "anomaly": out})
            elif what == "encode":
                batch = batch.assign(**{f"code_{i}": out[:, i] for i in range(out.shape[1])})
            else:
                batch = batch.assign(**{name: out[:, i] for i, name in enumerate(features)})
            yield batch

    return function, StructType(fields)


def sample_table(spark, model, rows: int, partitions: int, seed: int = 1, *, where=None,
                 row_column: Optional[str] = None, verify: bool = True, precision: str = "float32"):
    """`rows` synthetic rows of a table model (from `ae augment fit`) as a Spark DataFrame of
    `partitions` partitions. Partition p holds rows first_p ... of the one sample for `seed`
    (rows are a function of the seed and their index), so the rows do not depend on which
    executor draws them nor on `partitions`: they are `Model.sample_table(rows, seed)`'s and
    `ae augment sample --seed`'s. `row_column` adds the row's index under that name.

    Spark types: category and boolean columns as strings (their labels: a category column's
    missing cells are the category "" when the training data had empty cells; a missing boolean
    is null), integers as long, other numbers as double, datetimes as timestamp (UTC instants,
    whatever the session's time zone)."""
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType, TimestampType

    source = ModelSource(model, verify=verify, precision=precision)
    local = cached_model(source)
    if not local.is_table:
        raise UnsupportedError(f"sample_table needs a table model (made by `ae augment fit`); this is a {local.kind} model")
    seed = integer(seed, "seed")
    local.sample_table(1, seed, where=where, as_frame=True)  # checks the seed and `where` here
    bounds = partition_bounds(rows, partitions)
    kinds = {"categorical": StringType(), "boolean": StringType(), "integer": LongType(), "datetime": TimestampType()}
    fields = [StructField(c.name, kinds.get(c.kind, DoubleType()), True) for c in local.table_columns]
    if row_column is not None:
        if row_column in [c.name for c in local.table_columns]:
            raise InvalidArgumentError(f"row_column {row_column!r} is already a column of the table")
        fields.append(StructField(row_column, LongType(), False))
    travelling = _travelling(spark, source)

    def function(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        model = cached_model(_arrived(travelling))
        for batch in batches:
            for index in batch["id"].tolist():
                first, count = bounds[index]
                frame = _spark_frame(model.sample_table(count, seed, where=where, first=first, as_frame=True))
                if row_column is not None:
                    frame[row_column] = np.arange(first, first + count, dtype=np.int64)
                yield frame

    # One id per partition: partition p draws share p.
    ids = spark.range(0, len(bounds), 1, numPartitions=len(bounds))
    return ids.mapInPandas(function, StructType(fields))


def _spark_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A sampled frame in the types the Spark schema names: labels as str or None, datetimes
    as UTC instants (naive values would be read in the session's time zone)."""
    out = {}
    for name, column in frame.items():
        if isinstance(column.dtype, pd.CategoricalDtype):
            values = column.astype(object)
            out[name] = values.where(column.notna(), None)
        elif pd.api.types.is_datetime64_any_dtype(column):
            out[name] = column.astype("datetime64[us]").dt.tz_localize("UTC")
        else:
            out[name] = column
    return pd.DataFrame(out, index=frame.index)


def _apply(df, what, model, columns, labels, verify, precision):
    function, schema = map_function(df, what, model, columns, labels, verify=verify, precision=precision)
    return df.mapInPandas(function, schema)


def _travelling(spark, source: ModelSource):
    """The model as the tasks receive it: a path as it is; bytes broadcast once (each executor
    fetches them once), or inside the function where broadcasting is not offered (Spark
    Connect)."""
    if source.data is None:
        return source
    try:
        return spark.sparkContext.broadcast(source)
    except Exception:  # Spark Connect has no SparkContext
        return source


def _arrived(travelling) -> ModelSource:
    return travelling if isinstance(travelling, ModelSource) else travelling.value
