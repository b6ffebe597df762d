"""One exception hierarchy: each status raises one class, which is also the matching builtin, and
the same mistake raises the same class in every call, whether the binding or the library catches it."""
import errno

import h5py
import numpy as np
import pytest

import autoencoder
from autoencoder import (ArgumentTypeError, AutoencoderError, FormatError, InternalError, InvalidArgumentError,
                         LibraryError, MisuseError, ModelFileError, ModelIOError, ModelNotFoundError, NonFiniteError,
                         OutOfMemoryError, QueueFullError, Status, UnsupportedError, UnverifiedError, VersionError)
from autoencoder._errors import error_for

from ae_tool import ae

# The README's table: status -> (class, the builtins it also is).
TABLE = {
    Status.INVALID_ARGUMENT: (InvalidArgumentError, (ValueError,)),
    Status.IO: (ModelIOError, (OSError,)),
    Status.FORMAT: (FormatError, ()),
    Status.VERSION: (VersionError, ()),
    Status.DIMENSION: (InvalidArgumentError, (ValueError,)),
    Status.NON_FINITE: (NonFiniteError, (ValueError,)),
    Status.OVERFLOW: (OutOfMemoryError, (MemoryError,)),
    Status.OUT_OF_MEMORY: (OutOfMemoryError, (MemoryError,)),
    Status.UNSUPPORTED: (UnsupportedError, (TypeError,)),
    Status.WORKSPACE: (MisuseError, (ValueError,)),
    Status.MISUSE: (MisuseError, (ValueError,)),
    Status.UNVERIFIED: (UnverifiedError, ()),
    Status.QUEUE_FULL: (QueueFullError, ()),  # and queue.Full
    Status.INTERNAL: (InternalError, (RuntimeError,)),
}
BUILTINS = (ValueError, TypeError, OSError, MemoryError, RuntimeError, ImportError)


def test_every_status_has_its_class_and_builtin():
    assert set(TABLE) == set(Status) - {Status.OK}
    for status, (kind, builtins) in TABLE.items():
        error = error_for(status, "what failed", "status text")
        assert type(error) is kind, status
        assert isinstance(error, AutoencoderError) and error.status is status and error.message == "what failed"
        assert str(error) == f"what failed (status text, status {int(status)})"
        assert {b for b in BUILTINS if isinstance(error, b)} == set(builtins), status
    for kind in (ModelIOError, FormatError, VersionError, UnverifiedError):
        assert issubclass(kind, ModelFileError)
    assert issubclass(NonFiniteError, InvalidArgumentError) and issubclass(ModelNotFoundError, FileNotFoundError)
    assert issubclass(ArgumentTypeError, TypeError) and not issubclass(ArgumentTypeError, ValueError)
    assert issubclass(LibraryError, ImportError) and issubclass(LibraryError, AutoencoderError)
    assert not issubclass(AutoencoderError, RuntimeError)  # so `except RuntimeError` does not catch bad arguments
    newer = error_for(77, "newer", "unknown status")
    assert type(newer) is AutoencoderError and newer.status == 77


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("errors")
    rng = np.random.default_rng(11)
    x = rng.random((90, 12)).astype(np.float32)
    np.save(folder / "x.npy", x)
    header = ",".join([f"f{j}" for j in range(12)] + ["label"])
    np.savetxt(folder / "x.csv", np.column_stack([x, np.arange(90) % 3]), delimiter=",", header=header, comments="",
               fmt="%g")
    common = ["--loss", "mse", "--epochs", "1", "--quiet"]
    ae("train", "--layers", "8,3", *common, "--data", folder / "x.npy", "--out", folder / "dense.h5")
    ae("train", "--model", "vae", "--layers", "8,3", *common, "--data", folder / "x.npy", "--out", folder / "vae.h5")
    ae("train", "--model", "cvae", "--layers", "8,2", *common, "--data", folder / "x.csv", "--label-column", "label",
       "--out", folder / "cvae.h5")
    return folder, x


def data_calls(model, x, z):
    """Every public call that takes data, with arguments that work."""
    return {
        "encode": lambda x=x: model.encode(x),
        "decode": lambda z=z: model.decode(z),
        "reconstruct": lambda x=x: model.reconstruct(x),
        "score": lambda x=x: model.score(x),
        "encode_distribution": lambda x=x: model.encode_distribution(x),
        "interpolate": lambda z=z: model.interpolate(z[0], z[1], steps=3),
    }


