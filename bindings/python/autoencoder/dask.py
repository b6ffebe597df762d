"""Run a model over Dask arrays and DataFrames, and draw synthetic tables, on any Dask cluster.

    import autoencoder.dask as aed
    scores = aed.score("model.h5", x)        # x: a dask Array (rows, features) or a DataFrame
    table = aed.sample_table("synth.h5", rows=10_000_000, partitions=40, seed=7)
    table.to_parquet("synthetic/")

`model` is a path (each worker opens the file, so it must be reachable there) or a model file's
bytes (opened from memory on the workers). The model is one key of the task graph, so it
reaches each worker once, and each worker process opens it once and keeps it (see
`cache_info`). The functions check the model and the arguments here, before any task runs.

Results keep the input's partitioning: a dask Array in gives a dask Array out (rows chunked as
the input's), a DataFrame gives a DataFrame (or a Series) with the input's index. Nothing is
computed until you call `.compute()`, `.to_parquet()` and so on.

Needs dask (`pip install "dask[dataframe]"`; `distributed` for a cluster).
"""
from typing import Optional, Sequence

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd

from ._arguments import integer
from ._distributed import ModelSource, cache_info, cached_model, clear_cache, feature_columns, partition_bounds
from ._errors import InvalidArgumentError, UnsupportedError

__all__ = ["encode", "reconstruct", "score", "predict", "sample_table", "cache_info", "clear_cache"]


def encode(model, x, labels=None, *, columns: Optional[Sequence[str]] = None, verify: bool = True,
           precision: str = "float32"):
    """Codes of the rows of `x`, as `Model.encode`: a dask Array (rows, latent_dim) float32, or
    for a DataFrame a DataFrame of columns code_0 ... code_{latent_dim - 1}.

    x: a dask Array (rows, features) or images (rows, height, width[, channels]), or a dask
    DataFrame whose `columns` (default: all but `labels`) are the features, in order.
    labels (conditional models): a dask or numpy array of one class per row for an Array, or
    the name of the DataFrame's column holding them."""
    return _run("encode", model, x, labels, columns, verify, precision)


def reconstruct(model, x, labels=None, *, columns: Optional[Sequence[str]] = None, verify: bool = True,
                precision: str = "float32"):
    """Reconstructions of the rows of `x`, as `Model.reconstruct`: an Array of x's shape, or a
    DataFrame of the feature columns. Arguments as `encode`."""
    return _run("reconstruct", model, x, labels, columns, verify, precision)


def score(model, x, labels=None, *, columns: Optional[Sequence[str]] = None, verify: bool = True,
          precision: str = "float32"):
    """Anomaly score per row, as `Model.score`: a 1-D float32 Array, or a Series named "score".
    Arguments as `encode`."""
    return _run("score", model, x, labels, columns, verify, precision)


def predict(model, x, labels=None, *, columns: Optional[Sequence[str]] = None, verify: bool = True,
            precision: str = "float32"):
    """1 for each row whose score is above the model's threshold (an anomaly), else 0, as
    `Model.predict`: a 1-D int64 Array, or a Series named "anomaly". Raises UnsupportedError
    for a model without a threshold. Arguments as `encode`."""
    return _run("predict", model, x, labels, columns, verify, precision)


def sample_table(model, rows: int, partitions: int, seed: int = 1, *, where=None, verify: bool = True,
                 precision: str = "float32") -> dd.DataFrame:
    """`rows` synthetic rows of a table model (from `ae augment fit`) as a dask DataFrame of
    `partitions` partitions, indexed 0 ... rows - 1.

    Partition p holds rows first_p ... of the one sample for `seed`: the sampler's stream is a
    function of the seed and the row's index, so the result depends on the seed alone. It is the
    same whichever worker runs which partition, for any partitioning, and the same rows as
    `Model.sample_table(rows, seed)` and `ae augment sample --seed` (float rounding aside on
    CPUs without AVX-512, where the BLAS's kernels vary with the batch's shape). `where` fixes
    condition columns, as in `Model.sample_table`."""
    source = ModelSource(model, verify=verify, precision=precision)
    local = cached_model(source)
    if not local.is_table:
        raise UnsupportedError(f"sample_table needs a table model (made by `ae augment fit`); this is a {local.kind} model")
    seed = integer(seed, "seed")
    # One row here checks the seed and `where`, and gives the columns' types for dask's meta.
    meta = _stable_types(local.sample_table(1, seed, where=where, as_frame=True), local).iloc[:0]
    bounds = partition_bounds(rows, partitions)
    shared = dask.delayed(source, pure=True)
    parts = [dask.delayed(_sample_partition, pure=True)(shared, first, count, seed, where) for first, count in bounds]
    divisions = tuple(first for first, _ in bounds) + (bounds[-1][0] + bounds[-1][1] - 1,)
    return dd.from_delayed(parts, meta=meta, divisions=divisions, verify_meta=False)


def _sample_partition(source: ModelSource, first: int, count: int, seed: int, where) -> pd.DataFrame:
    model = cached_model(source)
    frame = _stable_types(model.sample_table(count, seed, where=where, first=first, as_frame=True), model)
    frame.index = pd.RangeIndex(first, first + count)
    return frame


def _stable_types(frame: pd.DataFrame, model) -> pd.DataFrame:
    """Integer columns as nullable Int64 in every partition: a frame's integers are int64 when
    none of its cells is missing, and the partitions must agree with each other and the meta."""
    integers = [c.name for c in model.table_columns if c.kind == "integer"]
    return frame.astype({name: "Int64" for name in integers}) if integers else frame


