"""Model files without ae's checksum (written by h5py): refused by default, read when asked, sealed by `ae seal`."""

import h5py
import numpy as np
import pytest

import autoencoder
from autoencoder import AutoencoderError, Status, UnverifiedError

from ae_tool import run


def h5py_copy(source, target):
    """Rewrite an ae model file with h5py alone: same groups, datasets and attributes, no user block."""
    with h5py.File(source, "r") as original, h5py.File(target, "w") as copy:
        for name, value in original.attrs.items():
            copy.attrs[name] = value
        for name in original:
            original.copy(original[name], copy, name=name)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("unverified")
    rng = np.random.default_rng(8)
    x = rng.integers(0, 256, size=(150, 20)).astype(np.uint8)
    np.save(folder / "x.npy", x)
    assert run("train", "--layers", "10,3", "--epochs", "2", "--data", folder / "x.npy", "--out", folder / "ae.h5",
               "--quiet").returncode == 0
    h5py_copy(folder / "ae.h5", folder / "h5py.h5")
    return folder, x.astype(np.float32)


def test_the_h5py_file_has_no_user_block_and_the_same_model(files):
    folder, _ = files
    with h5py.File(folder / "ae.h5", "r") as f:
        assert f.userblock_size == 512
    with h5py.File(folder / "h5py.h5", "r") as f:
        assert f.userblock_size == 0 and f.attrs["format"] == "autoencoder"


def test_the_binding_refuses_it_unless_asked(files):
    folder, x = files
    with autoencoder.Model(folder / "ae.h5") as model:
        expected = model.encode(x)
    for open_default in (lambda: autoencoder.Model(folder / "h5py.h5"),
                         lambda: autoencoder.Model(data=(folder / "h5py.h5").read_bytes())):
        with pytest.raises(UnverifiedError, match="carries no checksum") as caught:
            open_default()
        assert caught.value.status is Status.UNVERIFIED
    with autoencoder.Model(folder / "h5py.h5", verify=False) as model:
        assert np.array_equal(model.encode(x), expected)
    with autoencoder.Model(data=(folder / "h5py.h5").read_bytes(), verify=False) as model:
        assert np.array_equal(model.encode(x), expected)
    # verify=False still checks a checksum that is there: a damaged ae file is refused.
    damaged = bytearray((folder / "ae.h5").read_bytes())
    damaged[-100] ^= 0xFF
    with pytest.raises(AutoencoderError, match="damaged") as caught:
        autoencoder.Model(data=damaged, verify=False)
    assert caught.value.status is Status.FORMAT


def test_ae_refuses_it_unless_asked(files):
    folder, x = files
    for command in (["inspect"], ["encode", "--data", folder / "x.npy", "--out", folder / "z.npy"],
                    ["eval", "--data", folder / "x.npy"]):
        refused = run(command[0], folder / "h5py.h5", *command[1:])
        assert refused.returncode == 1
        assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("error: "), refused.stderr
        for phrase in ("h5py.h5", "no checksum", "--unverified", "ae seal"):
            assert phrase in refused.stderr, refused.stderr
    original = run("inspect", folder / "ae.h5")
    allowed = run("inspect", "--unverified", folder / "h5py.h5")
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.splitlines()[1:] == original.stdout.splitlines()[1:]  # all but the "model:" line
    assert run("encode", "--unverified", folder / "h5py.h5", "--data", folder / "x.npy", "--out", folder / "z.npy").returncode == 0
    with autoencoder.Model(folder / "ae.h5") as model:
        assert np.array_equal(np.load(folder / "z.npy"), model.encode(x))


def test_ae_seal_makes_it_open_by_default(files, tmp_path):
    folder, x = files
    unsealed = tmp_path / "model.h5"
    unsealed.write_bytes((folder / "h5py.h5").read_bytes())
    before = unsealed.read_bytes()
    with autoencoder.Model(folder / "ae.h5") as model:
        expected = model.encode(x)

    # --out: a sealed copy, the original untouched.
    result = run("seal", unsealed, "--out", tmp_path / "copy.h5")
    assert result.returncode == 0 and "sealed" in result.stdout, result.stderr
    assert unsealed.read_bytes() == before
    with autoencoder.Model(tmp_path / "copy.h5") as model:
        assert np.array_equal(model.encode(x), expected)

    # In place (through a temporary file and a rename): the same name now opens verified.
    result = run("seal", unsealed)
    assert result.returncode == 0, result.stderr
    assert not [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name]
    with autoencoder.Model(unsealed) as model:
        assert np.array_equal(model.encode(x), expected)
    assert run("inspect", unsealed).returncode == 0
    with h5py.File(unsealed, "r") as f:
        assert f.userblock_size == 512
    again = run("seal", unsealed)
    assert again.returncode == 0 and "already sealed" in again.stdout
    assert run("inspect", "--unverified", unsealed).stdout.splitlines()[2:] == \
        run("inspect", folder / "ae.h5").stdout.splitlines()[2:]


def test_ae_seal_refuses_damaged_and_foreign_files(files, tmp_path):
    folder, _ = files
    damaged = bytearray((folder / "ae.h5").read_bytes())
    damaged[-100] ^= 0xFF
    (tmp_path / "damaged.h5").write_bytes(damaged)
    refused = run("seal", tmp_path / "damaged.h5")
    assert refused.returncode == 1 and "damaged" in refused.stderr, refused.stderr
    assert (tmp_path / "damaged.h5").read_bytes() == damaged

    with h5py.File(tmp_path / "foreign.h5", "w") as f:
        f["images"] = np.zeros((2, 2), np.float32)
    before = (tmp_path / "foreign.h5").read_bytes()
    refused = run("seal", tmp_path / "foreign.h5")
    assert refused.returncode == 1 and "not an autoencoder model file" in refused.stderr, refused.stderr
    assert (tmp_path / "foreign.h5").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged.h5", "foreign.h5"]
