"""`ae export --onnx`: the encoder, decoder and whole-model graphs, run in onnxruntime, give what
the library gives (Model.encode, decode, reconstruct) to within 1e-5 of the values' scale, for
dense, convolutional (2-D with odd sizes and strides, 1-D over frames), variational and
conditional models; the graphs pass onnx's full checker; what cannot be exported is refused."""
import os
import pathlib
import subprocess

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import autoencoder

ROOT = pathlib.Path(__file__).resolve().parents[2]
AE = os.environ.get("AE_BINARY", str(ROOT / ".build" / "release" / "ae"))


def ae(*args):
    run = subprocess.run([AE, *map(str, args)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run


def blobs(rows, side, seed):
    """Rows of side x side images of one soft blob each, in [0, 1]."""
    rng = np.random.default_rng(seed)
    grid = np.arange(side, dtype=np.float32)
    cy, cx = rng.uniform(2, side - 2, (2, rows, 1, 1)).astype(np.float32)
    images = np.exp(-((grid[None, :, None] - cy) ** 2 + (grid[None, None, :] - cx) ** 2) / 6)
    return images.reshape(rows, side * side).astype(np.float32)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("onnx")
    np.save(folder / "images.npy", blobs(300, 14, 1))
    rng = np.random.default_rng(2)
    labels = np.arange(300) % 3
    table = rng.normal(size=(300, 12)).astype(np.float32) * 4 + labels[:, None] + 7
    header = ",".join([f"f{i}" for i in range(12)] + ["label"])
    np.savetxt(folder / "rows.csv", np.column_stack([table, labels]), delimiter=",", header=header, comments="", fmt="%g")
    np.save(folder / "frames.npy", rng.normal(size=(300, 48)).astype(np.float32))  # 16 frames x 3 channels
    return folder


MODELS = {
    # name: (ae train arguments, data)
    "dense": (["--layers", "32,6"], "images.npy"),
    "conv": (["--arch", "conv8s2,conv16k5s2,dense6", "--image-shape", "14x14x1", "--activation", "leaky_relu",
              "--loss", "mse", "--scale", "standard"], "images.npy"),
    "vae": (["--model", "vae", "--layers", "24,3", "--activation", "tanh", "--loss", "mse", "--scale", "standard"],
            "rows.csv"),
    "cvae": (["--model", "cvae", "--layers", "16,2", "--label-column", "label", "--loss", "mse", "--scale", "standard"],
             "rows.csv"),
    "frames": (["--arch", "conv4k3s2,dense4", "--frames", "16x3", "--loss", "mse", "--scale", "standard"], "frames.npy"),
}


def close(got, expected):
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    assert got.shape == expected.shape
    worst = np.max(np.abs(got - expected) / np.maximum(1, np.abs(expected)))
    assert worst <= 1e-5, worst


@pytest.mark.parametrize("name", sorted(MODELS))
def test_graphs_compute_what_the_library_computes(folder, name):
    arguments, data = MODELS[name]
    model_path, onnx_path = folder / f"{name}.h5", folder / f"{name}.onnx"
    if data.endswith(".csv") and "--label-column" not in arguments:
        arguments = arguments + ["--label-column", "label"]  # the class column is not a feature
    ae("train", *arguments, "--data", folder / data, "--epochs", 3, "--out", model_path, "--quiet")
    ae("export", model_path, "--onnx", onnx_path)
    paths = {part: folder / f"{name}{suffix}.onnx" for part, suffix in
             [("autoencoder", ""), ("encoder", ".encoder"), ("decoder", ".decoder")]}
    for path in paths.values():
        onnx.checker.check_model(onnx.load(path), full_check=True)
    sessions = {part: ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]) for part, path in paths.items()}

    with autoencoder.Model(model_path) as model:
        if data.endswith(".csv"):
            x = np.loadtxt(folder / data, delimiter=",", skiprows=1, dtype=np.float32)[:, :12]
        else:
            x = np.load(folder / data)
        x = x[:37]  # an odd number of rows
        feeds, extra = {"x": x}, {}
        if model.condition_width:
            labels = np.arange(len(x)) % model.classes
            one_hot = np.eye(model.condition_width, dtype=np.float32)[labels]
            feeds["condition"], extra = one_hot, {"condition": one_hot}
            codes, reconstructions = model.encode(x, labels), model.reconstruct(x, labels)
            decoded = model.decode(codes, labels, flat=True)
        else:
            codes, reconstructions = model.encode(x), model.reconstruct(x).reshape(len(x), -1)
            decoded = model.decode(codes, flat=True)
        encoded = sessions["encoder"].run(None, feeds)
        close(encoded[0], codes)
        if model.kind in ("vae", "cvae"):
            mean, log_variance = (model.encode_distribution(x, labels) if model.condition_width
                                  else model.encode_distribution(x))
            assert [o.name for o in sessions["encoder"].get_outputs()] == ["code", "log_variance"]
            close(encoded[1], log_variance)
        close(sessions["decoder"].run(None, {"code": codes, **extra})[0], decoded)
        close(sessions["autoencoder"].run(None, feeds)[0], reconstructions)


def test_what_cannot_be_exported_is_refused(folder, tmp_path):
    table = tmp_path / "table.csv"
    table.write_text("kind,amount\n" + "".join(f"{'ab'[i % 2]},{i % 7}.5\n" for i in range(60)))
    ae("augment", "fit", table, "--out", tmp_path / "synth.h5", "--epochs", 2, "--quiet")
    ae("train", "--layers", "8,2", "--data", folder / "images.npy", "--epochs", 1, "--out", tmp_path / "m.h5", "--quiet")
    cases = [
        ([tmp_path / "synth.h5", "--onnx", tmp_path / "t.onnx"], "table model"),
        ([tmp_path / "m.h5", "--onnx", tmp_path / "m.onnx", "--precision", "int8"], "--precision int8"),
        ([tmp_path / "m.h5", "--onnx", tmp_path / "m.txt"], "'.txt' is not a suffix"),
        ([tmp_path / "missing.h5", "--onnx", tmp_path / "x.onnx"], "missing.h5"),
    ]
    for arguments, message in cases:
        run = subprocess.run([AE, "export", *map(str, arguments)], capture_output=True, text=True)
        assert run.returncode != 0 and message in run.stderr, (arguments, run.stderr)
    assert not list(tmp_path.glob("*.onnx"))
    # A model file whose name is one of the outputs' is not overwritten.
    named = tmp_path / "n.encoder.onnx"
    named.write_bytes((tmp_path / "m.h5").read_bytes())
    run = subprocess.run([AE, "export", str(named), "--onnx", str(tmp_path / "n.onnx")], capture_output=True, text=True)
    assert run.returncode != 0 and "is the input file" in run.stderr
    assert named.read_bytes() == (tmp_path / "m.h5").read_bytes() and not (tmp_path / "n.onnx").exists()