def _run(what: str, model, x, labels, columns, verify: bool, precision: str):
    source = ModelSource(model, verify=verify, precision=precision)
    local = cached_model(source)  # a bad file fails here, not in a thousand tasks
    if local.is_table:
        raise UnsupportedError(f"{what} runs encoder models; a table model draws rows: use sample_table")
    if what == "predict" and local.threshold is None:
        raise UnsupportedError("this model has no anomaly threshold; train it with ae train --calibrate Q "
                               "or --contamination C")
    if labels is not None and local.condition_width == 0:
        raise UnsupportedError(f"a {local.kind} model takes no labels; only conditional models (cvae) do")
    if local.condition_width and labels is None:
        raise UnsupportedError("a conditional model needs one class per row: pass labels")
    shared = dask.delayed(source, pure=True)  # one key: each worker receives the model once
    if isinstance(x, da.Array):
        if columns is not None:
            raise InvalidArgumentError("columns= selects DataFrame columns; x is an Array")
        return _over_array(what, local, shared, x, labels)
    if isinstance(x, dd.DataFrame):
        return _over_frame(what, local, shared, x, labels, columns)
    raise InvalidArgumentError(f"x must be a dask Array or DataFrame, got {type(x).__name__} "
                               "(for numpy or pandas data call the Model directly)")


def _compute(what: str, model, values: np.ndarray, labels: Optional[np.ndarray]) -> np.ndarray:
    return getattr(model, what)(values, labels)


def _over_array(what: str, local, shared, x: da.Array, labels):
    if x.ndim < 2:
        raise InvalidArgumentError(f"x must be rows (rows, features) or images (rows, height, width[, channels]), "
                                   f"got shape {x.shape}")
    width = int(np.prod(x.shape[1:]))
    if width != local.input_dim:
        raise InvalidArgumentError(f"the model takes {local.input_dim} values per row; x's rows hold {width} "
                                   f"(shape {x.shape})")
    # Every block holds whole rows.
    x = x.rechunk({axis: -1 for axis in range(1, x.ndim)})
    rows = x.chunks[0]
    arrays = [x]
    if labels is not None:
        labels = da.asarray(labels)
        if np.isnan(x.shape[0]) or (labels.ndim == 1 and np.isnan(labels.shape[0])):
            raise InvalidArgumentError("x's or the labels' row chunks are unknown (an array made from a DataFrame): "
                                       "pass the DataFrame with labels='column', or call .compute_chunk_sizes() first")
        if labels.ndim != 1 or labels.shape[0] != x.shape[0]:
            raise InvalidArgumentError(f"labels must hold one class per row of x ({x.shape[0]}), got shape {labels.shape}")
        # Shaped (rows, 1, ...) so that its blocks line up with x's row blocks.
        arrays.append(labels.rechunk((rows,)).reshape((x.shape[0],) + (1,) * (x.ndim - 1)))
    trailing = list(range(1, x.ndim))

    def block(values, *rest):
        model = cached_model(rest[-1])
        block_labels = rest[0].reshape(-1) if len(rest) == 2 else None
        if values.shape[0] == 0:
            return _empty(what, model, values)
        return _compute(what, model, values, block_labels)

    if what == "reconstruct":
        return da.map_blocks(block, *arrays, shared, dtype=np.float32, chunks=x.chunks)
    if what == "encode":
        return da.map_blocks(block, *arrays, shared, dtype=np.float32, drop_axis=trailing[1:],
                             chunks=(rows, (local.latent_dim,)))
    dtype = np.int64 if what == "predict" else np.float32
    return da.map_blocks(block, *arrays, shared, dtype=dtype, drop_axis=trailing, chunks=(rows,))


def _empty(what: str, model, values: np.ndarray) -> np.ndarray:
    if what == "reconstruct":
        return np.empty(values.shape, np.float32)
    if what == "encode":
        return np.empty((0, model.latent_dim), np.float32)
    return np.empty((0,), np.int64 if what == "predict" else np.float32)


def _over_frame(what: str, local, shared, x: dd.DataFrame, labels, columns):
    if labels is not None and not isinstance(labels, str):
        raise InvalidArgumentError("for a DataFrame, labels is the name of the column holding them")
    if labels is not None and labels not in x.columns:
        raise InvalidArgumentError(f"labels: the DataFrame has no column {labels!r}")
    features = feature_columns(list(x.columns), columns, labels, local.input_dim)
    codes = [f"code_{i}" for i in range(local.latent_dim)]
    index = x._meta.index  # the results keep the input's index, of its type
    if what == "encode":
        meta = pd.DataFrame({c: pd.Series([], dtype=np.float32, index=index) for c in codes}, index=index)
    elif what == "reconstruct":
        meta = pd.DataFrame({c: pd.Series([], dtype=np.float32, index=index) for c in features}, index=index)
    else:
        meta = pd.Series([], dtype=np.int64 if what == "predict" else np.float32, index=index,
                         name="anomaly" if what == "predict" else "score")

    def partition(frame: pd.DataFrame, source: ModelSource):
        model = cached_model(source)
        values = frame[features].to_numpy(dtype=np.float32)
        out = _empty(what, model, values) if len(frame) == 0 else \
            _compute(what, model, values, None if labels is None else frame[labels].to_numpy())
        if what == "encode":
            return pd.DataFrame(out, index=frame.index, columns=codes)
        if what == "reconstruct":
            return pd.DataFrame(out, index=frame.index, columns=features)
        return pd.Series(out, index=frame.index, name=meta.name)

    return x.map_partitions(partition, shared, meta=meta)