def test_a_closed_model_raises_misuse_in_every_call(models):
    folder, x = models
    model = autoencoder.Model(folder / "vae.h5")
    z = model.encode(x[:2])
    model.close()
    calls = data_calls(model, x[:2], z)
    calls["sample"] = lambda: model.sample(2, seed=1)
    calls["scaling"] = lambda: model.scaling
    for name, call in calls.items():
        with pytest.raises(MisuseError, match="closed") as caught:
            call()
        assert isinstance(caught.value, ValueError) and caught.value.status is Status.MISUSE, name
    assert model.closed and model.kind == "vae"  # what was read at opening stays readable
    model.close()  # twice is fine


def test_the_same_data_mistake_raises_the_same_class_in_every_call(models):
    folder, x = models
    with autoencoder.Model(folder / "vae.h5") as model:
        z = model.encode(x[:2])
        good = data_calls(model, x[:2], z)
        for name in good:
            good[name]()  # all of them work as given
        width = {"decode": 3, "interpolate": 3}
        for name, call in data_calls(model, x[:2], z).items():
            argument = z if name in width else x[:2]
            # A wrong width: checked by the binding.
            with pytest.raises(InvalidArgumentError, match="values; the model expects"):
                call(argument[:, :-1])
            # NaN: caught by the library. Used to be AutoencoderError (a RuntimeError) here...
            nan = argument.copy()
            nan[1, 1] = np.nan
            with pytest.raises(NonFiniteError, match="column 1") as caught:
                call(nan)
            assert caught.value.status is Status.NON_FINITE and isinstance(caught.value, ValueError), name
            # ...while a float64 beyond float32's range, caught by the binding, was a plain ValueError.
            huge = argument.astype(np.float64)
            huge[1, 1] = 1e300
            with pytest.raises(NonFiniteError, match="beyond float32's range") as caught:
                call(huge)
            assert caught.value.status is Status.NON_FINITE, name
            # Types that would be cast lossily.
            for bad in (argument.astype(np.complex64), argument > 0.5, argument.astype(str)):
                with pytest.raises(ArgumentTypeError) as caught:
                    call(bad)
                assert isinstance(caught.value, TypeError) and caught.value.status is Status.INVALID_ARGUMENT, name
            with pytest.raises(InvalidArgumentError):
                call([[1.0, 2.0], [3.0]])  # ragged: numpy's own ValueError, as ours


def test_calls_a_kind_of_model_cannot_do_raise_unsupported(models):
    folder, x = models
    with autoencoder.Model(folder / "dense.h5") as dense, autoencoder.Model(folder / "cvae.h5") as cvae:
        refused = {
            "sample from a plain autoencoder": lambda: dense.sample(2, seed=1),
            "sample a class from a model without classes": lambda: dense.sample(2, seed=1, label=0),
            "posterior of a plain autoencoder": lambda: dense.encode_distribution(x[:2]),
            "labels for a model without classes": lambda: dense.encode(x[:2], labels=[0, 1]),
            "a conditional model without labels": lambda: cvae.encode(x[:2]),
            "a conditional model's posterior without labels": lambda: cvae.encode_distribution(x[:2]),
            "a conditional model's path without a label": lambda: cvae.interpolate(np.zeros(2), np.ones(2)),
            "conditions for a model without them": lambda: dense.encode(x[:2], conditions=[1.0]),
        }
        for what, call in refused.items():
            with pytest.raises(UnsupportedError) as caught:
                call()
            assert isinstance(caught.value, TypeError) and caught.value.status is Status.UNSUPPORTED, what


