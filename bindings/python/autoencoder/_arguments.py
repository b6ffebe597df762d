"""Checks on what crosses into C: arrays become C-contiguous float32 rows of the right width,
labels C ints, counts and seeds Python ints, or the call raises before C sees anything.

Shapes follow NumPy's habit: a batch axis in gives a batch axis out, and one row (or one image)
without it gives one result without it. Rows are (n, d) or (d,); a model trained on images of
shape (h, w, c) also takes them as (n, h, w, c), (h, w, c), and, with one channel,
(n, h, w) or (h, w).
"""
from __future__ import annotations

import ctypes
import functools
import numbers
import operator
import os
from typing import NamedTuple, Optional, Tuple

import numpy as np

from ._errors import (ArgumentTypeError, InvalidArgumentError, NonFiniteError, OutOfMemoryError)
from ._lib import Status

_FLOAT32 = np.dtype(np.float32)
_INT32 = np.iinfo(np.int32)


class Batch(NamedTuple):
    """Rows ready for C, and how the caller gave them (to give results back the same way)."""
    rows: np.ndarray  # (n, width) float32, C-contiguous
    single: bool  # the caller gave one row or one image, without a batch axis
    item_shape: Tuple[int, ...]  # the shape of one row or image as given: (width,), (h, w) or (h, w, c)


def as_batch(values, width: int, name: str, image: Optional[Tuple[int, int, int]] = None) -> Batch:
    """`values` as rows of `width` for C, accepting images of shape `image` (h, w, c) too.
    Raises ArgumentTypeError for data that are not real numbers, InvalidArgumentError for a
    shape the model does not take (naming the shape given and the shape expected)."""
    if (type(values) is np.ndarray and values.dtype == _FLOAT32 and values.ndim == 2 and values.shape[1] == width
            and values.shape[0] > 0 and values.flags.c_contiguous):
        return Batch(values, False, (width,))  # the common case: no conversion, no copy
    array = _asarray(values, name)
    shape = array.shape
    item = _item_shape(shape, width, image)
    if item is None:
        raise InvalidArgumentError(_shape_message(name, shape, width, image))
    single = array.ndim == len(item)
    rows = as_rows(array.reshape((1 if single else shape[0], width)), width, name, original_shape=shape)
    return Batch(rows, single, item)


def _item_shape(shape, width: int, image) -> Optional[Tuple[int, ...]]:
    """The shape of one item in an array of `shape`, or None if the model cannot take it."""
    if 1 <= len(shape) <= 2 and shape[-1] == width:
        return (width,)
    if image is None:
        return None
    h, w, c = image
    if shape[-3:] == (h, w, c) and len(shape) in (3, 4):
        return (h, w, c)
    if c == 1 and shape[-2:] == (h, w) and len(shape) in (2, 3):
        return (h, w)
    return None


def _shape_message(name: str, shape, width: int, image) -> str:
    rows = f"(n, {width})"
    if image is None:
        if len(shape) in (1, 2):
            return (f"{name} has rows of {shape[-1]} values; the model expects {width} "
                    f"(shape {shape}, expected {rows} or ({width},))")
        return f"{name} must be 1-D or 2-D (rows, {width}), got shape {shape}"
    h, w, c = image
    images = f"(n, {h}, {w}, {c})" + (f" or (n, {h}, {w})" if c == 1 else "")
    if len(shape) in (1, 2) and (len(shape) == 1 or shape[-2:] != (h, w)):
        return (f"{name} has rows of {shape[-1]} values; the model expects {width} "
                f"(shape {shape}, expected flat rows {rows} or images {images}: the model's images are {image})")
    return (f"{name} has shape {shape}, which holds no images of the model's shape {image} (height, width, "
            f"channels): expected images {images}, one image without the n axis, or flat rows {rows}")


def _asarray(values, name: str) -> np.ndarray:
    try:
        return np.asarray(values)
    except ValueError as error:  # ragged nested lists
        raise InvalidArgumentError(f"{name} is not an array of rows: {error}") from None


