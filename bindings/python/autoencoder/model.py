"""The numpy face of libautoencoder: `Model`, a context manager owning one model handle."""
from __future__ import annotations

import ctypes
import numbers
import operator
import os
import threading
from typing import List, Optional, Tuple, Union

import numpy as np

from . import _lib
from ._lib import Status

PathLike = Union[str, bytes, "os.PathLike[str]"]


class AutoencoderError(RuntimeError):
    """A call into libautoencoder failed. `status` is the C status code (a `Status` when the
    binding knows it, compared equal to its number either way), `message` the library's text.
    Two statuses have their own subclass: `UnverifiedError` and `MisuseError`."""

    def __init__(self, status: int, message: str):
        try:
            status = Status(status)
        except ValueError:
            pass  # a status newer than this binding: keep the number
        self.status = status
        self.message = message
        super().__init__(f"{message} ({_lib.ae_status_string(status).decode()}, status {int(status)})")


class UnverifiedError(AutoencoderError):
    """Status.UNVERIFIED: the model file carries no checksum (it was written by h5py or another
    tool, not by `ae`). Open it with verify=False only if you trust it, or seal it with `ae seal`."""


class MisuseError(AutoencoderError):
    """Status.MISUSE: a handle that is closed, freed or of the wrong type."""


_ERRORS = {Status.UNVERIFIED: UnverifiedError, Status.MISUSE: MisuseError}


def _check(status: int) -> None:
    if status != 0:
        raise _ERRORS.get(status, AutoencoderError)(status, _lib.ae_last_error().decode(errors="replace"))


_FLOAT32 = np.dtype(np.float32)
_WORKSPACE_ROWS = 256  # rows per pass in each thread's scratch memory


