"""Timbre models from Python: settings, generate, morph and streams, on a tiny pitch-conditioned
model trained on pure tones by `ae audio train` (the C tests' fixture, made here again)."""
import math
import queue
import struct
import wave

import numpy as np
import pytest

import autoencoder
from autoencoder import (ArgumentTypeError, InvalidArgumentError, MisuseError, NonFiniteError, QueueFullError,
                         UnsupportedError)

from ae_tool import ae

RATE = 16000


def write_tone(path, note, seconds=1.0):
    hz = 440 * 2 ** ((note - 69) / 12)
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1), f.setsampwidth(2), f.setframerate(RATE)
        f.writeframes(b"".join(struct.pack("<h", int(16000 * math.sin(2 * math.pi * hz * i / RATE)))
                               for i in range(int(seconds * RATE))))


def tone(note, n):
    """n samples of a tone as the fixture's WAV files hold it (16-bit, amplitude 16000): the
    rounding is the noise floor of the frames the model was trained on."""
    wave16 = np.trunc(16000 * np.sin(2 * np.pi * 440 * 2 ** ((note - 69) / 12) * np.arange(n) / RATE))
    return (wave16 / 32768).astype(np.float32)


def tone_code(model, note):
    """The code of one frame of a tone: ln(|X| + 1e-4) of its periodic-Hann 1024-point DFT (as
    training made frames), encoded at the note's pitch condition ((note - 69) / 12)."""
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(1024) / 1024)
    frame = np.log(np.abs(np.fft.rfft(tone(note, 1024) * window)) + 1e-4)
    return model.encode(frame, conditions=[(note - 69) / 12])


def peak_hz(x):
    """The frequency (Hz, to the bin) where a Hann-windowed FFT of x, zero-padded to 1 Hz bins, peaks."""
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)), n=RATE))
    spectrum[:50] = 0
    return float(np.argmax(spectrum))


def near_harmonic(f, note, tolerance=16):
    f0 = 440 * 2 ** ((note - 69) / 12)
    return any(abs(f - k * f0) <= tolerance for k in range(1, 5))


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audio")
    (folder / "tones").mkdir()
    for note in range(48, 77, 2):
        write_tone(folder / "tones" / f"tone_{note}.wav", note)
    # On the STFT's bins (--harmonics 0), so the tests can make the model's frames themselves.
    ae("audio", "train", "--data", folder / "tones", "--out", folder / "timbre.h5", "--condition", "pitch",
       "--harmonics", 0, "--epochs", 30, "--latent", 4, "--seed", 5, "--quiet")
    rows = np.random.default_rng(0).normal(size=(40, 6))
    np.savetxt(folder / "x.csv", rows, delimiter=",")
    ae("train", "--layers", "4,2", "--epochs", 1, "--data", folder / "x.csv", "--out", folder / "plain.h5", "--quiet")
    with autoencoder.Model(folder / "timbre.h5") as timbre, autoencoder.Model(folder / "plain.h5") as plain:
        yield timbre, plain


def test_info(models):
    timbre, plain = models
    assert timbre.is_timbre and not plain.is_timbre
    assert timbre.audio_info == (16000, 1024, 256, 4, True)
    assert timbre.audio_info.sample_rate == 16000 and timbre.audio_info.latent_dim == timbre.latent_dim
    assert plain.audio_info is None


def test_generate_shapes_dtypes_and_determinism(models):
    timbre, _ = models
    y = timbre.audio_generate(0.5, seed=3, pitch=60)
    assert y.shape == (8000,) and y.dtype == np.float32 and y.flags.c_contiguous and y.flags.writeable
    assert np.isfinite(y).all() and np.sqrt(np.mean(y ** 2)) > 1e-3
    np.testing.assert_array_equal(y, timbre.audio_generate(0.5, seed=3, pitch=60))
    assert not np.array_equal(y, timbre.audio_generate(0.5, seed=4, pitch=60))


def test_soundfile_writes_the_arrays_as_they_are(models, tmp_path):
    soundfile = pytest.importorskip("soundfile")
    timbre, _ = models
    y = timbre.audio_generate(0.5, seed=3, pitch=60)
    soundfile.write(tmp_path / "y.wav", y, timbre.audio_info.sample_rate)
    back, rate = soundfile.read(tmp_path / "y.wav", dtype="float32")
    assert rate == 16000 and back.shape == y.shape


