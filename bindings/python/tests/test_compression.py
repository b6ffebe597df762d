"""Model.compress and Model.decompress: the bytes `ae compress` writes, the rows `ae decompress`
gives, the quantization's error bound, and damaged or foreign data refused with an exception."""
import numpy as np
import pytest

import autoencoder
from autoencoder._errors import FormatError

from ae_tool import ae


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compression")
    rng = np.random.default_rng(5)
    x = rng.integers(0, 256, size=(120, 64)).astype(np.uint8)
    np.save(folder / "x.npy", x)
    for name, seed in (("model", 1), ("other", 2)):
        ae("train", "--layers", "32,6", "--epochs", "3", "--seed", seed, "--data", folder / "x.npy",
           "--out", folder / f"{name}.h5", "--quiet")
    return folder, x.astype(np.float32)


def test_the_bytes_are_the_cli_file(trained):
    folder, x = trained
    ae("compress", folder / "model.h5", "--data", folder / "x.npy", "--bits", "5", "--out", folder / "codes.bin")
    ae("decompress", folder / "model.h5", "--in", folder / "codes.bin", "--out", folder / "rows.npy")
    with autoencoder.Model(folder / "model.h5") as model:
        data = model.compress(x, bits=5)
        assert data == (folder / "codes.bin").read_bytes()
        np.testing.assert_allclose(model.decompress(data), np.load(folder / "rows.npy"), rtol=1e-5, atol=1e-4)


def test_codes_come_back_within_half_a_step(trained):
    folder, x = trained
    with autoencoder.Model(folder / "model.h5") as model:
        codes = model.encode(x)
        for bits in (2, 8, 16):
            data = model.compress(x, bits)
            dims = int.from_bytes(data[24:28], "little")
            scale = np.frombuffer(data, "<f4", dims, 40 + 4 * dims)
            # What the quantized codes decode to, against the float codes: within half a step each.
            decoded = model.decompress(data)
            low, high = codes.min(axis=0), codes.max(axis=0)
            np.testing.assert_allclose(scale, (high - low) / (2 ** bits - 1), rtol=1e-5)
            quantized = low + np.clip(np.rint((codes - low) / np.where(scale > 0, scale, 1)), 0, 2 ** bits - 1) * scale
            assert np.all(np.abs(quantized - codes) <= scale / 2 + 1e-5)
            np.testing.assert_allclose(decoded, model.decode(quantized.astype(np.float32)), rtol=1e-3, atol=0.05)
        assert np.abs(model.decompress(model.compress(x, 16)) - model.reconstruct(x)).max() < 0.05


def test_bad_data_and_bits_raise(trained):
    folder, x = trained
    with autoencoder.Model(folder / "model.h5") as model, autoencoder.Model(folder / "other.h5") as other:
        data = model.compress(x, 8)
        with pytest.raises(FormatError, match="another model"):
            other.decompress(data)
        with pytest.raises(FormatError, match="truncated"):
            model.decompress(data[:30])
        with pytest.raises(FormatError, match="wrong magic"):
            model.decompress(b"x" * len(data))
        damaged = bytearray(data)
        damaged[-1] ^= 0xFF
        with pytest.raises(FormatError, match="CRC-32"):
            model.decompress(damaged)
        for bits in (0, 17, 33):
            with pytest.raises(ValueError, match="bits"):
                model.compress(x, bits)
        with pytest.raises(TypeError):
            model.decompress("not bytes")
