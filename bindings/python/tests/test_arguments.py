"""Arguments the binding cannot hand to C faithfully raise a clear error instead of being cast."""
import array
import os
import pathlib

import numpy as np
import pytest

import autoencoder
from autoencoder import AutoencoderError, MisuseError, Status, UnverifiedError
from autoencoder.model import _check

from ae_tool import ae


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A dense model and a conditional one (3 classes) on 12 features."""
    folder = tmp_path_factory.mktemp("arguments")
    rng = np.random.default_rng(4)
    x = rng.random((120, 12)).astype(np.float32)
    labels = np.arange(120) % 3
    np.save(folder / "x.npy", x)
    header = ",".join([f"f{j}" for j in range(12)] + ["label"])
    np.savetxt(folder / "x.csv", np.column_stack([x, labels]), delimiter=",", header=header, comments="", fmt="%g")
    ae("train", "--layers", "8,3", "--loss", "mse", "--epochs", "1", "--data", folder / "x.npy", "--out", folder / "dense.h5",
       "--quiet")
    ae("train", "--model", "cvae", "--layers", "8,2", "--loss", "mse", "--scale", "standard", "--epochs", "1",
       "--data", folder / "x.csv", "--label-column", "label", "--out", folder / "cvae.h5", "--quiet")
    return folder, x


# -- labels --------------------------------------------------------------------------------------

def test_labels_must_be_whole_numbers_within_int32(models):
    folder, x = models
    with autoencoder.Model(folder / "cvae.h5") as model:
        rows = x[:2]
        expected = model.encode(rows, labels=np.array([0, 1], np.intc))
        # Every integer type, Python ints, and floats holding whole numbers give the same codes.
        for labels in ([0, 1], np.array([0, 1], np.uint8), np.array([0, 1], np.int64), np.array([0, 1], np.uint64),
                       np.array([0.0, 1.0]), np.array([0, 1], dtype=object)):
            assert np.array_equal(model.encode(rows, labels=labels), expected), repr(labels)
        # Fractions used to be truncated to [0, 1]; values past 2**32 used to wrap to [0, 1].
        with pytest.raises(ValueError, match="whole numbers; label 0 is 0.7"):
            model.encode(rows, labels=[0.7, 1.9])
        with pytest.raises(ValueError, match="label 1 is nan"):
            model.encode(rows, labels=[1.0, np.nan])
        for big in ([2 ** 32, 2 ** 32 + 1], np.array([2 ** 32, 2 ** 32 + 1]), np.array([2 ** 63, 1], np.uint64),
                    [1, 2 ** 70], [-2 ** 31 - 1, 0], [1.0, 1e10]):
            with pytest.raises(ValueError, match="outside the range of a C int"):
                model.encode(rows, labels=big)
        # In int32 but not a class: the library says so.
        with pytest.raises(AutoencoderError, match="label -1 of row 0 is outside 0..<3") as caught:
            model.encode(rows, labels=[-1, 0])
        assert caught.value.status == Status.INVALID_ARGUMENT


def test_labels_of_other_types_or_counts_are_refused(models):
    folder, x = models
    with autoencoder.Model(folder / "cvae.h5") as model:
        rows = x[:2]
        with pytest.raises(TypeError, match="booleans"):
            model.encode(rows, labels=np.array([True, False]))
        with pytest.raises(TypeError, match="booleans"):
            model.encode(rows, labels=[True, False])
        with pytest.raises(TypeError, match="complex"):
            model.encode(rows, labels=[1 + 0j, 2 + 0j])
        with pytest.raises(TypeError, match="<U"):
            model.encode(rows, labels=["1", "2"])
        with pytest.raises(TypeError, match="label 1 is None"):
            model.encode(rows, labels=[1, None])
        with pytest.raises(TypeError, match="label 0 is True"):
            model.encode(rows, labels=np.array([True, 2], dtype=object))
        with pytest.raises(ValueError, match="one class per row: 2 rows, labels of shape \\(3,\\)"):
            model.encode(rows, labels=[0, 1, 2])
        with pytest.raises(ValueError, match="one class per row: 2 rows, labels of shape \\(2, 1\\)"):
            model.encode(rows, labels=[[0], [1]])
        # One row takes a scalar label.
        assert np.array_equal(model.encode(x[0], labels=2), model.encode(x[:1], labels=[2])[0])


# -- data ----------------------------------------------------------------------------------------

def test_inputs_convert_from_real_numbers_only(models):
    folder, x = models
    with autoencoder.Model(folder / "dense.h5") as model:
        whole = np.round(x * 100)
        expected = model.encode(whole.astype(np.float32))
        for converted in (whole.astype(np.int64), whole.astype(np.uint8), whole.astype(np.float64), whole.tolist()):
            assert np.array_equal(model.encode(converted), expected)
        # Complex input used to lose its imaginary part silently.
        for name, call in (("x", model.encode), ("z", model.decode), ("x", model.score)):
            width = model.latent_dim if name == "z" else model.input_dim
            with pytest.raises(TypeError, match=f"{name} is complex"):
                call(np.ones((2, width), np.complex64))
        with pytest.raises(TypeError, match="a is complex"):
            model.interpolate(np.ones(3, complex), np.ones(3))
        for bad in (x > 0.5, x.astype(object), x.astype(str), x.astype("m8[s]"), [[1, "a"] * 6]):
            with pytest.raises(TypeError, match="must hold real numbers"):
                model.encode(bad)
        # float64 beyond float32's range would become infinity (then be reported as non-finite).
        huge = x.astype(np.float64)
        huge[1, 5] = 1e300
        with pytest.raises(ValueError, match="1e\\+300 at row 1, column 5: beyond float32's range"):
            model.encode(huge)


def test_integer_arguments(models):
    folder, x = models
    with autoencoder.Model(folder / "dense.h5") as model:
        with pytest.raises(TypeError, match="steps must be an integer"):
            model.interpolate(np.zeros(3), np.ones(3), steps=2.5)
        with pytest.raises(ValueError, match="steps must be at least 2"):
            model.interpolate(np.zeros(3), np.ones(3), steps=1)
        assert model.interpolate(np.zeros(3), np.ones(3), steps=np.int64(3)).shape == (3, 12)
    with autoencoder.Model(folder / "cvae.h5") as model:
        with pytest.raises(TypeError, match="n must be an integer"):
            model.sample(2.5, label=0)
        with pytest.raises(TypeError, match="label must be an integer"):
            model.sample(2, label=1.5)
        assert np.array_equal(model.sample(2, seed=3, label=np.int8(1)), model.sample(2, seed=3, label=1))


# -- opening -------------------------------------------------------------------------------------

def test_paths_with_a_nul_byte_are_refused(models, tmp_path):
    folder, _ = models
    path = folder / "dense.h5"
    # C would stop at the NUL and open dense.h5, not the file named.
    for bad in (str(path) + "\0.backup", os.fsencode(path) + b"\0"):
        with pytest.raises(ValueError, match="NUL byte"):
            autoencoder.Model(bad)
    with pytest.raises(TypeError, match="a model's bytes go in data="):
        autoencoder.Model(bytearray(os.fsencode(path)))
    with pytest.raises(TypeError, match="path must be a str, bytes or os.PathLike, got int"):
        autoencoder.Model(3)
    with pytest.raises(ValueError, match="NUL byte"):
        autoencoder.Model(path.read_bytes())  # a model's bytes passed as the path
    for good in (path, str(path), os.fsencode(path)):
        with autoencoder.Model(good) as model:
            assert model.kind == "dense"


def test_every_kind_of_buffer_opens_from_memory(models):
    folder, x = models
    raw = (folder / "dense.h5").read_bytes()
    with autoencoder.Model(folder / "dense.h5") as model:
        expected = model.encode(x)
    doubled = bytes(b for byte in raw for b in (byte, 0))
    buffers = {
        "bytes": raw,
        "bytearray": bytearray(raw),
        "memoryview": memoryview(raw),
        "writable memoryview": memoryview(bytearray(raw)),
        "memoryview slice": memoryview(b"xyz" + raw)[3:],
        "strided memoryview (copied)": memoryview(doubled)[::2],
        "numpy uint8": np.frombuffer(raw, np.uint8),
        "array.array": array.array("B", raw),
    }
    assert not buffers["strided memoryview (copied)"].c_contiguous
    for name, buffer in buffers.items():
        with autoencoder.Model(data=buffer) as model:
            assert np.array_equal(model.encode(x), expected), name
    with pytest.raises(TypeError, match="got str"):
        autoencoder.Model(data="model.h5")
    with pytest.raises(TypeError, match="got int"):
        autoencoder.Model(data=5)
    with pytest.raises(ValueError, match="either a path or data"):
        autoencoder.Model()
    with pytest.raises(AutoencoderError, match="too short") as caught:
        autoencoder.Model(data=b"")
    assert caught.value.status == Status.FORMAT
    with pytest.raises(AutoencoderError) as caught:
        autoencoder.Model(data=raw[: len(raw) // 2])
    assert caught.value.status == Status.FORMAT
    with pytest.raises(TypeError, match="verify must be True or False"):
        autoencoder.Model(folder / "dense.h5", verify="no")


def test_statuses_and_error_classes():
    assert (Status.MISUSE, Status.UNVERIFIED, Status.INTERNAL) == (11, 12, 99)
    assert issubclass(UnverifiedError, AutoencoderError) and issubclass(MisuseError, AutoencoderError)
    for status, kind in ((Status.UNVERIFIED, UnverifiedError), (Status.MISUSE, MisuseError),
                         (Status.IO, autoencoder.ModelIOError)):
        with pytest.raises(kind) as caught:
            _check(int(status))
        assert caught.type is kind and caught.value.status is status
    with pytest.raises(AutoencoderError) as caught:
        _check(77)  # a status newer than the binding keeps its number
    assert caught.type is AutoencoderError
    assert caught.value.status == 77 and "status 77" in str(caught.value)


def test_a_missing_file_reports_io(tmp_path):
    with pytest.raises(AutoencoderError) as caught:
        autoencoder.Model(pathlib.Path(tmp_path) / "missing.h5")
    assert caught.value.status is Status.IO