def test_pitch_none_versus_required(models):
    timbre, plain = models
    with pytest.raises(InvalidArgumentError, match="conditioned on pitch: pass pitch="):
        timbre.audio_generate(0.5)
    with pytest.raises(InvalidArgumentError, match="MIDI note number from 0 to 127"):
        timbre.audio_generate(0.5, pitch=200)
    with pytest.raises(InvalidArgumentError, match="MIDI note number"):
        timbre.audio_generate(0.5, pitch=float("nan"))
    with pytest.raises(UnsupportedError, match="needs a timbre model"):
        plain.audio_generate(0.5)
    with pytest.raises(UnsupportedError, match="needs a timbre model"):
        plain.stream()


def test_generate_bad_arguments(models):
    timbre, _ = models
    for seconds in (0, -1, 4000, float("nan")):
        with pytest.raises(InvalidArgumentError, match="seconds"):
            timbre.audio_generate(seconds, pitch=60)
    with pytest.raises(ArgumentTypeError):
        timbre.audio_generate("1", pitch=60)
    with pytest.raises(InvalidArgumentError, match="seed"):
        timbre.audio_generate(0.5, seed=-1, pitch=60)


def test_morph_endpoints(models):
    timbre, _ = models
    a, b = tone(60, 6400), tone(66, 4800)
    y = timbre.audio_morph(a, b, steps=4, pitch_a=60, pitch_b=66)
    assert y.shape == (4 * 6400,) and y.dtype == np.float32 and np.isfinite(y).all()
    assert near_harmonic(peak_hz(y[1024:5120]), 60), peak_hz(y[1024:5120])
    assert near_harmonic(peak_hz(y[3 * 6400 + 1024:3 * 6400 + 5120]), 66)
    np.testing.assert_array_equal(y, timbre.audio_morph(a, b, steps=4, pitch_a=60, pitch_b=66))


def test_morph_bad_arguments(models):
    timbre, _ = models
    a = tone(60, 3200)
    with pytest.raises(InvalidArgumentError, match="steps must be 2 to 1000"):
        timbre.audio_morph(a, a, steps=1, pitch_a=60, pitch_b=60)
    with pytest.raises(InvalidArgumentError, match="one channel"):
        timbre.audio_morph(np.stack([a, a], axis=1), a, pitch_a=60, pitch_b=60)
    with pytest.raises(InvalidArgumentError, match="no samples"):
        timbre.audio_morph(a[:0], a, pitch_a=60, pitch_b=60)
    bad = a.copy()
    bad[7] = np.inf
    with pytest.raises(NonFiniteError, match="sample 7"):
        timbre.audio_morph(a, bad, pitch_a=60, pitch_b=60)
    with pytest.raises(InvalidArgumentError, match="pitch_b="):
        timbre.audio_morph(a, a, pitch_a=60)
    with pytest.raises(ArgumentTypeError):
        timbre.audio_morph(a.astype(complex), a, pitch_a=60, pitch_b=60)


def steady_block(timbre, code, pitch, n=4096):
    with timbre.stream(queue_frames=4) as stream:
        stream.push(code, pitches=pitch)
        stream.pull(4 * stream.latency)
        return stream.pull(n)


def test_stream_constant_code_is_steady_and_repeatable(models):
    timbre, _ = models
    code = tone_code(timbre, 60)
    block = steady_block(timbre, code, 60)
    assert block.shape == (4096,) and block.dtype == np.float32 and block.flags.c_contiguous
    levels = [np.sqrt(np.mean(block[i:i + 1024] ** 2)) for i in range(0, 4096, 1024)]
    assert levels[0] > 1e-3 and max(levels) / min(levels) < 1.1, levels
    np.testing.assert_array_equal(block, steady_block(timbre, code, 60))
    # Parseval: a steady sound of RMS r through a Hann window of N holds r^2 3N/8 per frame,
    # (2/N) sum |X_k|^2 over the half spectrum of the magnitudes the model decodes.
    magnitudes = np.maximum(np.exp(timbre.decode(code, conditions=[(60 - 69) / 12])) - 1e-4, 0)
    expected = np.sqrt(16 * np.sum(magnitudes.astype(np.float64) ** 2) / (3 * 1024 ** 2))
    assert abs(np.sqrt(np.mean(block.astype(np.float64) ** 2)) / expected - 1) < 0.15
    assert near_harmonic(peak_hz(block), 60)
    assert near_harmonic(peak_hz(steady_block(timbre, tone_code(timbre, 72), 72)), 72)