def test_arguments_of_the_wrong_type_or_value(models):
    folder, x = models
    with autoencoder.Model(folder / "vae.h5") as vae, autoencoder.Model(folder / "cvae.h5") as cvae:
        wrong_type = {
            "n=2.5": lambda: vae.sample(2.5),
            "seed=1.5": lambda: vae.sample(2, seed=1.5),
            "temperature='hot'": lambda: vae.sample(2, temperature="hot"),  # used to be ctypes.ArgumentError
            "flat='yes'": lambda: vae.sample(2, flat="yes"),
            "label=1.5": lambda: cvae.sample(2, label=1.5),
            "steps=2.5": lambda: vae.interpolate(np.zeros(3), np.ones(3), steps=2.5),
            "spherical='no'": lambda: vae.interpolate(np.zeros(3), np.ones(3), spherical="no"),
            "labels=[True, False]": lambda: cvae.encode(x[:2], labels=[True, False]),
            "Model(3)": lambda: autoencoder.Model(3),
            "Model(data='x')": lambda: autoencoder.Model(data="model.h5"),
            "verify='no'": lambda: autoencoder.Model(folder / "vae.h5", verify="no"),
            "threads=1.5": lambda: autoencoder.Model(folder / "vae.h5", threads=1.5),
            "conditions='a'": lambda: cvae.encode(x[:2], conditions=["a", "b", "c"]),
        }
        for what, call in wrong_type.items():
            with pytest.raises(ArgumentTypeError) as caught:
                call()
            assert isinstance(caught.value, TypeError), what
        wrong_value = {
            "n=0": lambda: vae.sample(0),
            "seed=-1": lambda: vae.sample(2, seed=-1),
            "temperature=-1 (the library)": lambda: vae.sample(2, temperature=-1.0),
            "label=3 of 3 classes": lambda: cvae.sample(2, label=3),
            "labels=[3, 0] (the library)": lambda: cvae.encode(x[:2], labels=[3, 0]),
            "labels=[0.5, 1]": lambda: cvae.encode(x[:2], labels=[0.5, 1]),
            "steps=1": lambda: vae.interpolate(np.zeros(3), np.ones(3), steps=1),
            "two codes as a": lambda: vae.interpolate(np.zeros((2, 3)), np.ones(3)),
            "no rows": lambda: vae.encode(np.zeros((0, 12))),
            "a NUL in the path": lambda: autoencoder.Model(str(folder / "vae.h5") + "\0"),
            "neither path nor data": lambda: autoencoder.Model(),
            "threads=0": lambda: autoencoder.Model(folder / "vae.h5", threads=0),
            "conditions of the wrong width": lambda: cvae.encode(x[:2], conditions=np.ones((2, 2))),
            "labels and conditions": lambda: cvae.encode(x[:2], labels=[0, 1], conditions=np.eye(3)[:2]),
        }
        for what, call in wrong_value.items():
            with pytest.raises(InvalidArgumentError) as caught:
                call()
            assert isinstance(caught.value, ValueError) and caught.value.status is Status.INVALID_ARGUMENT, what


def test_outputs_too_large_raise_memory_error(models):
    folder, _ = models
    with autoencoder.Model(folder / "vae.h5") as model:
        # More than the machine's memory: refused before numpy allocates (and overcommit lets it).
        with pytest.raises(OutOfMemoryError, match="more than this machine's") as caught:
            model.sample(2 ** 40)
        assert isinstance(caught.value, MemoryError) and caught.value.status is Status.OUT_OF_MEMORY
        # Not even countable in a size_t.
        for call in (lambda: model.sample(2 ** 62), lambda: model.interpolate(np.zeros(3), np.ones(3), steps=2 ** 64)):
            with pytest.raises(OutOfMemoryError, match="more than a size_t counts") as caught:
                call()
            assert caught.value.status is Status.OVERFLOW


def test_model_files_raise_by_what_is_wrong(models, tmp_path):
    folder, _ = models
    missing = tmp_path / "missing.h5"
    with pytest.raises(FileNotFoundError) as caught:
        autoencoder.Model(missing)
    error = caught.value
    assert type(error) is ModelNotFoundError and error.status is Status.IO
    assert error.errno == errno.ENOENT and error.filename == str(missing) and "missing.h5" in str(error)
    assert not str(error).startswith("[Errno")
    with pytest.raises(ModelIOError) as caught:
        autoencoder.Model(tmp_path)  # a directory: there, but not readable as a file
    assert not isinstance(caught.value, FileNotFoundError) and isinstance(caught.value, OSError)
    (tmp_path / "text.h5").write_text("not a model")
    raw = (folder / "dense.h5").read_bytes()
    for call in (lambda: autoencoder.Model(tmp_path / "text.h5"), lambda: autoencoder.Model(data=b""),
                 lambda: autoencoder.Model(data=raw[: len(raw) // 2])):
        with pytest.raises(FormatError) as caught:
            call()
        assert caught.value.status is Status.FORMAT and isinstance(caught.value, ModelFileError)
    with h5py.File(folder / "dense.h5", "r") as original, h5py.File(tmp_path / "h5py.h5", "w") as copy:
        for name, value in original.attrs.items():
            copy.attrs[name] = value
        for name in original:
            original.copy(original[name], copy, name=name)
    with pytest.raises(UnverifiedError) as caught:
        autoencoder.Model(tmp_path / "h5py.h5")
    assert isinstance(caught.value, ModelFileError)
    with autoencoder.Model(tmp_path / "h5py.h5", verify=False) as model:
        assert model.kind == "dense"
