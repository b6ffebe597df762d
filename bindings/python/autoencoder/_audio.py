"""Timbre models (made by `ae audio train`): their settings, whole sounds (generate, morph) and
real-time streams (`Stream`). Samples are 1-D float32 C-contiguous arrays at the model's rate,
which soundfile.write(path, samples, info.sample_rate) writes as they are."""
from __future__ import annotations

import ctypes
import math
import threading
from typing import NamedTuple, Optional

import numpy as np

from . import _lib
from ._handle import Handle
from ._arguments import empty, integer, real
from ._errors import ArgumentTypeError, InvalidArgumentError, MisuseError, NonFiniteError, check


class AudioInfo(NamedTuple):
    """A timbre model's settings (`Model.audio_info`): `sample_rate` (Hz), `fft_size` (samples
    per frame, also a stream's latency), `hop` (samples per frame of codes), `latent_dim`
    (values per code), `takes_pitch` (every frame needs a MIDI note number)."""
    sample_rate: int
    fft_size: int
    hop: int
    latent_dim: int
    takes_pitch: bool


def read_audio_info(handle: int) -> Optional[AudioInfo]:
    """The settings of the open model `handle`, or None when it is not a timbre model."""
    info = _lib.AudioInfo.default()
    if _lib.ae_audio_info(handle, ctypes.byref(info)) != 0:
        return None
    return AudioInfo(info.sample_rate, info.fft_size, info.hop, info.latent_dim, bool(info.takes_pitch))


def pitch_value(info: AudioInfo, pitch, name: str = "pitch") -> float:
    """A pitch argument as the library takes it: a MIDI note number (0 to 127) for a model that
    takes pitch, NaN (from None) for one that does not."""
    if pitch is None:
        if info.takes_pitch:
            raise InvalidArgumentError(f"this model is conditioned on pitch: pass {name}= (a MIDI note number, "
                                       f"0 to 127; 69 is A4, 440 Hz)")
        return math.nan
    if not info.takes_pitch:
        raise InvalidArgumentError(f"this model takes no pitch: leave {name}=None")
    value = real(pitch, name)
    if not 0 <= value <= 127:  # NaN fails too
        raise InvalidArgumentError(f"{name} must be a MIDI note number from 0 to 127, got {pitch!r}")
    return value


def as_samples(values, name: str) -> np.ndarray:
    """A mono sound as a C-contiguous float32 1-D array (no copy when it already is one)."""
    array = np.asarray(values)
    if array.dtype.kind not in "iuf":
        raise ArgumentTypeError(f"{name} must hold real samples (integers or floats), got dtype {array.dtype}")
    if array.ndim != 1:
        raise InvalidArgumentError(f"{name} must be one channel of samples (1-D), got shape {array.shape}; "
                                   f"mix a stereo sound down first, e.g. {name}.mean(axis=1)")
    if array.size == 0:
        raise InvalidArgumentError(f"{name} has no samples")
    samples = np.ascontiguousarray(array, dtype=np.float32)
    if not np.isfinite(samples).all():
        index = int(np.argmin(np.isfinite(samples)))
        raise NonFiniteError(f"{name} holds {array[index]} at sample {index}; samples must be finite")
    return samples