def test_stream_queue_and_lifetime(models):
    timbre, _ = models
    stream = timbre.stream(queue_frames=3)
    assert stream.room == 3 and stream.latency == 1024
    stream.push(np.zeros((2, 4)), pitches=[60, 62])
    with pytest.raises(QueueFullError, match="room for 1 of the 2 frames") as caught:
        stream.push(np.zeros((2, 4)), pitches=60)
    assert isinstance(caught.value, queue.Full)
    assert stream.room == 1
    stream.pull(256)  # one frame
    assert stream.room == 2
    stream.reset()
    assert stream.room == 3 and not stream.pull(300).any()  # silence until a push
    out = np.empty(64, np.float32)
    stream.push(np.ones(4), pitches=64)
    stream.pull_into(out)
    stream.close()
    stream.close()
    with pytest.raises(MisuseError, match="closed"):
        stream.pull(10)


def test_stream_bad_arguments(models):
    timbre, _ = models
    with timbre.stream() as stream:
        with pytest.raises(InvalidArgumentError, match=r"shape \(frames, 4\)"):
            stream.push(np.zeros(3), pitches=60)
        with pytest.raises(InvalidArgumentError, match="conditioned on pitch"):
            stream.push(np.zeros(4))
        with pytest.raises(InvalidArgumentError, match="one per frame"):
            stream.push(np.zeros((3, 4)), pitches=[60, 61])
        with pytest.raises(InvalidArgumentError, match="pitch 0 is 200"):
            stream.push(np.zeros(4), pitches=200)
        with pytest.raises(NonFiniteError, match="frame 1"):
            stream.push(np.array([[0, 0, 0, 0], [0, np.nan, 0, 0]]), pitches=60)
        with pytest.raises(InvalidArgumentError, match="no frames"):
            stream.push(np.zeros((0, 4)), pitches=60)
        with pytest.raises(InvalidArgumentError, match="at least 1"):
            stream.pull(0)
        with pytest.raises(ArgumentTypeError):
            stream.pull(2.5)
        with pytest.raises(InvalidArgumentError, match="float32"):
            stream.pull_into(np.empty(8))
        assert stream.room == 32  # nothing refused was queued
    for frames in (0, 2 ** 21):
        with pytest.raises(InvalidArgumentError, match="queue_frames"):
            timbre.stream(queue_frames=frames)


def test_strided_integer_and_huge_arguments(models):
    """Non-contiguous, float64 and integer arrays give what a contiguous float32 copy gives;
    sizes no machine holds are refused before anything is allocated."""
    timbre, _ = models
    a, b = tone(60, 6400), tone(66, 4800)
    wide = np.zeros((6400, 2), np.float64)
    wide[:, 0] = a
    expected = timbre.audio_morph(a, b, steps=3, pitch_a=60, pitch_b=66)
    np.testing.assert_array_equal(timbre.audio_morph(wide[:, 0], b.astype(np.float64), steps=3, pitch_a=60, pitch_b=66),
                                  expected)
    whole = np.round(a * 32768).astype(np.int16)
    y = timbre.audio_morph(whole, b, steps=3, pitch_a=60, pitch_b=66)
    assert y.shape == expected.shape and np.isfinite(y).all()
    with pytest.raises(InvalidArgumentError, match="seconds"):
        timbre.audio_generate(1e300, pitch=60)
    with timbre.stream(queue_frames=4) as stream:
        codes = np.zeros((2, 8), np.float32)
        stream.push(codes[:, ::2], pitches=np.array([60.0, 61.0])[::1])  # a strided view of (2, 4)
        assert stream.room == 2
        with pytest.raises(autoencoder.OutOfMemoryError):
            stream.pull(2 ** 40)
        with pytest.raises(InvalidArgumentError, match="C-contiguous"):
            stream.pull_into(np.zeros(16, np.float32)[::2])

