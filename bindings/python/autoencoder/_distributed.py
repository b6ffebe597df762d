"""What the Dask and Spark modules share: a model as it travels to workers, each worker's cache
of open models, and the split of a row count into partitions.

A model travels as a path (each worker opens the file; it must be reachable there, as on a
shared file system) or as a model file's bytes (opened from memory: nothing on the workers'
disks). Each worker process opens a given model once and keeps it: the cache key is the path
with the file's device, inode, size and modification and change times (a replaced file is
opened again), or the bytes' SHA-256, and the options it is opened with. Models are
thread-safe, so a worker's threads share one. Entries the cache drops are not closed: a thread
may still be computing with them, and the Model frees itself when the last reference goes.
"""
import hashlib
import os
import threading
from typing import Dict, List, Tuple

from ._arguments import integer
from ._errors import InvalidArgumentError
from .model import Model


class ModelSource:
    """A model file by path or by bytes, with the options to open it with; small to pickle when
    it is a path (bytes: send it once, see the Dask and Spark modules)."""

    __slots__ = ("path", "data", "digest", "verify", "precision")

    def __init__(self, model, *, verify: bool = True, precision: str = "float32"):
        if isinstance(model, ModelSource):
            self.path, self.data, self.digest = model.path, model.data, model.digest
        elif isinstance(model, (bytes, bytearray, memoryview)):
            self.path, self.data = None, bytes(model)
            self.digest = hashlib.sha256(self.data).hexdigest()
        elif isinstance(model, (str, os.PathLike)):
            # Absolute: a worker's working directory may differ from the client's.
            self.path, self.data, self.digest = os.path.abspath(os.fspath(model)), None, None
        else:
            raise InvalidArgumentError(f"model must be a path or a model file's bytes, got {type(model).__name__} "
                                       "(an open Model cannot travel to other processes: pass its path or bytes)")
        if precision not in ("float32", "bfloat16", "int8"):
            raise InvalidArgumentError(f"precision must be 'float32', 'bfloat16' or 'int8', got {precision!r}")
        self.verify, self.precision = bool(verify), precision

    def __getstate__(self):
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)

    def key(self) -> Tuple:
        """The cache key: what identifies the model's contents and how it is opened."""
        if self.path is not None:
            try:
                status = os.stat(self.path)
            except OSError:
                self.open().close()  # raises the binding's own error (ModelNotFoundError, ModelIOError)
                raise
            where = ("path", self.path, status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns,
                     status.st_ctime_ns)
        else:
            where = ("bytes", self.digest)
        return where + (self.verify, self.precision)

    def open(self) -> Model:
        """A new Model (the caller owns it)."""
        if self.path is not None:
            return Model(self.path, verify=self.verify, precision=self.precision)
        return Model(data=self.data, verify=self.verify, precision=self.precision)


_cache: Dict[Tuple, Model] = {}
_cache_lock = threading.Lock()
_loads = 0


def cached_model(source: ModelSource) -> Model:
    """This process's open Model for `source`, opened on first use."""
    global _loads
    key = source.key()
    with _cache_lock:
        model = _cache.get(key)
        if model is None:
            model = source.open()
            # A replaced file's older version (same path and options, another file) is
            # forgotten, not closed: another thread may be using it.
            for stale in [k for k in _cache if k[:2] == key[:2] and k[-2:] == key[-2:] and k != key]:
                del _cache[stale]
            _cache[key] = model
            _loads += 1
        return model


def cache_info() -> Dict[str, int]:
    """How many models this process holds and how many times it opened one (for tests and
    monitoring: a worker that opens the same model twice is a bug)."""
    with _cache_lock:
        return {"models": len(_cache), "loads": _loads}


def clear_cache() -> None:
    """Forget this process's cached models (each is freed when no thread uses it any more) and
    reset the count of loads."""
    global _loads
    with _cache_lock:
        _loads = 0
        _cache.clear()


def partition_bounds(rows: int, partitions: int) -> List[Tuple[int, int]]:
    """(first row, row count) of each of `partitions` contiguous shares of `rows`, sizes within
    one of each other: the same split as `ae augment sample --shards`."""
    rows, partitions = integer(rows, "rows"), integer(partitions, "partitions")
    if rows < 1:
        raise InvalidArgumentError(f"rows must be at least 1, got {rows}")
    if not 1 <= partitions <= rows:
        raise InvalidArgumentError(f"partitions must be 1 to rows ({rows}), got {partitions}")
    base, extra = divmod(rows, partitions)
    bounds, first = [], 0
    for index in range(partitions):
        count = base + (1 if index < extra else 0)
        bounds.append((first, count))
        first += count
    return bounds


def feature_columns(available, columns, labels, input_dim: int):
    """The feature columns of a DataFrame for a model: `columns` (a list, in the model's
    order), else every column but `labels`; checked against the columns there and the model's
    width."""
    if isinstance(columns, str):
        raise InvalidArgumentError("columns is a list of column names, not one string")
    features = list(columns) if columns is not None else [c for c in available if c != labels]
    missing = [c for c in features if c not in available]
    if missing:
        raise InvalidArgumentError(f"columns: the DataFrame has no column {missing[0]!r}")
    if len(features) != input_dim:
        raise InvalidArgumentError(f"the model takes {input_dim} features per row; {len(features)} columns "
                                   "were selected (pass columns=[...])")
    return features