def as_rows(values, width: int, name: str = "x", *, original_shape=None) -> np.ndarray:
    """`values` as a C-contiguous float32 (n, width) array, without copying when it already is one.
    Integers and floats convert; anything else raises ArgumentTypeError rather than being cast:
    complex numbers (which would lose their imaginary part), booleans, strings, objects, dates. A
    float64 value beyond float32's range raises NonFiniteError rather than becoming infinity."""
    array = _asarray(values, name)
    shape = array.shape if original_shape is None else original_shape
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2:
        raise InvalidArgumentError(f"{name} must be 1-D or 2-D (rows, {width}), got shape {shape}")
    if array.dtype.kind == "c":
        raise ArgumentTypeError(f"{name} is complex ({array.dtype}); the model takes real numbers: pass "
                                f"{name}.real or abs({name}) explicitly")
    if array.dtype.kind not in "iuf":
        raise ArgumentTypeError(f"{name} must hold real numbers (integers or floats), got dtype {array.dtype}")
    if array.shape[1] != width:
        raise InvalidArgumentError(f"{name} has rows of {array.shape[1]} values; the model expects {width} "
                                   f"(shape {shape}, expected (n, {width}))")
    if array.shape[0] == 0:
        raise InvalidArgumentError(f"{name} has no rows (shape {shape})")
    if array.dtype.kind != "f" or array.dtype.itemsize <= 4:
        return np.ascontiguousarray(array, dtype=np.float32)
    with np.errstate(over="ignore"):
        converted = np.ascontiguousarray(array, dtype=np.float32)
    overflow = np.isinf(converted) & np.isfinite(array)
    if overflow.any():
        row, column = np.argwhere(overflow)[0]
        raise NonFiniteError(f"{name} holds {array[row, column]} at row {row}, column {column}: beyond float32's range")
    return converted


def as_conditions(values, n: int, width: int, *, one: bool = False) -> np.ndarray:
    """Condition rows for n data rows: a C-contiguous float32 (n, width) array, from (n, width)
    rows or from one row, (width,) or (1, width), which then serves every row. With one=True
    (interpolate: one condition for the whole path) only one row is taken, returned as
    (1, width). Raises InvalidArgumentError naming the shape given and the shapes expected,
    ArgumentTypeError for values that are not real numbers (as for data), NonFiniteError for a
    float64 value beyond float32's range; NaN and infinity are left to the library, which
    refuses them with NonFiniteError naming the row and column."""
    array = _asarray(values, "conditions")
    shape = array.shape
    if array.dtype.kind == "c":
        raise ArgumentTypeError(f"conditions are complex ({array.dtype}); condition rows hold real numbers")
    if array.dtype.kind not in "iuf":
        raise ArgumentTypeError(f"conditions must hold real numbers (integers or floats), got dtype {array.dtype}")
    is_one_row = shape == (width,) or shape == (1, width)
    if one and not is_one_row:
        raise InvalidArgumentError(f"conditions has shape {shape}; the path takes one condition row of this model's "
                                   f"{width} values: expected ({width},) or (1, {width})")
    if not one and not is_one_row and shape != (n, width):
        raise InvalidArgumentError(f"conditions has shape {shape}; for {n} row{'s' if n != 1 else ''} this model "
                                   f"takes condition rows of {width} values: expected ({n}, {width}), or one row "
                                   f"({width},) for every row")
    rows = as_rows(array.reshape(-1, width), width, "conditions", original_shape=shape)
    if is_one_row and not one and n > 1:
        rows = np.ascontiguousarray(np.broadcast_to(rows, (n, width)))
    return rows


def as_labels(labels, n: int) -> np.ndarray:
    """`labels` as n C ints, one class per row. Whole numbers only: integer arrays, Python ints,
    or floats that hold whole numbers (as labels read from a CSV file do), each within int32's
    range (the library then checks them against the model's classes). Raises ArgumentTypeError
    for booleans (a mask passed as labels is more likely a mistake than classes 0 and 1), complex
    numbers, strings and other objects, InvalidArgumentError for fractions, NaN, out-of-range
    values and a count that is not one per row."""
    array = np.asarray(labels)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.shape != (n,):
        raise InvalidArgumentError(f"labels must give one class per row: {n} rows, labels of shape {np.shape(labels)}")
    kind = array.dtype.kind
    if kind == "b":
        raise ArgumentTypeError("labels are booleans; pass integer classes (e.g. labels.astype(int))")
    if kind == "O":  # Python ints of any size, or anything else numpy could not type
        for i, value in enumerate(array):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
                raise ArgumentTypeError(f"labels must be integers; label {i} is {value!r} ({type(value).__name__})")
        bad = [i for i, value in enumerate(array) if not _INT32.min <= value <= _INT32.max]
    elif kind in "iu":
        bad = np.flatnonzero(array > _INT32.max if kind == "u" else (array < _INT32.min) | (array > _INT32.max))
    elif kind == "f":
        whole = np.isfinite(array) & (array == np.floor(array))
        if not whole.all():
            i = int(np.flatnonzero(~whole)[0])
            raise InvalidArgumentError(f"labels must be whole numbers; label {i} is {array[i]}")
        bad = np.flatnonzero((array < _INT32.min) | (array > _INT32.max))
    else:
        raise ArgumentTypeError(f"labels must be integers, got dtype {array.dtype}")
    if len(bad):
        i = int(bad[0])
        raise InvalidArgumentError(f"label {i} is {array[i]}, outside the range of a C int")
    return np.ascontiguousarray(array.astype(np.int64), dtype=np.intc)