class Model:
    """A trained autoencoder loaded from a model file (see docs/FORMAT.md).

    Inputs are raw rows in the data's units; the model applies its stored scaling, and
    `decode`/`reconstruct` return the same units. Arrays may be (n, d) or a single row (d,);
    float32 C-contiguous arrays are passed without copying, others are converted once.
    One Model may be used from many threads at once (each call releases the GIL); each thread
    gets its own scratch workspace, made on its first call, so calls allocate nothing in C.

        with Model("model.h5") as model:
            codes = model.encode(images)
    """

    def __init__(self, path: Optional[PathLike] = None, *, data=None, verify: bool = True):
        """Open the model file at `path`, or a model file's bytes given as `data`: bytes,
        bytearray, memoryview or any other buffer (a C-contiguous one is read in place, a strided
        memoryview is copied in its logical order; the library keeps its own copy either way).

        By default the file must carry the checksum `ae` writes; a file without one raises
        `UnverifiedError`. verify=False also reads such files (written by h5py or another
        tool): only for files you trust, because their bytes reach libhdf5 unchecked. A
        checksum that is present is checked either way."""
        self._handle: Optional[ctypes.c_void_p] = None
        handle = ctypes.c_void_p()
        if (path is None) == (data is None):
            raise ValueError("pass either a path or data=bytes, not both")
        if not isinstance(verify, (bool, np.bool_)):
            raise TypeError(f"verify must be True or False, got {verify!r}")
        flags = _lib.AE_OPEN_DEFAULT if verify else _lib.AE_OPEN_UNVERIFIED
        if data is not None:
            image = _model_bytes(data)
            _check(_lib.ae_model_open_memory_v2(image.ctypes.data, image.nbytes, flags, ctypes.byref(handle)))
        else:
            _check(_lib.ae_model_open_v2(_path_bytes(path), flags, ctypes.byref(handle)))
        self._handle = handle
        self._local = threading.local()
        self._workspaces: List[ctypes.c_void_p] = []
        self._lock = threading.Lock()
        self.kind: str = _lib.ae_model_kind(handle).decode()
        self.loss: str = _lib.ae_model_loss(handle).decode()
        self.input_dim: int = _lib.ae_model_input_dim(handle)
        self.latent_dim: int = _lib.ae_model_latent_dim(handle)
        self.layer_count: int = _lib.ae_model_layer_count(handle)
        self.can_sample: bool = bool(_lib.ae_model_can_sample(handle))
        self.classes: int = _lib.ae_model_class_count(handle)
        shape = (ctypes.c_size_t * 3)()
        self.input_shape: Optional[Tuple[int, int, int]] = (
            tuple(shape) if _lib.ae_model_input_shape(handle, shape) == 0 else None)

    # -- lifetime --------------------------------------------------------------------------
    def close(self) -> None:
        """Free the model and its workspaces; further calls raise. Safe to call twice.
        Do not close a model while another thread is still computing with it."""
        if self._handle is not None:
            with self._lock:
                for workspace in self._workspaces:
                    _lib.ae_workspace_free(workspace)
                self._workspaces.clear()
            _lib.ae_model_close(self._handle)
            self._handle = None

    def __enter__(self) -> "Model":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Model(kind={self.kind!r}, input_dim={self.input_dim}, latent_dim={self.latent_dim})"

    # -- introspection ---------------------------------------------------------------------
    @property
    def scaling(self) -> Tuple[str, np.ndarray, np.ndarray]:
        """(method, offset, scale): the network sees (x - offset) * scale. Copies."""
        method = ctypes.c_char_p()
        offset, scale = ctypes.POINTER(ctypes.c_float)(), ctypes.POINTER(ctypes.c_float)()
        _check(_lib.ae_model_scaling(self._live(), ctypes.byref(method), ctypes.byref(offset), ctypes.byref(scale)))
        n = self.input_dim
        return (method.value.decode(), np.ctypeslib.as_array(offset, (n,)).copy(),
                np.ctypeslib.as_array(scale, (n,)).copy())

    # -- compute ---------------------------------------------------------------------------
    # Conditional models (classes > 0) take labels=: one class per row, as training had.
    def encode(self, x: np.ndarray, labels=None) -> np.ndarray:
        """Codes (n, latent_dim) for rows x (n, input_dim)."""
        return self._run(_lib.ae_encode_ws, x, self.input_dim, self.latent_dim, "x", labels, _lib.ae_encode_labeled)

    def decode(self, z: np.ndarray, labels=None) -> np.ndarray:
        """Reconstructions (n, input_dim), in the data's units, for codes z (n, latent_dim)."""
        return self._run(_lib.ae_decode_ws, z, self.latent_dim, self.input_dim, "z", labels, _lib.ae_decode_labeled)

    def reconstruct(self, x: np.ndarray, labels=None) -> np.ndarray:
        """decode(encode(x)) in one call."""
        return self._run(_lib.ae_reconstruct_ws, x, self.input_dim, self.input_dim, "x", labels,
                         _lib.ae_reconstruct_labeled)

    def score(self, x: np.ndarray, labels=None) -> np.ndarray:
        """Anomaly score per row (n,): reconstruction loss in the model's own loss."""
        return self._run(_lib.ae_score_ws, x, self.input_dim, None, "x", labels, _lib.ae_score_labeled)

    def encode_distribution(self, x: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """VAE: posterior (mean, log_variance), each (n, latent_dim). Raises for other kinds."""
        handle = self._live()
        array = as_rows(x, self.input_dim, "x")
        mean = np.empty((array.shape[0], self.latent_dim), np.float32)
        log_variance = np.empty_like(mean)
        _check(_lib.ae_encode_distribution(handle, array.ctypes.data, array.shape[0], mean.ctypes.data,
                                           log_variance.ctypes.data))
        return mean, log_variance

    def sample(self, n: int, seed: int = 0, temperature: float = 1.0, *, label: Optional[int] = None,
               return_codes: bool = False):
        """VAE: `n` new rows (n, input_dim) in the data's units, from codes ~ N(0, temperature^2 I).
        A conditional VAE (`classes` > 0) draws them for class `label`. The same seed gives the
        same rows as `ae sample` and the C library. With return_codes=True, returns (rows, codes)."""
        handle = self._live()
        n, seed = _integer(n, "n"), _integer(seed, "seed")
        label = None if label is None else _integer(label, "label")
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        if not 0 <= seed < 2 ** 64:
            raise ValueError(f"seed must fit in 64 unsigned bits, got {seed}")
        x = np.empty((n, self.input_dim), np.float32)
        z = np.empty((n, self.latent_dim), np.float32)
        if label is None:
            _check(_lib.ae_sample_ws(handle, self._workspace(handle), n, seed, temperature, x.ctypes.data, z.ctypes.data))
        else:
            if not 0 <= label < max(self.classes, 1):
                raise ValueError(f"label must be in 0..{self.classes - 1}, got {label}" if self.classes
                                 else "this model has no classes; sample without a label")
            _check(_lib.ae_sample_class(handle, n, label, seed, temperature, x.ctypes.data, z.ctypes.data))
        return (x, z) if return_codes else x

    def interpolate(self, a: np.ndarray, b: np.ndarray, steps: int = 8, spherical: Optional[bool] = None) -> np.ndarray:
        """Decode `steps` codes from code `a` to code `b` (latent_dim each): rows (steps, input_dim).
        Spherical (slerp) by default for VAEs, straight otherwise."""
        handle = self._live()
        steps = _integer(steps, "steps")
        if steps < 2:
            raise ValueError(f"steps must be at least 2 (both ends), got {steps}")
        za = as_rows(a, self.latent_dim, "a")
        zb = as_rows(b, self.latent_dim, "b")
        if za.shape[0] != 1 or zb.shape[0] != 1:
            raise ValueError("a and b must be single codes")
        if spherical is None:
            spherical = self.can_sample
        out = np.empty((steps, self.input_dim), np.float32)
        _check(_lib.ae_interpolate(handle, za.ctypes.data, zb.ctypes.data, steps, int(spherical), out.ctypes.data))
        return out

    # -- internals -------------------------------------------------------------------------
    def _live(self) -> ctypes.c_void_p:
        if self._handle is None:
            raise ValueError("the model is closed")
        return self._handle

    def _workspace(self, handle: ctypes.c_void_p) -> ctypes.c_void_p:
        workspace = getattr(self._local, "workspace", None)
        if workspace is None:
            workspace = ctypes.c_void_p()
            _check(_lib.ae_workspace_create(handle, _WORKSPACE_ROWS, ctypes.byref(workspace)))
            with self._lock:
                self._workspaces.append(workspace)
            self._local.workspace = workspace
        return workspace

    def _run(self, function, values, width: int, out_width: Optional[int], name: str, labels=None,
             labeled=None) -> np.ndarray:
        handle = self._live()
        if labels is not None:
            return self._run_labeled(labeled, handle, values, width, out_width, name, labels)
        if (type(values) is np.ndarray and values.dtype == _FLOAT32 and values.ndim == 2
                and values.shape[1] == width and values.shape[0] > 0 and values.flags.c_contiguous):
            array, single = values, False  # the common case: no conversion, no copy
        else:
            array, single = as_rows(values, width, name), np.ndim(values) == 1
        n = array.shape[0]
        out = np.empty((n,) if out_width is None else (n, out_width), dtype=np.float32)
        _check(function(handle, self._workspace(handle), array.ctypes.data, n, out.ctypes.data))
        return out[0] if single else out

    def _run_labeled(self, function, handle, values, width, out_width, name, labels) -> np.ndarray:
        array, single = as_rows(values, width, name), np.ndim(values) == 1
        n = array.shape[0]
        classes = as_labels(labels, n)
        out = np.empty((n,) if out_width is None else (n, out_width), dtype=np.float32)
        _check(function(handle, self._workspace(handle), array.ctypes.data, classes.ctypes.data, n, out.ctypes.data))
        return out[0] if single else out


def as_rows(values, width: int, name: str = "x") -> np.ndarray:
    """`values` as a C-contiguous float32 (n, width) array, without copying when it already is one.
    Integers and floats convert; anything else raises TypeError rather than being cast: complex
    numbers (which would lose their imaginary part), booleans, strings, objects, dates. A float64
    value beyond float32's range raises ValueError rather than becoming infinity."""
    array = np.asarray(values)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 1-D or 2-D (rows, {width}), got shape {np.shape(values)}")
    if array.dtype.kind == "c":
        raise TypeError(f"{name} is complex ({array.dtype}); the model takes real numbers: pass {name}.real or "
                        f"abs({name}) explicitly")
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers (integers or floats), got dtype {array.dtype}")
    if array.shape[1] != width:
        raise ValueError(f"{name} has rows of {array.shape[1]} values; the model expects {width} "
                         f"(shape {np.shape(values)}, expected (n, {width}))")
    if array.shape[0] == 0:
        raise ValueError(f"{name} has no rows")
    if array.dtype.kind != "f" or array.dtype.itemsize <= 4:
        return np.ascontiguousarray(array, dtype=np.float32)
    with np.errstate(over="ignore"):
        converted = np.ascontiguousarray(array, dtype=np.float32)
    overflow = np.isinf(converted) & np.isfinite(array)
    if overflow.any():
        row, column = np.argwhere(overflow)[0]
        raise ValueError(f"{name} holds {array[row, column]} at row {row}, column {column}: beyond float32's range")
    return converted


_INT32 = np.iinfo(np.int32)


def as_labels(labels, n: int) -> np.ndarray:
    """`labels` as n C ints, one class per row. Whole numbers only: integer arrays, Python ints,
    or floats that hold whole numbers (as labels read from a CSV file do), each within int32's
    range (the library then checks them against the model's classes). Raises TypeError for
    booleans (a mask passed as labels is more likely a mistake than classes 0 and 1), complex
    numbers, strings and other objects, ValueError for fractions, NaN, out-of-range values and a
    count that is not one per row."""
    array = np.asarray(labels)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.shape != (n,):
        raise ValueError(f"labels must give one class per row: {n} rows, labels of shape {np.shape(labels)}")
    kind = array.dtype.kind
    if kind == "b":
        raise TypeError("labels are booleans; pass integer classes (e.g. labels.astype(int))")
    if kind == "O":  # Python ints of any size, or anything else numpy could not type
        for i, value in enumerate(array):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
                raise TypeError(f"labels must be integers; label {i} is {value!r} ({type(value).__name__})")
        bad = [i for i, value in enumerate(array) if not _INT32.min <= value <= _INT32.max]
    elif kind in "iu":
        bad = np.flatnonzero(array > _INT32.max if kind == "u" else (array < _INT32.min) | (array > _INT32.max))
    elif kind == "f":
        whole = np.isfinite(array) & (array == np.floor(array))
        if not whole.all():
            i = int(np.flatnonzero(~whole)[0])
            raise ValueError(f"labels must be whole numbers; label {i} is {array[i]}")
        bad = np.flatnonzero((array < _INT32.min) | (array > _INT32.max))
    else:
        raise TypeError(f"labels must be integers, got dtype {array.dtype}")
    if len(bad):
        i = int(bad[0])
        raise ValueError(f"label {i} is {array[i]}, outside the range of a C int")
    return np.ascontiguousarray(array.astype(np.int64), dtype=np.intc)


def _integer(value, name: str) -> int:
    """An int argument: Python and numpy integers pass; floats, strings and booleans raise TypeError."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})") from None


def _path_bytes(path) -> bytes:
    """A file name for C: str, bytes or os.PathLike, encoded as the OS does, without NUL bytes
    (C would stop at the first one and open another file)."""
    try:
        encoded = os.fsencode(path)
    except TypeError:
        raise TypeError(f"path must be a str, bytes or os.PathLike, got {type(path).__name__} "
                        f"(a model's bytes go in data=)") from None
    if b"\0" in encoded:
        raise ValueError(f"path contains a NUL byte, which would cut it short in C: {encoded[:60]!r}"
                         f"{'...' if len(encoded) > 60 else ''} (a model's bytes go in data=)")
    return encoded


def _model_bytes(data) -> np.ndarray:
    """The bytes of `data` (any object with the buffer protocol) as a 1-D uint8 array: the same
    memory when it is C-contiguous, else a copy of its bytes in logical (C) order."""
    if isinstance(data, str):
        raise TypeError("data must be the bytes of a model file, got str (a file name goes in path)")
    try:
        view = memoryview(data)
    except TypeError:
        raise TypeError(f"data must be the bytes of a model file (bytes, bytearray, memoryview or another "
                        f"buffer), got {type(data).__name__}") from None
    if not view.c_contiguous:
        view = memoryview(view.tobytes())
    return np.frombuffer(view, dtype=np.uint8)