class Stream(Handle):
    """A timbre model played in real time (`Model.stream()`): `push` codes, one per frame of
    `hop` samples, from one thread; `pull` samples from one thread (the same or another: one
    pusher and one puller at a time). When the queue runs dry the last code is held (silence
    before the first push). A code is heard fully `latency` samples (fft_size) after the pull
    that takes it. The C pull allocates nothing and takes no lock (the Python wrapper around
    it allocates the array it returns; pull_into fills one of yours).

        with model.stream(queue_frames=32) as stream:
            stream.push(codes, pitches=60)        # codes: (frames, latent_dim)
            block = stream.pull(512)              # float32, (512,)
    """

    def __init__(self, model_handle: int, info: AudioInfo, queue_frames: int):
        self._handle: Optional[int] = None  # first: __del__ runs even if creating fails
        self._close_lock = threading.Lock()
        self._info = info
        queue_frames = integer(queue_frames, "queue_frames")
        if not 1 <= queue_frames <= 1 << 20:
            raise InvalidArgumentError(f"queue_frames must be 1 to {1 << 20}, got {queue_frames}")
        handle = ctypes.c_void_p()
        check(_lib.ae_stream_create(model_handle, None, queue_frames, ctypes.byref(handle)))
        self._handle = handle.value
        self._queue_frames = queue_frames

    @property
    def latency(self) -> int:
        """Samples from the pull that takes a code to the point where all of it is heard (fft_size)."""
        return self._info.fft_size

    @property
    def queue_frames(self) -> int:
        """Codes the queue holds."""
        return self._queue_frames

    @property
    def room(self) -> int:
        """Codes `push` can queue now."""
        return int(_lib.ae_stream_room(self._live()))

    def push(self, codes, pitches=None) -> None:
        """Queue codes: (frames, latent_dim) or one code (latent_dim,). `pitches`: for a model
        that takes pitch, one MIDI note number for every frame or one per frame; None for a
        model without pitch. All or nothing: raises QueueFullError (a queue.Full) when they do
        not fit in `room`; push again after the stream has played some."""
        handle = self._live()
        latent = self._info.latent_dim
        array = np.asarray(codes)
        if array.dtype.kind not in "iuf":
            raise ArgumentTypeError(f"codes must hold real numbers, got dtype {array.dtype}")
        if array.ndim == 1:
            array = array.reshape(1, -1)
        if array.ndim != 2 or array.shape[1] != latent:
            raise InvalidArgumentError(f"codes must have shape (frames, {latent}) or ({latent},), got {np.shape(codes)}")
        frames = array.shape[0]
        if frames == 0:
            raise InvalidArgumentError("codes has no frames")
        rows = np.ascontiguousarray(array, dtype=np.float32)
        notes = None
        if pitches is None:
            if self._info.takes_pitch:
                raise InvalidArgumentError("this model is conditioned on pitch: pass pitches= (a MIDI note number "
                                           "for all frames, or one per frame)")
        else:
            if not self._info.takes_pitch:
                raise InvalidArgumentError("this model takes no pitch: leave pitches=None")
            values = np.asarray(pitches)
            if values.dtype.kind not in "iuf":
                raise ArgumentTypeError(f"pitches must be MIDI note numbers, got dtype {values.dtype}")
            if values.ndim == 0:
                values = np.full(frames, values)
            if values.shape != (frames,):
                raise InvalidArgumentError(f"pitches must be one number or {frames} (one per frame), "
                                           f"got shape {np.shape(pitches)}")
            notes = np.ascontiguousarray(values, dtype=np.float32)
        check(_lib.ae_stream_push(handle, rows.ctypes.data, None if notes is None else notes.ctypes.data, frames))

    def pull(self, n: int) -> np.ndarray:
        """The next `n` samples: a new float32 array of shape (n,)."""
        n = integer(n, "n")
        if n < 1:
            raise InvalidArgumentError(f"n must be at least 1, got {n}")
        out = empty((n,), "samples")
        self.pull_into(out)
        return out

    def pull_into(self, out: np.ndarray) -> None:
        """Fill `out`, a writable C-contiguous float32 1-D array, with the next samples."""
        if not isinstance(out, np.ndarray) or out.dtype != np.float32 or out.ndim != 1 \
                or not out.flags.c_contiguous or not out.flags.writeable:
            raise InvalidArgumentError("out must be a writable C-contiguous float32 1-D numpy array")
        if out.size == 0:
            raise InvalidArgumentError("out has no room for a sample")
        check(_lib.ae_stream_pull(self._live(), out.ctypes.data, out.size))

    def reset(self) -> None:
        """Back to a new stream: the queue emptied, silence until the next push. Not while
        another thread pushes or pulls (MisuseError)."""
        check(_lib.ae_stream_reset(self._live()))

    def close(self) -> None:
        """Free the stream; further calls raise MisuseError. Safe to call twice."""
        with self._close_lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            _lib.ae_stream_free(handle)

    def __repr__(self) -> str:
        closed = ", closed" if self.closed else ""
        return f"Stream(queue_frames={self._queue_frames}, latency={self.latency}{closed})"

    def _live(self) -> int:
        handle = self._handle
        if handle is None:
            raise MisuseError("the stream is closed")
        return handle
