"""The binding's exceptions: one hierarchy under `AutoencoderError`, one class per kind of mistake.

Every error this package raises on purpose is an `AutoencoderError`, whether the binding caught
the mistake before calling C or the library reported it with a status. Each subclass also
derives from the builtin exception a Python programmer would reach for, so `except ValueError`
catches every bad argument, `except FileNotFoundError` a missing model file, and so on:

    AutoencoderError                       .status (a Status, or None), .message
    ├── InvalidArgumentError   ValueError  INVALID_ARGUMENT, DIMENSION: a wrong shape, size or value
    │   └── NonFiniteError     ValueError  NON_FINITE: NaN, infinity, a value beyond float32's range
    ├── ArgumentTypeError      TypeError   (binding) an argument of the wrong type: complex, str, 2.5 rows
    ├── UnsupportedError       TypeError   UNSUPPORTED: this kind of model cannot do that call
    ├── OutOfMemoryError       MemoryError OUT_OF_MEMORY, OVERFLOW: too large to allocate or to count
    ├── MisuseError            ValueError  MISUSE, WORKSPACE: a closed model (as io's closed files)
    ├── QueueFullError         queue.Full  QUEUE_FULL: a stream's queue has no room: push again later
    ├── ModelFileError                     a model file that cannot be used:
    │   ├── ModelIOError       OSError     IO: unreadable, not a regular file
    │   │   └── ModelNotFoundError FileNotFoundError  IO for a path that does not exist
    │   ├── FormatError                    FORMAT: not a model file, damaged, refused content
    │   ├── VersionError                   VERSION: written by a newer format
    │   └── UnverifiedError                UNVERIFIED: no checksum (see Model(verify=False))
    ├── InternalError          RuntimeError INTERNAL: a bug in the library; please report it
    └── LibraryError           ImportError libautoencoder cannot be found or has the wrong ABI

A status newer than this binding raises `AutoencoderError` itself, keeping its number.
"""
from __future__ import annotations

import errno
import os
import queue
from typing import Optional

from . import _lib
from ._lib import Status


class AutoencoderError(Exception):
    """Something this package refused or the library reported. `status` is the C status code
    (a `Status` when the binding knows it, compared equal to its number either way; None for
    `LibraryError`), `message` the text alone. Errors from the library end their str() with
    "(<status text>, status N)"."""

    default_status: Optional[Status] = None

    def __init__(self, message: str, status: Optional[int] = None, *, detail: Optional[str] = None):
        if status is None:
            status = self.default_status
        elif not isinstance(status, Status):
            try:
                status = Status(status)
            except ValueError:
                pass  # a status newer than this binding: keep the number
        self.status = status
        self.message = message
        self._text = message if detail is None else f"{message} ({detail})"
        super().__init__(self._text)

    def __str__(self) -> str:  # OSError's own str() would prefix "[Errno N]"
        return self._text


class InvalidArgumentError(AutoencoderError, ValueError):
    """An argument with the right type but a wrong value: a shape or width the model does not
    take, no rows, a label outside the model's classes, a negative temperature, steps < 2."""
    default_status = Status.INVALID_ARGUMENT


class NonFiniteError(InvalidArgumentError):
    """An input holds NaN or infinity, a float64 value does not fit in float32, or a result
    overflowed a float (a huge input or temperature times the weights)."""
    default_status = Status.NON_FINITE


class ArgumentTypeError(AutoencoderError, TypeError):
    """An argument of the wrong type, refused rather than cast: complex or boolean data, strings,
    a float where a count or a seed is due, a path that is not a str/bytes/os.PathLike."""
    default_status = Status.INVALID_ARGUMENT


class UnsupportedError(AutoencoderError, TypeError):
    """This kind of model cannot do the call: sampling from a plain autoencoder, labels for a
    model without classes, a conditional model called without its labels. A TypeError, as
    Python raises for an operation applied to an object of the wrong kind."""
    default_status = Status.UNSUPPORTED


