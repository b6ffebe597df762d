"""The numpy face of libautoencoder: `Model`, a context manager owning one model handle."""
from __future__ import annotations

import ctypes
import os
import secrets
import threading
from typing import Optional, Tuple, Union

import numpy as np

from . import _lib
from ._arguments import as_batch, as_labels, as_rows, boolean, empty, integer, model_bytes, path_bytes, real
from ._errors import (AutoencoderError, InvalidArgumentError, MisuseError, UnsupportedError, UnverifiedError,
                      check)
from ._workspaces import Workspaces

PathLike = Union[str, bytes, "os.PathLike[str]"]

# Kept for code that imported them from here.
_check = check
__all__ = ["Model", "AutoencoderError", "UnverifiedError", "MisuseError", "as_rows", "as_labels"]

_WORKSPACE_ROWS = 256  # rows per pass in each thread's scratch memory


class Model:
    """A trained autoencoder loaded from a model file written by `ae` (see docs/FORMAT.md).

    Units: data (`x`) are raw values in the units the model was trained on, e.g. 0..255 pixels;
    the model applies its stored scaling (`scaling`) on the way in, and `decode`, `reconstruct`,
    `sample` and `interpolate` return values in those same units. Codes (`z`) are in the
    model's latent space, as `encode` returns them.

    Shapes: a batch axis in gives a batch axis out, and one row or image without it gives one
    result without it. Rows are (n, input_dim) or (input_dim,). A model trained on images
    (`input_shape` (h, w, c)) also takes (n, h, w, c) or (h, w, c), and with one channel
    (n, h, w) or (h, w); `reconstruct` gives them back in the shape given. `decode`, `sample`
    and `interpolate`, which get codes, return images of `image_shape` for such a model
    (flat=True gives rows instead). Any integer or float dtype is converted; float32 C-contiguous
    rows are passed without copying.

    Errors: every mistake raises an `AutoencoderError` subclass that is also the matching
    builtin (ValueError for a wrong shape or value, TypeError for a wrong type or a call this
    kind of model cannot do, FileNotFoundError for a missing file, MemoryError, ...); see the
    package's README for the table.

    Threads: one Model may serve many threads at once (each call releases the GIL). Each thread
    gets its own scratch workspace on its first call, freed when the thread ends or the model
    closes, so calls allocate nothing in C.

        with Model("model.h5") as model:
            codes = model.encode(images)
    """

    def __init__(self, path: Optional[PathLike] = None, *, data=None, verify: bool = True):
        """Open the model file at `path` (str, bytes or os.PathLike), or a model file's bytes
        given as `data`: bytes, bytearray, memoryview or any other buffer (a C-contiguous one is
        read in place, a strided memoryview is copied in its logical order; the library keeps
        its own copy either way).

        By default the file must carry the checksum `ae` writes; a file without one raises
        `UnverifiedError`. verify=False also reads such files (written by h5py or another
        tool): only for files you trust, because their bytes reach libhdf5 unchecked. A
        checksum that is present is checked either way.

        Raises ModelNotFoundError (a FileNotFoundError) for a missing file, ModelIOError (an
        OSError) for one that cannot be read, FormatError, VersionError or UnverifiedError for
        one that cannot be used, LibraryError when libautoencoder cannot be loaded."""
        self._handle: Optional[int] = None  # first: __del__ runs even if opening fails
        self._close_lock = threading.Lock()
        if (path is None) == (data is None):
            raise InvalidArgumentError("pass either a path or data=bytes, not both")
        flags = _lib.AE_OPEN_DEFAULT if boolean(verify, "verify") else _lib.AE_OPEN_UNVERIFIED
        handle = ctypes.c_void_p()
        if data is not None:
            image = model_bytes(data)
            check(_lib.ae_model_open_memory_v2(image.ctypes.data, image.nbytes, flags, ctypes.byref(handle)))
        else:
            name = path_bytes(path)
            check(_lib.ae_model_open_v2(name, flags, ctypes.byref(handle)), path=name)
        self._handle = handle.value
        self._local = threading.local()  # this thread's workspace (see _workspaces.py)
        self._workspaces = Workspaces(_WORKSPACE_ROWS)
        self._kind = _lib.ae_model_kind(self._handle).decode()
        self._loss = _lib.ae_model_loss(self._handle).decode()
        self._input_dim = _lib.ae_model_input_dim(self._handle)
        self._latent_dim = _lib.ae_model_latent_dim(self._handle)
        self._layer_count = _lib.ae_model_layer_count(self._handle)
        self._can_sample = bool(_lib.ae_model_can_sample(self._handle))
        self._classes = _lib.ae_model_class_count(self._handle)
        shape = (ctypes.c_size_t * 3)()
        self._input_shape = tuple(shape) if _lib.ae_model_input_shape(self._handle, shape) == 0 else None
        # Later: condition matrices (conditions=) and thread counts join here and in _compute once
        # include/autoencoder.h declares their calls.

    # -- lifetime --------------------------------------------------------------------------
    def close(self) -> None:
        """Free the model and its workspaces; further calls raise MisuseError. Safe to call
        twice, and from several threads. Do not close a model while another thread is still
        computing with it (that call then raises MisuseError, or completes)."""
        with self._close_lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            self._workspaces.close()
            _lib.ae_model_close(handle)

    @property
    def closed(self) -> bool:
        """True once close() has run; compute calls then raise MisuseError."""
        return self._handle is None

    def __enter__(self) -> "Model":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # a half-made Model, or interpreter shutdown
            pass

    def __repr__(self) -> str:
        shape = f", input_shape={self._input_shape}" if self._input_shape else ""
        closed = ", closed" if self.closed else ""
        return f"Model(kind={self._kind!r}, input_dim={self._input_dim}, latent_dim={self._latent_dim}{shape}{closed})"

    # -- introspection (read-only) ----------------------------------------------------------
    @property
    def kind(self) -> str:
        """The kind of model: "dense", "denoising", "sparse", "contractive", "vae" or "cvae"."""
        return self._kind

    @property
    def loss(self) -> str:
        """The loss it was trained with, which `score` reports: "bce", "mse" or "gaussian"."""
        return self._loss

    @property
    def input_dim(self) -> int:
        """Values per input row (height * width * channels for an image model)."""
        return self._input_dim

    @property
    def latent_dim(self) -> int:
        """Values per code: the width of what `encode` returns and `decode` takes."""
        return self._latent_dim

    @property
    def layer_count(self) -> int:
        """Layers (dense, convolution, transposed convolution), encoder and decoder together."""
        return self._layer_count

    @property
    def can_sample(self) -> bool:
        """True for generative models (vae, cvae), which `sample` and `encode_distribution` need."""
        return self._can_sample

    @property
    def classes(self) -> int:
        """Classes of a conditional model (cvae), which then needs `labels=` / `label=`; else 0."""
        return self._classes

    @property
    def input_shape(self) -> Optional[Tuple[int, int, int]]:
        """(height, width, channels) of one input image when the model was trained on images, else None."""
        return self._input_shape

    @property
    def image_shape(self) -> Optional[Tuple[int, ...]]:
        """The shape `decode`, `sample` and `interpolate` give one image: (height, width) for one
        channel, (height, width, channels) for more; None for a model of flat rows."""
        if self._input_shape is None:
            return None
        return self._input_shape[:2] if self._input_shape[2] == 1 else self._input_shape

    @property
    def scaling(self) -> Tuple[str, np.ndarray, np.ndarray]:
        """(method, offset, scale): the network sees (x - offset) * scale, x in the data's units.
        method is "unit", "standard" or "none". Copies, (input_dim,) each."""
        method = ctypes.c_char_p()
        offset, scale = ctypes.POINTER(ctypes.c_float)(), ctypes.POINTER(ctypes.c_float)()
        check(_lib.ae_model_scaling(self._live(), ctypes.byref(method), ctypes.byref(offset), ctypes.byref(scale)))
        n = self._input_dim
        return (method.value.decode(), np.ctypeslib.as_array(offset, (n,)).copy(),
                np.ctypeslib.as_array(scale, (n,)).copy())

    # -- compute ---------------------------------------------------------------------------
    # Conditional models (classes > 0) take labels=: one class per row, as training had.
    def encode(self, x, labels=None) -> np.ndarray:
        """Codes (n, latent_dim) for rows or images `x`: raw values in the units the model was
        trained on (the model applies its stored scaling). One row or image gives (latent_dim,).
        `labels`: one class per row, for a conditional model (cvae) only."""
        batch = as_batch(x, self._input_dim, "x", self._input_shape)
        out = self._compute(_lib.ae_encode_ws, _lib.ae_encode_labeled, batch.rows, self._latent_dim, labels, "codes")
        return out[0] if batch.single else out

    def decode(self, z, labels=None, *, flat: bool = False) -> np.ndarray:
        """Outputs for codes `z` (n, latent_dim) or one code (latent_dim,), in the units the
        model was trained on: rows (n, input_dim), or for an image model images
        (n, *image_shape) unless flat=True. One code gives one row or image.
        `labels`: one class per row, for a conditional model (cvae) only."""
        batch = as_batch(z, self._latent_dim, "z")
        out = self._compute(_lib.ae_decode_ws, _lib.ae_decode_labeled, batch.rows, self._input_dim, labels, "outputs")
        out = self._shaped(out, boolean(flat, "flat"))
        return out[0] if batch.single else out

    def reconstruct(self, x, labels=None) -> np.ndarray:
        """decode(encode(x)) in one call. `x`: rows or images, raw values in the units the model
        was trained on (the model applies its stored scaling); the result is in the same units
        and the same shape as `x` (rows for rows, images for images).
        `labels`: one class per row, for a conditional model (cvae) only."""
        batch = as_batch(x, self._input_dim, "x", self._input_shape)
        out = self._compute(_lib.ae_reconstruct_ws, _lib.ae_reconstruct_labeled, batch.rows, self._input_dim, labels,
                            "reconstructions")
        out = out.reshape((out.shape[0],) + batch.item_shape)
        return out[0] if batch.single else out

    def score(self, x, labels=None) -> np.ndarray:
        """Anomaly score per row (n,): the reconstruction loss in the model's own loss (`loss`),
        summed over the row on scaled data; higher means less like the training data. `x`: rows
        or images, raw values in the units the model was trained on (the model applies its
        stored scaling). One row or image gives a scalar.
        `labels`: one class per row, for a conditional model (cvae) only."""
        batch = as_batch(x, self._input_dim, "x", self._input_shape)
        out = self._compute(_lib.ae_score_ws, _lib.ae_score_labeled, batch.rows, None, labels, "scores")
        return out[0] if batch.single else out

    def encode_distribution(self, x) -> Tuple[np.ndarray, np.ndarray]:
        """VAE: the posterior (mean, log_variance) of rows or images `x`, each (n, latent_dim),
        or (latent_dim,) for one row or image. `x`: raw values in the units the model was
        trained on (the model applies its stored scaling). Raises UnsupportedError for models
        that are not VAEs (and for a cvae, whose labelled posterior the library does not expose)."""
        handle = self._live()
        batch = as_batch(x, self._input_dim, "x", self._input_shape)
        n = batch.rows.shape[0]
        mean = empty((n, self._latent_dim), "means")
        log_variance = empty((n, self._latent_dim), "log-variances")
        check(_lib.ae_encode_distribution(handle, batch.rows.ctypes.data, n, mean.ctypes.data,
                                          log_variance.ctypes.data))
        return (mean[0], log_variance[0]) if batch.single else (mean, log_variance)

    def sample(self, n: int, seed: Optional[int] = None, temperature: float = 1.0, *, label: Optional[int] = None,
               return_codes: bool = False, flat: bool = False):
        """VAE: `n` new outputs decoded from codes ~ N(0, temperature^2 I), in the units the
        model was trained on: rows (n, input_dim), or images (n, *image_shape) for an image
        model unless flat=True. A conditional VAE (`classes` > 0) draws them for class `label`.

        seed=None (the default) draws a fresh seed from the operating system (`secrets`), so
        each call gives new outputs. An integer seed (0 <= seed < 2**64) gives the same outputs
        every time, on any thread, and the same as `ae sample --seed` and the C library.
        With return_codes=True, returns (outputs, codes), codes (n, latent_dim)."""
        handle = self._live()
        n = integer(n, "n")
        if n < 1:
            raise InvalidArgumentError(f"n must be at least 1, got {n}")
        if seed is None:
            seed = secrets.randbits(64)
        else:
            seed = integer(seed, "seed")
            if not 0 <= seed < 2 ** 64:
                raise InvalidArgumentError(f"seed must fit in 64 unsigned bits, got {seed}")
        temperature = real(temperature, "temperature")
        return_codes, flat = boolean(return_codes, "return_codes"), boolean(flat, "flat")
        if label is not None:
            label = integer(label, "label")
            if not self._classes:
                raise UnsupportedError(f"this {self._kind} model has no classes; sample without a label")
            if not 0 <= label < self._classes:
                raise InvalidArgumentError(f"label must be in 0..{self._classes - 1}, got {label}")
        x = empty((n, self._input_dim), "samples")
        z = empty((n, self._latent_dim), "codes")
        if label is None:
            check(_lib.ae_sample_ws(handle, self._workspace(handle), n, seed, temperature, x.ctypes.data, z.ctypes.data))
        else:
            check(_lib.ae_sample_class(handle, n, label, seed, temperature, x.ctypes.data, z.ctypes.data))
        x = self._shaped(x, flat)
        return (x, z) if return_codes else x

    def interpolate(self, a, b, steps: int = 8, spherical: Optional[bool] = None, *, flat: bool = False) -> np.ndarray:
        """Decode `steps` codes evenly spaced from code `a` to code `b` (latent_dim values each)
        into outputs in the units the model was trained on: rows (steps, input_dim), or images
        (steps, *image_shape) for an image model unless flat=True. Along the great circle
        (slerp) when spherical is True, the default for models that can sample; else straight."""
        handle = self._live()
        steps = integer(steps, "steps")
        if steps < 2:
            raise InvalidArgumentError(f"steps must be at least 2 (both ends), got {steps}")
        za = as_rows(a, self._latent_dim, "a")
        zb = as_rows(b, self._latent_dim, "b")
        if za.shape[0] != 1 or zb.shape[0] != 1:
            raise InvalidArgumentError(f"a and b must be single codes, got shapes {np.shape(a)} and {np.shape(b)}")
        spherical = self._can_sample if spherical is None else boolean(spherical, "spherical")
        out = empty((steps, self._input_dim), "outputs")
        check(_lib.ae_interpolate(handle, za.ctypes.data, zb.ctypes.data, steps, int(spherical), out.ctypes.data))
        return self._shaped(out, boolean(flat, "flat"))

    # -- internals -------------------------------------------------------------------------
    def _live(self) -> int:
        handle = self._handle
        if handle is None:
            raise MisuseError("the model is closed")
        return handle

    def _workspace(self, handle: int) -> int:
        workspace = getattr(self._local, "workspace", None)
        if workspace is not None:
            return workspace.handle
        return self._workspaces.create(handle, self._local)

    def _workspace_count(self) -> int:
        """Live per-thread workspaces (for tests: finished threads must not keep theirs)."""
        return self._workspaces.count()

    def _compute(self, function, labeled, rows: np.ndarray, out_width: Optional[int], labels, what: str) -> np.ndarray:
        """One compute call on checked rows: (n, out_width) floats out, or (n,) for None."""
        handle = self._live()
        n = rows.shape[0]
        classes = None if labels is None else as_labels(labels, n)
        out = empty((n,) if out_width is None else (n, out_width), what)
        if classes is None:
            check(function(handle, self._workspace(handle), rows.ctypes.data, n, out.ctypes.data))
        else:
            check(labeled(handle, self._workspace(handle), rows.ctypes.data, classes.ctypes.data, n, out.ctypes.data))
        return out

    def _shaped(self, rows: np.ndarray, flat: bool) -> np.ndarray:
        """Rows (n, input_dim) as images (n, *image_shape) for an image model, unless flat."""
        image = self.image_shape
        return rows if flat or image is None else rows.reshape((rows.shape[0],) + image)