def thread_count(value, most: int) -> int:
    """A workspace thread count: an integer from 1 to `most`. ArgumentTypeError for a float,
    string or boolean; InvalidArgumentError (a ValueError) for 0, negatives and beyond `most`."""
    threads = integer(value, "threads")
    if not 1 <= threads <= most:
        raise InvalidArgumentError(f"threads must be 1 to {most} (1: the calling thread alone), got {threads}")
    return threads


def integer(value, name: str) -> int:
    """An int argument: Python and numpy integers pass; floats, strings and booleans raise ArgumentTypeError."""
    if isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise ArgumentTypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})") from None


def real(value, name: str) -> float:
    """A float argument: Python and numpy integers and floats pass; others raise ArgumentTypeError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    return float(value)


def boolean(value, name: str) -> bool:
    """A True/False argument (numpy booleans too); anything else raises ArgumentTypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


@functools.lru_cache(maxsize=None)
def _physical_memory() -> Optional[int]:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def address(array: np.ndarray):
    """A C-contiguous array's data pointer as a ctypes argument for a void * parameter: a
    reference to the array's buffer (a third of the cost of `array.ctypes.data`, which shows in
    single-row calls), or the address for a read-only array, whose buffer ctypes cannot take."""
    if array.flags.writeable:
        return ctypes.byref(ctypes.c_char.from_buffer(array))
    return array.ctypes.data


def empty(shape: Tuple[int, ...], what: str, dtype=np.float32) -> np.ndarray:
    """A new array (float32 unless told) for a call's output, or OutOfMemoryError when it cannot be had:
    status OVERFLOW when its size does not fit in a size_t, OUT_OF_MEMORY when it exceeds the
    machine's physical memory (refused before allocating, as the library refuses such a
    workspace: with overcommit the allocation could succeed and the process be killed later)
    or the allocation fails."""
    size = np.dtype(dtype).itemsize
    for length in shape:
        size *= length
    if size >= 2 ** 63:
        raise OutOfMemoryError(f"{what} of shape {shape} would take {size} bytes, more than a size_t counts",
                               Status.OVERFLOW)
    memory = _physical_memory()
    if memory is not None and size > memory:
        raise OutOfMemoryError(f"{what} of shape {shape} would take {size} bytes, more than this machine's "
                               f"{memory} bytes of memory")
    try:
        return np.empty(shape, dtype)
    except (MemoryError, ValueError) as error:
        raise OutOfMemoryError(f"{what} of shape {shape} ({size} bytes) cannot be allocated: {error}") from None


def path_bytes(path) -> bytes:
    """A file name for C: str, bytes or os.PathLike, encoded as the OS does, without NUL bytes
    (C would stop at the first one and open another file)."""
    try:
        encoded = os.fsencode(path)
    except TypeError:
        raise ArgumentTypeError(f"path must be a str, bytes or os.PathLike, got {type(path).__name__} "
                                f"(a model's bytes go in data=)") from None
    if b"\0" in encoded:
        raise InvalidArgumentError(f"path contains a NUL byte, which would cut it short in C: {encoded[:60]!r}"
                                   f"{'...' if len(encoded) > 60 else ''} (a model's bytes go in data=)")
    return encoded


def model_bytes(data) -> np.ndarray:
    """The bytes of `data` (any object with the buffer protocol) as a 1-D uint8 array: the same
    memory when it is C-contiguous, else a copy of its bytes in logical (C) order."""
    if isinstance(data, str):
        raise ArgumentTypeError("data must be the bytes of a model file, got str (a file name goes in path)")
    try:
        view = memoryview(data)
    except TypeError:
        raise ArgumentTypeError(f"data must be the bytes of a model file (bytes, bytearray, memoryview or another "
                                f"buffer), got {type(data).__name__}") from None
    if not view.c_contiguous:
        view = memoryview(view.tobytes())
    return np.frombuffer(view, dtype=np.uint8)
