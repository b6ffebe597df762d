"""The numpy face of libautoencoder: `Model`, a context manager owning one model handle."""
from __future__ import annotations

import ctypes
import os
import secrets
import threading
from typing import Optional, Tuple, Union

import numpy as np

from . import _lib
from ._handle import Handle
from ._arguments import (address, as_batch, as_labels, as_rows, boolean, empty, integer, model_bytes, path_bytes, real,
                         thread_count)
from ._audio import AudioInfo, Stream, as_samples, pitch_value, read_audio_info
from ._conditions import ConditionGroup, Conditions
from ._errors import (ArgumentTypeError, AutoencoderError, InvalidArgumentError, MisuseError, UnsupportedError,
                      UnverifiedError, check)
from ._table import TableColumn, fixed_row, pandas_available, read_columns, to_arrays, to_frame
from ._workspaces import Workspaces

PathLike = Union[str, bytes, "os.PathLike[str]"]

# Kept for code that imported them from here.
_check = check
__all__ = ["Model", "ConditionGroup", "TableColumn", "AutoencoderError", "UnverifiedError", "MisuseError", "as_rows", "as_labels"]

_WORKSPACE_ROWS = 256  # rows per pass in each thread's scratch memory


class Model(Handle):
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

    Conditions: a conditional model (`condition_width` > 0, a cvae) reads a condition row with
    every row: `conditions=` (rows of `condition_width` values, the `condition_groups` side by
    side), or for a model with classes `labels=` (one class per row); never both.

    Threads: one Model may serve many threads at once (each call releases the GIL). Each thread
    gets its own scratch workspace on its first call, freed when the thread ends or the model
    closes, so calls allocate nothing in C. `threads` (default 1) splits each call's rows over
    that many threads, as onnxruntime's intra-op threads do; see the README on OpenBLAS.

        with Model("model.h5") as model:
            codes = model.encode(images)
    """

    def __init__(self, path: Optional[PathLike] = None, *, data=None, verify: bool = True, threads: int = 1,
                 precision: str = "float32"):
        """Open the model file at `path` (str, bytes or os.PathLike), or a model file's bytes
        given as `data`: bytes, bytearray, memoryview or any other buffer (a C-contiguous one is
        read in place, a strided memoryview is copied in its logical order; the library keeps
        its own copy either way).

        By default the file must carry the checksum `ae` writes; a file without one raises
        `UnverifiedError`. verify=False also reads such files (written by h5py or another
        tool): only for files you trust, because their bytes reach libhdf5 unchecked. A
        checksum that is present is checked either way.

        `threads` (1 to 256, default 1): see the `threads` property.

        `precision`: "float32" (default), or "bfloat16" to run the layers with their kernels
        rounded to bfloat16 (AE_OPEN_BFLOAT16): about half the time of a single row's call on
        a CPU with AVX-512, results that differ by the rounding of the weights; or "int8"
        (AE_OPEN_INT8): dense and convolution layers in int8 with per-column weight scales
        and inputs quantized per row; the int8 products give the same bits on every CPU (VNNI
        where present), transposed convolutions stay float32.

        Raises ModelNotFoundError (a FileNotFoundError) for a missing file, ModelIOError (an
        OSError) for one that cannot be read, FormatError, VersionError or UnverifiedError for
        one that cannot be used, LibraryError when libautoencoder cannot be loaded."""
        self._handle: Optional[int] = None  # first: __del__ runs even if opening fails
        self._close_lock = threading.Lock()
        if (path is None) == (data is None):
            raise InvalidArgumentError("pass either a path or data=bytes, not both")
        self._threads = thread_count(threads, _lib.AE_WORKSPACE_MAX_THREADS)
        flags = _lib.AE_OPEN_DEFAULT if boolean(verify, "verify") else _lib.AE_OPEN_UNVERIFIED
        if precision not in ("float32", "bfloat16", "int8"):
            raise InvalidArgumentError(f"precision must be 'float32', 'bfloat16' or 'int8', got {precision!r}")
        if precision == "bfloat16":
            flags |= _lib.AE_OPEN_BFLOAT16
        elif precision == "int8":
            flags |= _lib.AE_OPEN_INT8
        self._precision = precision
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
        self._score_kind = _lib.ae_model_score_kind(self._handle).decode()
        threshold = ctypes.c_double()
        self._threshold = threshold.value if _lib.ae_model_threshold(self._handle, ctypes.byref(threshold)) == 0 else None
        self._input_dim = _lib.ae_model_input_dim(self._handle)
        self._latent_dim = _lib.ae_model_latent_dim(self._handle)
        self._layer_count = _lib.ae_model_layer_count(self._handle)
        self._can_sample = bool(_lib.ae_model_can_sample(self._handle))
        shape = (ctypes.c_size_t * 3)()
        self._input_shape = tuple(shape) if _lib.ae_model_input_shape(self._handle, shape) == 0 else None
        self._conditions = Conditions.read(self._handle, self._kind)
        self._table_columns = read_columns(self._handle)
        self._audio_info = read_audio_info(self._handle)

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
    def score_kind(self) -> str:
        """What `score` computes: "excess" (the loss minus a perfect reconstruction's; the
        default since 0.5), "loss" (files from before 0.5), "mse" (in the data's units),
        "code" (the code's Mahalanobis distance to the training codes), "neighbours" (its
        distance to the 5 nearest training codes) or "combined" (excess, code and neighbours,
        standardised and summed)."""
        return self._score_kind

    @property
    def threshold(self) -> Optional[float]:
        """The anomaly threshold (`ae train --calibrate Q` or `--contamination C`): `predict`
        calls a row scoring above it an anomaly. None for a model that was not calibrated."""
        return self._threshold

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
        """True when `sample` works without conditions, as the library says: a vae, or a cvae
        whose condition groups are all one-hot (it draws each row's classes from the seed). A
        cvae with continuous conditions samples only given `conditions=`."""
        return self._can_sample

    @property
    def classes(self) -> int:
        """Classes of a conditional model whose condition is one class label (a classic cvae),
        which then takes `labels=` / `label=` as well as `conditions=`; else 0."""
        return self._conditions.classes

    @property
    def condition_width(self) -> int:
        """Values per condition row, which a conditional model (cvae) reads with every row
        (`conditions=`): the `condition_groups`' widths added up. 0 for models without conditions."""
        return self._conditions.width

    @property
    def condition_groups(self) -> Tuple[ConditionGroup, ...]:
        """The named groups of a condition row, in order (group 0's values come first): a tuple
        of ConditionGroup(name, kind, width), kind "one_hot" or "continuous". A classic cvae has
        one, ("class", "one_hot", classes); models without conditions have none."""
        return self._conditions.groups

    @property
    def precision(self) -> str:
        """What the layers' kernels run in: "float32", "bfloat16" or "int8" (as opened)."""
        return self._precision

    @property
    def threads(self) -> int:
        """Threads each call runs on (1 to 256; default 1: the calling thread alone), as
        onnxruntime's intra-op thread count: a call's rows are split into that many contiguous
        shares, one on the calling thread and the others on threads of its workspace, which
        sleep between calls. Results equal the one-thread results to float rounding, and are
        the same bits run to run for a fixed count; samples follow the seed as on one thread.

        Setting it applies to every workspace of this model: the calling thread's and each other
        thread's at its next call, and every new one. Each calling thread has its own, so T
        Python threads sharing a model at `threads` = N may run T * N threads at once, and each
        of those may use OpenBLAS's own threads too (the library never changes their count):
        pick one kind of parallelism (see the README).

        Raises InvalidArgumentError (a ValueError) for 0, negatives and more than 256,
        ArgumentTypeError for a non-integer, MisuseError on a closed model. Threads that cannot
        be started raise OutOfMemoryError: here for the calling thread's workspace (the setting
        then stays as it was), at their next call for other threads' workspaces."""
        return self._threads

    @threads.setter
    def threads(self, value: int) -> None:
        threads = thread_count(value, _lib.AE_WORKSPACE_MAX_THREADS)
        self._live()
        workspace = getattr(self._local, "workspace", None)
        if workspace is not None:  # the calling thread's own now: a failure shows here, and changes nothing
            self._set_threads(workspace, threads)
        self._threads = threads

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

    # -- table models ----------------------------------------------------------------------
    @property
    def is_table(self) -> bool:
        """True for a table model (made by `ae augment fit`), which `sample_table` samples; the
        calls on float rows (encode, sample, ...) raise UnsupportedError for it."""
        return bool(self._table_columns)

    @property
    def table_columns(self) -> Tuple[TableColumn, ...]:
        """A table model's columns, in order: TableColumn(name, kind, categories, condition);
        empty for other models."""
        return self._table_columns

    def sample_table(self, n: int, seed: int = 1, where=None, first: int = 0, as_frame: Optional[bool] = None):
        """Rows `first` .. `first + n - 1` of a table model's sample for `seed` (0 <= seed < 2**64),
        as a pandas DataFrame when pandas is installed and as_frame is not False, else a dict of
        numpy arrays {column: values}. The same seed gives the same rows, and rows k.. of a long
        sample equal a call with first=k (to float rounding), so a sample can be made in chunks.

        where: {column: label} fixes condition columns (`TableColumn.condition`) to a category
        (a boolean column also takes True/False): every row gets that value and the other
        columns follow it as the model learned them.

        DataFrame: categorical and boolean columns as pandas Categorical of the model's
        categories, datetimes as datetime64[s], integers as int64 (nullable Int64 when a cell is
        missing), other numbers as float64 (NaN for missing). Dict: str labels ("" for missing),
        datetime64[s] (NaT for missing), int64 integers when none is missing, else float64.
        Raises UnsupportedError for a model that is not a table model, InvalidArgumentError for
        an unknown column or label or a column that cannot be fixed."""
        handle = self._live()
        if not self._table_columns:
            raise UnsupportedError(f"sample_table needs a table model (made by `ae augment fit`); this is a "
                                   f"{self._kind} model: use sample()")
        n, first = integer(n, "n"), integer(first, "first")
        if n < 1:
            raise InvalidArgumentError(f"n must be at least 1, got {n}")
        seed = integer(seed, "seed")
        if not 0 <= seed < 2 ** 64:
            raise InvalidArgumentError(f"seed must fit in 64 unsigned bits, got {seed}")
        if not 0 <= first < 2 ** 63 - n:
            raise InvalidArgumentError(f"first must be 0 or more, and first + n below 2**63, got first={first}")
        frame = pandas_available() if as_frame is None else boolean(as_frame, "as_frame")
        if frame and not pandas_available():
            raise InvalidArgumentError("as_frame=True needs pandas, which is not installed: pip install pandas, "
                                       "or pass as_frame=False for a dict of numpy arrays")
        fixed = fixed_row(self._table_columns, where)
        rows = empty((n, len(self._table_columns)), "table rows", np.float64)
        check(_lib.ae_sample_table(handle, self._workspace(handle), n, seed, first,
                                   None if fixed is None else fixed.ctypes.data, rows.ctypes.data))
        return to_frame(rows, self._table_columns) if frame else to_arrays(rows, self._table_columns)

    # -- sound (timbre models) -------------------------------------------------------------
    @property
    def is_timbre(self) -> bool:
        """True for a timbre model (made by `ae audio train`), which `audio_generate`,
        `audio_morph` and `stream` play."""
        return self._audio_info is not None

    @property
    def audio_info(self) -> Optional[AudioInfo]:
        """A timbre model's settings: AudioInfo(sample_rate, fft_size, hop, latent_dim,
        takes_pitch); None for other models."""
        return self._audio_info

    def audio_generate(self, seconds: float, seed: int = 0, pitch: Optional[float] = None) -> np.ndarray:
        """A new sound of `seconds` (more than 0, at most 3600): a smooth walk through the code
        space drawn from `seed` (0 <= seed < 2**64), at `pitch` (a MIDI note number, 0 to 127,
        for a model that takes pitch; None otherwise). The same seed and pitch give the same
        samples. Returns float32 samples, shape (int(seconds * sample_rate),), at
        `audio_info.sample_rate`: soundfile.write(path, y, model.audio_info.sample_rate)."""
        handle, info = self._timbre("audio_generate")
        seconds = real(seconds, "seconds")
        seed = integer(seed, "seed")
        if not 0 <= seed < 2 ** 64:
            raise InvalidArgumentError(f"seed must fit in 64 unsigned bits, got {seed}")
        note = pitch_value(info, pitch)
        length = ctypes.c_size_t()
        check(_lib.ae_audio_generate_length(handle, seconds, ctypes.byref(length)))
        out = empty((length.value,), "the sound")
        written = ctypes.c_size_t()
        check(_lib.ae_audio_generate(handle, seconds, seed, note, out.ctypes.data, out.size, ctypes.byref(written)))
        return out

    def audio_morph(self, a, b, steps: int = 8, pitch_a: Optional[float] = None,
                    pitch_b: Optional[float] = None) -> np.ndarray:
        """A morph from sound `a` to sound `b` (1-D samples at `audio_info.sample_rate`): `steps`
        (2 to 1000) sounds one after another, each as long as `a`, whose codes blend from a's
        (step 0) to b's (the last step; b stretched to a's length), the pitch likewise from
        pitch_a to pitch_b (MIDI note numbers for a model that takes pitch; None otherwise).
        Returns float32 samples, shape (steps * len(a),)."""
        handle, info = self._timbre("audio_morph")
        steps = integer(steps, "steps")
        if not 2 <= steps <= 1000:
            raise InvalidArgumentError(f"steps must be 2 to 1000 (both ends included), got {steps}")
        first, second = as_samples(a, "a"), as_samples(b, "b")
        note_a, note_b = pitch_value(info, pitch_a, "pitch_a"), pitch_value(info, pitch_b, "pitch_b")
        length = ctypes.c_size_t()
        check(_lib.ae_audio_morph_length(handle, first.size, second.size, steps, ctypes.byref(length)))
        out = empty((length.value,), "the morph")
        written = ctypes.c_size_t()
        check(_lib.ae_audio_morph(handle, first.ctypes.data, first.size, second.ctypes.data, second.size, note_a, note_b,
                                  steps, out.ctypes.data, out.size, ctypes.byref(written)))
        return out

    def stream(self, queue_frames: int = 32) -> Stream:
        """A real-time stream of this timbre model with a queue of `queue_frames` codes (1 to
        2**20): push codes from one thread, pull samples from one thread (see `Stream`). The
        stream has its own scratch memory and stays usable after the model is closed; close it
        (or use it as a context manager) when done."""
        handle, info = self._timbre("stream")
        return Stream(handle, info, queue_frames)

    def _timbre(self, call: str) -> Tuple[int, AudioInfo]:
        handle = self._live()
        if self._audio_info is None:
            raise UnsupportedError(f"{call}() needs a timbre model (made by `ae audio train`); this is a "
                                   f"{self._kind} model")
        return handle, self._audio_info

    # -- compute ---------------------------------------------------------------------------
    # Conditional models take a condition row per row: conditions= (condition_width values),
    # or for a model with classes labels= (one class per row, as training had); never both.
    def encode(self, x, labels=None, *, conditions=None) -> np.ndarray:
        """Codes (n, latent_dim) for rows or images `x`: raw values in the units the model was
        trained on (the model applies its stored scaling). One row or image gives (latent_dim,).
        Conditional models (cvae): `labels`, one class per row, or `conditions`, condition rows
        (n, condition_width) or one row for all."""
        self._refuse_table("encode")
        batch = as_batch(x, self._input_dim, "x", self._input_shape)
        out = self._compute(_lib.ae_encode_ws, _lib.ae_encode_labeled, _lib.ae_encode_conditioned, batch.rows,
                            self._latent_dim, labels, conditions, "codes")
        return out[0] if batch.single else out

    def decode(self, z, labels=None, *, conditions=None, flat: bool = False) -> np.ndarray:
        """Outputs for codes `z` (n, latent_dim) or one code (latent_dim,), in the units the
        model was trained on: rows (n, input_dim), or for an image model images
        (n, *image_shape) unless flat=True. One code gives one row or image.
        Conditional models (cvae): `labels`, one class per row, or `conditions`, condition rows
        (n, condition_width) or one row for all."""
        self._refuse_table("decode")
        batch = as_batch(z, self._latent_dim, "z")
        out = self._compute(_lib.ae_decode_ws, _lib.ae_decode_labeled, _lib.ae_decode_conditioned, batch.rows,
                            self._input_dim, labels, conditions, "outputs")
        out = self._shaped(out, boolean(flat, "flat"))
        return out[0] if batch.single else out

    def reconstruct(self, x, labels=None, *, conditions=None) -> np.ndarray:
        """decode(encode(x)) in one call. `x`: rows or images, raw values in the units the model
        was trained on (the model applies its stored scaling); the result is in the same units
        and the same shape as `x` (rows for rows, images for images).
        Conditional models (cvae): `labels`, one class per row, or `conditions`, condition rows
        (n, condition_width) or one row for all."""
        self._refuse_table("reconstruct")
        batch = as_batch(x, self._input_dim, "x", self._input_shape)
        out = self._compute(_lib.ae_reconstruct_ws, _lib.ae_reconstruct_labeled, _lib.ae_reconstruct_conditioned,
                            batch.rows, self._input_dim, labels, conditions, "reconstructions")
        if len(batch.item_shape) > 1:
            out = out.reshape((out.shape[0],) + batch.item_shape)
        return out[0] if batch.single else out

    def score(self, x, labels=None, *, conditions=None) -> np.ndarray:
        """Anomaly score per row (n,), as `score_kind` says: the reconstruction loss in the model's
        own loss (`loss`) summed over the row on scaled data, minus a perfect reconstruction's
        (`excess`), or that loss itself, or the squared error in the data's units (`mse`);
        higher means less like the training data. `x`: rows
        or images, raw values in the units the model was trained on (the model applies its
        stored scaling). One row or image gives a scalar.
        Conditional models (cvae): `labels`, one class per row, or `conditions`, condition rows
        (n, condition_width) or one row for all."""
        self._refuse_table("score")
        batch = as_batch(x, self._input_dim, "x", self._input_shape)
        out = self._compute(_lib.ae_score_ws, _lib.ae_score_labeled, _lib.ae_score_conditioned, batch.rows, None,
                            labels, conditions, "scores")
        return out[0] if batch.single else out

    def predict(self, x, labels=None, *, conditions=None) -> np.ndarray:
        """1 for each row (or image) of `x` whose `score` is above the model's `threshold` (an
        anomaly), else 0, as int64 (n,); a scalar for one row. Conditional models take `labels`
        or `conditions` as `score` does. Raises UnsupportedError for a model without a
        threshold (train it with `ae train --calibrate Q` or `--contamination C`)."""
        if self._threshold is None:
            raise UnsupportedError("this model has no anomaly threshold; train it with ae train --calibrate Q "
                                   "or --contamination C")
        scores = self.score(x, labels, conditions=conditions)
        labels_out = (np.asarray(scores, dtype=np.float64) > self._threshold).astype(np.int64)
        return labels_out if labels_out.ndim else labels_out.item()

    def encode_distribution(self, x, labels=None, *, conditions=None) -> Tuple[np.ndarray, np.ndarray]:
        """VAE: the posterior (mean, log_variance) of rows or images `x`, each (n, latent_dim),
        or (latent_dim,) for one row or image. `x`: raw values in the units the model was
        trained on (the model applies its stored scaling). A conditional VAE (cvae) needs
        `labels`, one class per row, or `conditions`, condition rows (n, condition_width) or one
        row for all. Raises UnsupportedError for models that are not VAEs."""
        self._refuse_table("encode_distribution")
        handle = self._live()
        batch = as_batch(x, self._input_dim, "x", self._input_shape)
        n = batch.rows.shape[0]
        classes, rows = self._conditions.per_row(labels, conditions, n)
        options = _lib.EncodeOptions.default()
        if classes is not None:
            options.labels = classes.ctypes.data
        if rows is not None:
            options.conditions = rows.ctypes.data
        mean = empty((n, self._latent_dim), "means")
        log_variance = empty((n, self._latent_dim), "log-variances")
        check(_lib.ae_encode_distribution_v2(handle, self._workspace(handle), batch.rows.ctypes.data, n,
                                             ctypes.byref(options), mean.ctypes.data, log_variance.ctypes.data))
        return (mean[0], log_variance[0]) if batch.single else (mean, log_variance)

    def sample(self, n: int, seed: Optional[int] = None, temperature: float = 1.0, *, label: Optional[int] = None,
               conditions=None, return_codes: bool = False, flat: bool = False):
        """VAE: `n` new outputs decoded from codes ~ N(0, temperature^2 I), in the units the
        model was trained on: rows (n, input_dim), or images (n, *image_shape) for an image
        model unless flat=True.

        A conditional VAE (cvae) draws them for class `label` (a model with classes), or for
        `conditions` (condition rows (n, condition_width), or one row for all), or, given
        neither, for classes the library draws for each row from the seed (when `can_sample`:
        a cvae with continuous conditions then raises UnsupportedError).

        seed=None (the default) draws a fresh seed from the operating system (`secrets`), so
        each call gives new outputs. An integer seed (0 <= seed < 2**64) gives the same outputs
        every time, on any thread and with any `threads` (to float rounding), and the same as
        `ae sample --seed` and the C library. With return_codes=True, returns (outputs, codes),
        codes (n, latent_dim)."""
        self._refuse_table("sample")
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
        options = _lib.SampleOptions.default()
        options.seed, options.temperature = seed, temperature
        if label is not None:
            options.label = self._conditions.label(label, conditions)
        rows = self._conditions.rows(conditions, n)
        if rows is not None:
            options.conditions = rows.ctypes.data
        x = empty((n, self._input_dim), "samples")
        z = empty((n, self._latent_dim), "codes")
        check(_lib.ae_sample_v2(handle, self._workspace(handle), n, ctypes.byref(options), x.ctypes.data,
                                z.ctypes.data))
        x = self._shaped(x, flat)
        return (x, z) if return_codes else x

    def interpolate(self, a, b, steps: int = 8, spherical: Optional[bool] = None, *, label: Optional[int] = None,
                    conditions=None, flat: bool = False) -> np.ndarray:
        """Decode `steps` codes evenly spaced from code `a` to code `b` (latent_dim values each)
        into outputs in the units the model was trained on: rows (steps, input_dim), or images
        (steps, *image_shape) for an image model unless flat=True. Along the great circle
        (slerp) when spherical is True, the default for variational models (vae, cvae); else
        along the straight line. A conditional VAE (cvae) decodes the whole path as one class
        `label` (a model with classes) or with one condition row `conditions`
        ((condition_width,) or (1, condition_width)); without either it raises UnsupportedError."""
        self._refuse_table("interpolate")
        handle = self._live()
        steps = integer(steps, "steps")
        if steps < 2:
            raise InvalidArgumentError(f"steps must be at least 2 (both ends), got {steps}")
        za = as_rows(a, self._latent_dim, "a")
        zb = as_rows(b, self._latent_dim, "b")
        if za.shape[0] != 1 or zb.shape[0] != 1:
            raise InvalidArgumentError(f"a and b must be single codes, got shapes {np.shape(a)} and {np.shape(b)}")
        spherical = self._kind in ("vae", "cvae") if spherical is None else boolean(spherical, "spherical")
        flat = boolean(flat, "flat")
        options = _lib.InterpolateOptions.default()
        options.steps, options.spherical = steps, int(spherical)
        if label is not None:
            options.label = self._conditions.label(label, conditions)
        row = self._conditions.rows(conditions, 1, one=True)
        if row is not None:
            options.condition = row.ctypes.data
        out = empty((steps, self._input_dim), "outputs")
        check(_lib.ae_interpolate_v2(handle, self._workspace(handle), za.ctypes.data, zb.ctypes.data,
                                     ctypes.byref(options), out.ctypes.data))
        return self._shaped(out, flat)

    # -- compressed codes (docs/COMPRESSION.md) ---------------------------------------------
    def compress(self, x, bits: int = 8) -> bytes:
        """The bytes of a compressed-code file for rows or images `x` (raw values in the units
        the model was trained on): each row's code, every value quantized to `bits` bits (1...16)
        over its dimension's range in `x`, in the file `ae compress` writes; it names this model,
        so only `decompress` on the same model reads it. Unconditional models only."""
        self._refuse_table("compress")
        handle = self._live()
        bits = integer(bits, "bits")
        if not 1 <= bits <= 16:
            raise InvalidArgumentError(f"bits must be 1...16, got {bits}")
        batch = as_batch(x, self._input_dim, "x", self._input_shape)
        n = batch.rows.shape[0]
        bound = ctypes.c_size_t()
        check(_lib.ae_compress_bound(handle, n, bits, ctypes.byref(bound)))
        out = (ctypes.c_ubyte * max(bound.value, 1))()
        written = ctypes.c_size_t()
        check(_lib.ae_compress(handle, batch.rows.ctypes.data, n, bits, out, bound.value, ctypes.byref(written)))
        return bytes(out[:written.value])

    def decompress(self, data, *, flat: bool = False) -> np.ndarray:
        """The rows compressed in `data` (bytes from `compress` or a file from `ae compress`,
        made with this model), in the units the model was trained on: (n, input_dim), or for an
        image model (n, *image_shape) unless flat=True. Raises FormatError for
        data that is not such a file, is damaged, or came from another model."""
        self._refuse_table("decompress")
        handle = self._live()
        if isinstance(data, (bytearray, memoryview)):
            data = bytes(data)
        if not isinstance(data, bytes):
            raise ArgumentTypeError(f"data must be bytes, got {type(data).__name__}")
        flat = boolean(flat, "flat")
        rows = ctypes.c_size_t()
        check(_lib.ae_decompress(handle, data, len(data), None, 0, ctypes.byref(rows)))
        out = empty((rows.value, self._input_dim), "rows")
        if rows.value:
            check(_lib.ae_decompress(handle, data, len(data), out.ctypes.data, rows.value, ctypes.byref(rows)))
        return self._shaped(out, flat)

    # -- internals -------------------------------------------------------------------------
    # -- images (denoising and inpainting) --------------------------------------------------
    def denoise(self, image) -> np.ndarray:
        """The model's reconstruction of a whole image of any size (through ae_denoise_image): for
        a denoising image model, the image cleaned. `image` is (height, width) or (height, width,
        channels), in the data's units (0..255 for a Fashion-MNIST model); it is cut into
        overlapping tiles of `input_shape`, reconstructed, and the seams blended. A 1-channel
        model takes each channel of an RGB image alone; a 3-channel model refuses a grey image.
        Returns float32 of the image's shape. Raises UnsupportedError for a model whose rows are
        not images, InvalidArgumentError for a shape it cannot take, NonFiniteError for NaN."""
        handle = self._live()
        pixels, (height, width, channels) = self._image_pixels(image, "image")
        out = empty(pixels.shape, "the denoised image")
        check(_lib.ae_denoise_image(handle, self._workspace(handle), pixels.ctypes.data, height, width, channels,
                                    out.ctypes.data))
        return out

    def inpaint(self, image, known_mask, iterations: int = 20) -> np.ndarray:
        """Fill an image's missing pixels (through ae_inpaint_image). `known_mask` is (height,
        width): True or nonzero where the pixel is known, False or 0 where it is missing (every
        channel). Missing pixels start at the mean of the known ones, then each of `iterations`
        rounds (0 to 100000) reconstructs the image as `denoise` does and puts the known pixels
        back, so they come out exactly as given. Missing pixels may hold anything, NaN included.
        Returns float32 of the image's shape."""
        handle = self._live()
        pixels, (height, width, channels) = self._image_pixels(image, "image", missing_may_be_nan=True)
        mask = _asarray_mask(known_mask, (height, width))
        iterations = integer(iterations, "iterations")
        if not 0 <= iterations <= 100000:
            raise InvalidArgumentError(f"iterations must be in 0..100000, got {iterations}")
        out = empty(pixels.shape, "the inpainted image")
        check(_lib.ae_inpaint_image(handle, self._workspace(handle), pixels.ctypes.data, mask.ctypes.data, height,
                                    width, channels, iterations, out.ctypes.data))
        return out

    def _image_pixels(self, image, name: str, missing_may_be_nan: bool = False):
        """`image` as a C-contiguous float32 (h, w) or (h, w, c) array, and its (h, w, c)."""
        array = np.asarray(image)
        if array.ndim not in (2, 3) or 0 in array.shape:
            raise InvalidArgumentError(f"{name} must be (height, width) or (height, width, channels), got shape "
                                       f"{array.shape}")
        height, width = array.shape[:2]
        channels = 1 if array.ndim == 2 else array.shape[2]
        if missing_may_be_nan and array.dtype.kind == "f":
            # NaN marks nothing here: the mask says which pixels are missing, and C checks the known ones.
            rows = np.ascontiguousarray(array, dtype=np.float32).reshape(height, width * channels)
        else:
            rows = as_rows(array.reshape(height, width * channels), width * channels, name, original_shape=array.shape)
        return rows.reshape(array.shape), (height, width, channels)

    def _refuse_table(self, call: str) -> None:
        """The calls on float rows cannot serve a table model (the library refuses them too;
        here the message names the Python call, before any shape check on the rows)."""
        if self._table_columns:
            raise UnsupportedError(f"{call}() works on rows of floats; this is a table model (made by `ae augment "
                                   f"fit`), whose rows have named columns: use sample_table()")

    def _live(self) -> int:
        handle = self._handle
        if handle is None:
            raise MisuseError("the model is closed")
        return handle

    def _workspace(self, handle: int) -> int:
        """The calling thread's workspace, made on its first call, set to the model's `threads`."""
        workspace = getattr(self._local, "workspace", None)
        if workspace is None:
            workspace = self._workspaces.create(handle, self._local)
        threads = self._threads
        if workspace.threads != threads:
            self._set_threads(workspace, threads)
        return workspace.handle

    @staticmethod
    def _set_threads(workspace, threads: int) -> None:
        """ae_workspace_set_threads on the calling thread's own workspace (never another's: it
        could be in a call right now). On failure the workspace keeps its count."""
        check(_lib.ae_workspace_set_threads(workspace.handle, threads))
        workspace.threads = threads

    def _workspace_count(self) -> int:
        """Live per-thread workspaces (for tests: finished threads must not keep theirs)."""
        return self._workspaces.count()

    def _workspace_threads(self) -> int:
        """The calling thread's workspace's thread count as the library reports it (for tests); 0 without one."""
        workspace = getattr(self._local, "workspace", None)
        return 0 if workspace is None else _lib.ae_workspace_threads(workspace.handle)

    def _compute(self, function, labeled, conditioned, rows: np.ndarray, out_width: Optional[int], labels, conditions,
                 what: str) -> np.ndarray:
        """One compute call on checked rows: (n, out_width) floats out, or (n,) for None. The
        plain call without labels or conditions, else the _labeled or _conditioned one."""
        handle = self._live()
        n = rows.shape[0]
        classes, condition_rows = self._conditions.per_row(labels, conditions, n)
        shape = (n,) if out_width is None else (n, out_width)
        # A few rows' output needs no memory check (empty's); the single-row call is the one
        # whose Python overhead shows.
        out = np.empty(shape, np.float32) if n * (out_width or 1) <= 65536 else empty(shape, what)
        workspace = self._workspace(handle)
        if classes is not None:
            check(labeled(handle, workspace, address(rows), address(classes), n, address(out)))
        elif condition_rows is not None:
            check(conditioned(handle, workspace, address(rows), address(condition_rows), n, address(out)))
        else:
            check(function(handle, workspace, address(rows), n, address(out)))
        return out

    def _shaped(self, rows: np.ndarray, flat: bool) -> np.ndarray:
        """Rows (n, input_dim) as images (n, *image_shape) for an image model, unless flat."""
        image = self.image_shape
        return rows if flat or image is None else rows.reshape((rows.shape[0],) + image)


def _asarray_mask(mask, shape) -> np.ndarray:
    """A known-pixel mask as C-contiguous uint8 (1 known, 0 missing) of `shape` (height, width)."""
    array = np.asarray(mask)
    if array.shape != tuple(shape):
        raise InvalidArgumentError(f"known_mask must have the image's height and width {tuple(shape)}, got shape "
                                   f"{array.shape}")
    if array.dtype.kind not in "biuf":
        raise ArgumentTypeError(f"known_mask must hold booleans or numbers, got dtype {array.dtype}")
    return np.ascontiguousarray(array != 0, dtype=np.uint8)
