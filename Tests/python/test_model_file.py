"""The model file is readable with h5py alone, exactly as docs/FORMAT.md documents it."""
import json
import os
import pathlib
import re
import subprocess

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
AE = os.environ.get("AE_BINARY", str(ROOT / ".build" / "release" / "ae"))


def format_snippet():
    """The Python example in docs/FORMAT.md, executed into a namespace."""
    text = (ROOT / "docs" / "FORMAT.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    namespace = {}
    exec(compile(code, "docs/FORMAT.md", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    rng = np.random.default_rng(0)
    x = (rng.random((300, 40)) * 10 - 3).astype(np.float32)
    data = folder / "x.npy"
    np.save(data, x)
    model = folder / "model.h5"
    subprocess.run([AE, "train", "--layers", "16,4", "--activation", "tanh", "--loss", "mse",
                    "--scale", "standard", "--epochs", "3", "--data", str(data), "--out", str(model), "--quiet"],
                   check=True)
    return folder, x, model


def run_ae(*args):
    subprocess.run([AE, *map(str, args)], check=True, capture_output=True)


def test_documented_names_and_attributes(trained):
    _, x, model = trained
    with h5py.File(model, "r") as f:
        assert f.attrs["format"] == "autoencoder"
        assert f.attrs["format_version"] == 2
        assert f.attrs["kind"] == "dense"
        spec = json.loads(f.attrs["spec"])
        assert spec["inputWidth"] == 40
        assert [layer["units"] for layer in spec["encoder"]] == [16, 4]
        assert [layer["units"] for layer in spec["decoder"]] == [16, 40]
        assert f["encoder/00_dense/kernel"].shape == (40, 16)
        assert f["encoder/00_dense/kernel"].dtype == np.float32
        assert f["encoder/01_dense/bias"].shape == (4,)
        assert f["decoder/01_dense/kernel"].shape == (16, 40)
        assert f["decoder/01_dense"].attrs["activation"] == "linear"
        assert f["encoder/00_dense"].attrs["activation"] == "tanh"
        assert f["preprocessing"].attrs["method"] == "standard"
        np.testing.assert_allclose(f["preprocessing/offset"][...], x.mean(axis=0), rtol=1e-4, atol=1e-4)
        assert f["history/loss"].shape == (3,)
        assert f["history/val_loss"].shape == (3,)


def test_the_documented_numpy_forward_pass_matches_the_tool(trained):
    folder, x, model = trained
    snippet = format_snippet()
    run_ae("encode", model, "--data", folder / "x.npy", "--out", folder / "z.npy")
    run_ae("reconstruct", model, "--data", folder / "x.npy", "--out", folder / "y.npy")
    np.testing.assert_allclose(snippet["encode"](model, x), np.load(folder / "z.npy"), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(snippet["reconstruct"](model, x), np.load(folder / "y.npy"), rtol=1e-4, atol=1e-4)


def test_a_bce_model_with_sigmoid_output(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, size=(100, 36), dtype=np.uint8)
    np.save(tmp_path / "bytes.npy", x)
    run_ae("train", "--layers", "8", "--epochs", "2", "--data", tmp_path / "bytes.npy", "--out", tmp_path / "m.h5", "--quiet")
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert f["decoder/00_dense"].attrs["activation"] == "sigmoid"
        np.testing.assert_allclose(f["preprocessing/scale"][...], 1 / 255)
    run_ae("reconstruct", tmp_path / "m.h5", "--data", tmp_path / "bytes.npy", "--out", tmp_path / "y.npy")
    expected = format_snippet()["reconstruct"](tmp_path / "m.h5", x)
    np.testing.assert_allclose(expected, np.load(tmp_path / "y.npy"), rtol=1e-4, atol=1e-3)


def test_the_documented_forward_pass_runs_convolutional_models(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.integers(0, 256, size=(64, 8 * 8 * 2), dtype=np.uint8)
    np.save(tmp_path / "images.npy", x)
    model = tmp_path / "conv.h5"
    run_ae("train", "--arch", "conv3s2,conv4k2,dense5", "--image-shape", "8x8x2", "--epochs", "2",
           "--data", tmp_path / "images.npy", "--out", model, "--quiet")
    with h5py.File(model, "r") as f:
        assert f["encoder/00_conv2d/kernel"].shape == (3, 3, 2, 3)
        assert f["encoder/01_conv2d/kernel"].shape == (2, 2, 3, 4)
        assert f["decoder/02_conv2d_transpose/kernel"].shape == (3, 3, 2, 3)
        assert f["encoder/00_conv2d"].attrs["stride"] == 2 and f["encoder/00_conv2d"].attrs["padding"] == 1
        spec = json.loads(f.attrs["spec"])
        assert spec["decoder"][-1]["outputShape"] == [8, 8, 2]
    snippet = format_snippet()
    run_ae("reconstruct", model, "--data", tmp_path / "images.npy", "--out", tmp_path / "y.npy")
    np.testing.assert_allclose(snippet["reconstruct"](model, x), np.load(tmp_path / "y.npy"), rtol=1e-4, atol=1e-3)


def test_the_documented_forward_pass_runs_rectangular_and_temporal_convolutions(tmp_path):
    """Format 2's layers: a rectangular kernel and stride ("HxW" attributes, pairs in the
    spec), and convolutions over time (conv1d kernels (k, in, out))."""
    rng = np.random.default_rng(3)
    x = rng.random((64, 6 * 10 * 2), dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    snippet = format_snippet()
    cases = [("rect.h5", ["--arch", "conv3k3x5s2x1,dense4", "--image-shape", "6x10x2"]),
             ("time.h5", ["--arch", "conv4k5s2,conv3k3s2,dense4", "--frames", "60x2"])]
    for name, options in cases:
        model = tmp_path / name
        run_ae("train", *options, "--epochs", "2", "--data", tmp_path / "x.npy", "--out", model, "--quiet")
        with h5py.File(model, "r") as f:
            assert f.attrs["format_version"] == 2
            if name == "rect.h5":
                assert f["encoder/00_conv2d/kernel"].shape == (3, 5, 2, 3)
                assert f["encoder/00_conv2d"].attrs["kernel_size"] == "3x5"
                assert f["encoder/00_conv2d"].attrs["stride"] == "2x1"
            else:
                assert f["encoder/00_conv1d/kernel"].shape == (5, 2, 4)
                assert f["encoder/00_conv1d"].attrs["stride"] == 2
                assert json.loads(f.attrs["spec"])["encoder"][0]["inputShape"] == [60, 2]
        run_ae("reconstruct", model, "--data", tmp_path / "x.npy", "--out", tmp_path / "y.npy")
        np.testing.assert_allclose(snippet["reconstruct"](model, x), np.load(tmp_path / "y.npy"), rtol=1e-4, atol=1e-4)