class OutOfMemoryError(AutoencoderError, MemoryError):
    """Memory for the call could not be had: an allocation failed, would exceed physical
    memory, or its size does not even fit in a size_t (status OVERFLOW)."""
    default_status = Status.OUT_OF_MEMORY


class MisuseError(AutoencoderError, ValueError):
    """Status.MISUSE: a model used after close() (a ValueError, as for a closed file), or a
    handle of the wrong type."""
    default_status = Status.MISUSE


class QueueFullError(AutoencoderError, queue.Full):
    """Status.QUEUE_FULL: a stream's queue has no room for the codes pushed (nothing was
    queued). Push again once the stream has played some, as with queue.Queue's Full."""
    default_status = Status.QUEUE_FULL


class ModelFileError(AutoencoderError):
    """A model file (or a model's bytes) that cannot be used; the subclasses say why."""


class ModelIOError(ModelFileError, OSError):
    """Status.IO: the model file cannot be read (permissions, a directory, a FIFO or device)."""
    default_status = Status.IO


class ModelNotFoundError(ModelIOError, FileNotFoundError):
    """Status.IO for a path that does not exist. `errno` is ENOENT and `filename` the path."""


class FormatError(ModelFileError):
    """Status.FORMAT: not a model file, damaged (the checksum does not match), or content the
    library refuses (see docs/FORMAT.md, "Trust and validation")."""
    default_status = Status.FORMAT


class VersionError(ModelFileError):
    """Status.VERSION: the file's format_version is newer than this library."""
    default_status = Status.VERSION


class UnverifiedError(ModelFileError):
    """Status.UNVERIFIED: the model file carries no checksum (it was written by h5py or another
    tool, not by `ae`). Open it with verify=False only if you trust it, or seal it with `ae seal`."""
    default_status = Status.UNVERIFIED


class InternalError(AutoencoderError, RuntimeError):
    """Status.INTERNAL: a bug in the library. Please report it with the message."""
    default_status = Status.INTERNAL


class LibraryError(AutoencoderError, ImportError):
    """libautoencoder could not be loaded (not built, not found, or built for another ABI).
    Raised by the first call that needs the library, not by `import autoencoder`."""


# The class each library status raises (Status.IO becomes ModelNotFoundError when the path is missing).
ERRORS = {
    Status.INVALID_ARGUMENT: InvalidArgumentError,
    Status.IO: ModelIOError,
    Status.FORMAT: FormatError,
    Status.VERSION: VersionError,
    Status.DIMENSION: InvalidArgumentError,
    Status.NON_FINITE: NonFiniteError,
    Status.OVERFLOW: OutOfMemoryError,
    Status.OUT_OF_MEMORY: OutOfMemoryError,
    Status.UNSUPPORTED: UnsupportedError,
    Status.WORKSPACE: MisuseError,
    Status.MISUSE: MisuseError,
    Status.UNVERIFIED: UnverifiedError,
    Status.QUEUE_FULL: QueueFullError,
    Status.INTERNAL: InternalError,
}


def error_for(status: int, message: str, status_text: str, path: Optional[bytes] = None) -> AutoencoderError:
    """The exception for a failed library call: `status`, the library's `message` and
    ae_status_string's `status_text`; `path` is the file a failed open named, if any."""
    detail = f"{status_text}, status {int(status)}"
    if status == Status.IO and path is not None and not os.path.lexists(path):
        error = ModelNotFoundError(message, status, detail=detail)
        error.errno, error.strerror, error.filename = errno.ENOENT, os.strerror(errno.ENOENT), os.fsdecode(path)
        return error
    return ERRORS.get(status, AutoencoderError)(message, status, detail=detail)


def check(status: int, path: Optional[bytes] = None) -> None:
    """Raise the exception for a library call's status, with ae_last_error()'s message; `path`
    is the file a failed open named, if any. Does nothing for AE_OK."""
    if status != 0:
        raise error_for(status, _lib.ae_last_error().decode(errors="replace"),
                        _lib.ae_status_string(status).decode(errors="replace"), path)
