"""`ae import`: Keras autoencoders, written here by h5py in the layout Keras' model.save("x.h5")
uses (docs/FORMAT.md, "Keras files"), become model files whose encode and reconstruct equal
Keras' forward pass, computed here in numpy with TensorFlow's padding rules. A Sequential dense
model, a functional model with encoder and decoder sub-models (Conv2D, Conv2DTranspose,
Reshape, Activation, LeakyReLU), and the usual Keras conv autoencoder on even images, whose
"same" padding is one-sided (also through ONNX and docs/FORMAT.md's h5py reader); each
unsupported or damaged file gets a clear error."""
import json
import os
import pathlib
import re
import subprocess

import h5py
import numpy as np
import pytest

import autoencoder

ROOT = pathlib.Path(__file__).resolve().parents[2]
AE = os.environ.get("AE_BINARY", str(ROOT / ".build" / "release" / "ae"))
RNG = np.random.default_rng(7)


def run_ae(*args):
    return subprocess.run([AE, *map(str, args)], capture_output=True, text=True)


# -- Keras' file layout ---------------------------------------------------------------------

def layer(class_name, name, inbound=None, **config):
    entry = {"class_name": class_name, "config": {"name": name, "trainable": True, "dtype": "float32", **config},
             "name": name}
    if inbound is not None:  # functional models record each layer's input
        entry["inbound_nodes"] = [[[inbound, 0, 0, {}]]] if inbound else []
    return entry


def write_keras(path, model_config, weights, variable_length_names=False):
    """weights: {top-level layer: [(weight name, array)]}, as Keras' model_weights groups."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(model_config)
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = np.array([name.encode() for name in weights])
        for top, items in weights.items():
            g = group.create_group(top)
            names = [name for name, _ in items]
            g.attrs["weight_names"] = (names if variable_length_names
                                       else np.array([n.encode() for n in names], dtype=f"S{max(1, *map(len, names))}"))
            for name, value in items:
                g.create_dataset(name, data=np.asarray(value, np.float32))


# -- Keras' forward pass in numpy -----------------------------------------------------------

ACTIVATIONS = {"linear": lambda z: z, "relu": lambda z: np.maximum(z, 0), "tanh": np.tanh,
               "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "leaky": lambda z: np.where(z > 0, z, 0.01 * z)}


def same_padding(size, out, k, s):
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def conv2d(x, kernel, bias, stride, padding):
    """TensorFlow's conv2d, NHWC, kernel (kh, kw, in, out)."""
    n, h, w, c = x.shape
    kh, kw, _, f = kernel.shape
    if padding == "same":
        oh, ow = -(-h // stride), -(-w // stride)
        (top, bottom), (left, right) = same_padding(h, oh, kh, stride), same_padding(w, ow, kw, stride)
    else:
        oh, ow, top, bottom, left, right = (h - kh) // stride + 1, (w - kw) // stride + 1, 0, 0, 0, 0
    padded = np.zeros((n, h + top + bottom, w + left + right, c))
    padded[:, top:top + h, left:left + w] = x
    out = np.empty((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            patch = padded[:, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, i, j] = np.tensordot(patch, kernel, axes=([1, 2, 3], [0, 1, 2])) + bias
    return out


def conv2d_transpose(x, kernel, bias, stride, padding, out_size):
    """TensorFlow's conv2d_transpose (the gradient of conv2d), kernel (kh, kw, out, in)."""
    n, h, w, _ = x.shape
    kh, kw, f, _ = kernel.shape
    oh, ow = out_size
    (top, _), (left, _) = (same_padding(oh, h, kh, stride), same_padding(ow, w, kw, stride)) if padding == "same" \
        else ((0, 0), (0, 0))
    full = np.zeros((n, (h - 1) * stride + kh + oh, (w - 1) * stride + kw + ow, f))
    for i in range(h):
        for j in range(w):
            full[:, i * stride:i * stride + kh, j * stride:j * stride + kw] += np.einsum("nc,hwfc->nhwf", x[:, i, j], kernel)
    return full[:, top:top + oh, left:left + ow] + bias


# -- the models -------------------------------------------------------------------------------

def dense_model(folder):
    widths = [20, 12, 3, 12, 20]
    acts = ["relu", "linear", "relu", "sigmoid"]
    names = ["dense", "code", "dense_1", "dense_2"]
    layers = [layer("InputLayer", "input_1", batch_input_shape=[None, 20])]
    weights, params = {}, []
    for name, i, o, act in zip(names, widths, widths[1:], acts):
        kernel, bias = RNG.normal(0, 0.5, (i, o)), RNG.normal(0, 0.1, o)
        layers.append(layer("Dense", name, units=o, activation=act, use_bias=True))
        weights[name] = [(f"{name}/kernel:0", kernel), (f"{name}/bias:0", bias)]
        params.append((kernel.astype(np.float32), bias.astype(np.float32), act))
    write_keras(folder / "dense.h5", {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}},
                weights)

    def forward(x):
        h, code = x, None
        for index, (kernel, bias, act) in enumerate(params):
            h = ACTIVATIONS[act](h @ kernel + bias)
            if index == 1:
                code = h
        return code, h
    return folder / "dense.h5", 20, forward


def conv_model(folder):
    """9x9x1 images; encoder: Conv2D 4 k3 s2 same (relu), Conv2D 6 k3 valid + LeakyReLU, Flatten,
    Dense 5 + Activation tanh; decoder: Dense 54 relu, Reshape 3x3x6, Conv2DTranspose 4 k3 valid
    (relu), Conv2DTranspose 1 k3 s2 same output_padding 0 (sigmoid)."""
    w = {
        "conv2d": (RNG.normal(0, 0.4, (3, 3, 1, 4)), RNG.normal(0, 0.1, 4)),
        "conv2d_1": (RNG.normal(0, 0.3, (3, 3, 4, 6)), RNG.normal(0, 0.1, 6)),
        "dense": (RNG.normal(0, 0.3, (54, 5)), RNG.normal(0, 0.1, 5)),
        "dense_1": (RNG.normal(0, 0.3, (5, 54)), RNG.normal(0, 0.1, 54)),
        "conv2d_transpose": (RNG.normal(0, 0.3, (3, 3, 4, 6)), RNG.normal(0, 0.1, 4)),
        "conv2d_transpose_1": (RNG.normal(0, 0.3, (3, 3, 1, 4)), RNG.normal(0, 0.1, 1)),
    }
    w = {k: (a.astype(np.float32), b.astype(np.float32)) for k, (a, b) in w.items()}
    encoder = {"class_name": "Functional", "name": "encoder", "config": {"name": "encoder", "layers": [
        layer("InputLayer", "image", inbound="", batch_input_shape=[None, 9, 9, 1]),
        layer("Conv2D", "conv2d", inbound="image", filters=4, kernel_size=[3, 3], strides=[2, 2], padding="same",
              activation="relu", data_format="channels_last", dilation_rate=[1, 1], groups=1, use_bias=True),
        layer("Conv2D", "conv2d_1", inbound="conv2d", filters=6, kernel_size=[3, 3], strides=[1, 1], padding="valid",
              activation="linear", data_format="channels_last", dilation_rate=[1, 1], groups=1, use_bias=True),
        layer("LeakyReLU", "leaky_re_lu", inbound="conv2d_1", alpha=0.01),
        layer("Flatten", "flatten", inbound="leaky_re_lu"),
        layer("Dense", "dense", inbound="flatten", units=5, activation="linear", use_bias=True),
        layer("Activation", "activation", inbound="dense", activation="tanh"),
    ]}, "inbound_nodes": [[["input", 0, 0, {}]]]}
    decoder = {"class_name": "Functional", "name": "decoder", "config": {"name": "decoder", "layers": [
        layer("InputLayer", "code_in", inbound="", batch_input_shape=[None, 5]),
        layer("Dense", "dense_1", inbound="code_in", units=54, activation="relu", use_bias=True),
        layer("Reshape", "reshape", inbound="dense_1", target_shape=[3, 3, 6]),
        layer("Conv2DTranspose", "conv2d_transpose", inbound="reshape", filters=4, kernel_size=[3, 3], strides=[1, 1],
              padding="valid", output_padding=None, activation="relu", data_format="channels_last",
              dilation_rate=[1, 1], use_bias=True),
        layer("Conv2DTranspose", "conv2d_transpose_1", inbound="conv2d_transpose", filters=1, kernel_size=[3, 3],
              strides=[2, 2], padding="same", output_padding=[0, 0], activation="sigmoid",
              data_format="channels_last", dilation_rate=[1, 1], use_bias=True),
    ]}, "inbound_nodes": [[["encoder", 1, 0, {}]]]}
    config = {"class_name": "Functional", "config": {"name": "autoencoder", "layers": [
        layer("InputLayer", "input", inbound="", batch_input_shape=[None, 9, 9, 1]), encoder, decoder]}}
    weights = {"input": [],
               "encoder": [(f"{n}/{p}:0", w[n][i]) for n in ["conv2d", "conv2d_1", "dense"] for i, p in enumerate(["kernel", "bias"])],
               "decoder": [(f"{n}/{p}:0", w[n][i]) for n in ["dense_1", "conv2d_transpose", "conv2d_transpose_1"]
                           for i, p in enumerate(["kernel", "bias"])]}
    write_keras(folder / "conv.h5", config, weights, variable_length_names=True)

    def forward(x):
        h = x.reshape(-1, 9, 9, 1)
        h = ACTIVATIONS["relu"](conv2d(h, *w["conv2d"], 2, "same"))
        h = ACTIVATIONS["leaky"](conv2d(h, *w["conv2d_1"], 1, "valid"))
        code = np.tanh(h.reshape(len(x), -1) @ w["dense"][0] + w["dense"][1])
        h = ACTIVATIONS["relu"](code @ w["dense_1"][0] + w["dense_1"][1]).reshape(-1, 3, 3, 6)
        h = ACTIVATIONS["relu"](conv2d_transpose(h, *w["conv2d_transpose"], 1, "valid", (5, 5)))
        h = ACTIVATIONS["sigmoid"](conv2d_transpose(h, *w["conv2d_transpose_1"], 2, "same", (9, 9)))
        return code, h.reshape(len(x), -1)
    return folder / "conv.h5", 81, forward


def even_conv_model(folder):
    """The common Keras conv autoencoder, on 8x6x1 images, where "same" pads one side more:
    Conv2D 4 k3 s2 same (8x6 -> 4x3, pads 0/1 and 0/1), Conv2D 6 k3 s2 same (4x3 -> 2x2, pads
    0/1 and 1/1), Flatten, Dense 3 (the code); Dense 24, Reshape 2x2x6, Conv2DTranspose 4 k3 s2
    same output_padding (1, 0) (2x2 -> 4x3), Conv2DTranspose 1 k3 s2 same (4x3 -> 8x6, sigmoid)."""
    w = {
        "conv2d": (RNG.normal(0, 0.4, (3, 3, 1, 4)), RNG.normal(0, 0.1, 4)),
        "conv2d_1": (RNG.normal(0, 0.3, (3, 3, 4, 6)), RNG.normal(0, 0.1, 6)),
        "code": (RNG.normal(0, 0.3, (24, 3)), RNG.normal(0, 0.1, 3)),
        "dense": (RNG.normal(0, 0.3, (3, 24)), RNG.normal(0, 0.1, 24)),
        "conv2d_transpose": (RNG.normal(0, 0.3, (3, 3, 4, 6)), RNG.normal(0, 0.1, 4)),
        "conv2d_transpose_1": (RNG.normal(0, 0.3, (3, 3, 1, 4)), RNG.normal(0, 0.1, 1)),
    }
    w = {k: (a.astype(np.float32), b.astype(np.float32)) for k, (a, b) in w.items()}
    conv = dict(kernel_size=[3, 3], strides=[2, 2], padding="same", data_format="channels_last", use_bias=True)
    layers = [
        layer("InputLayer", "image", batch_input_shape=[None, 8, 6, 1]),
        layer("Conv2D", "conv2d", filters=4, activation="relu", **conv),
        layer("Conv2D", "conv2d_1", filters=6, activation="relu", **conv),
        layer("Flatten", "flatten"),
        layer("Dense", "code", units=3, activation="linear", use_bias=True),
        layer("Dense", "dense", units=24, activation="relu", use_bias=True),
        layer("Reshape", "reshape", target_shape=[2, 2, 6]),
        layer("Conv2DTranspose", "conv2d_transpose", filters=4, activation="relu", output_padding=[1, 0], **conv),
        layer("Conv2DTranspose", "conv2d_transpose_1", filters=1, activation="sigmoid", output_padding=None, **conv),
    ]
    weights = {n: [(f"{n}/kernel:0", w[n][0]), (f"{n}/bias:0", w[n][1])] for n in w}
    write_keras(folder / "even.h5", {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}, weights)

    def forward(x):
        h = ACTIVATIONS["relu"](conv2d(x.reshape(-1, 8, 6, 1), *w["conv2d"], 2, "same"))
        h = ACTIVATIONS["relu"](conv2d(h, *w["conv2d_1"], 2, "same"))
        code = h.reshape(len(x), -1) @ w["code"][0] + w["code"][1]
        h = ACTIVATIONS["relu"](code @ w["dense"][0] + w["dense"][1]).reshape(-1, 2, 2, 6)
        h = ACTIVATIONS["relu"](conv2d_transpose(h, *w["conv2d_transpose"], 2, "same", (4, 3)))
        h = ACTIVATIONS["sigmoid"](conv2d_transpose(h, *w["conv2d_transpose_1"], 2, "same", (8, 6)))
        return code, h.reshape(len(x), -1)
    return folder / "even.h5", 48, forward


@pytest.mark.parametrize("make", [dense_model, conv_model, even_conv_model],
                         ids=["sequential_dense", "functional_conv", "one_sided_same"])
def test_imported_models_compute_what_keras_computes(tmp_path, make):
    keras, width, forward = make(tmp_path)
    out = tmp_path / "imported.h5"
    run = run_ae("import", keras, "--out", out)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    x = RNG.random((25, width)).astype(np.float32)
    code, reconstruction = forward(x.astype(np.float64))
    with autoencoder.Model(out) as model:
        assert model.latent_dim == code.shape[1] and model.input_dim == width
        np.testing.assert_allclose(model.encode(x), code, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(model.reconstruct(x).reshape(len(x), -1), reconstruction, rtol=1e-5, atol=1e-5)
        assert model.loss == "bce"  # a sigmoid output
    assert summary["code_width"] == code.shape[1]
    assert run_ae("inspect", out).returncode == 0


def test_one_sided_padding_in_the_file_onnx_and_the_format_reader(tmp_path):
    """Keras' one-sided "same" padding is the spec's [top, left, bottom, right], which
    docs/FORMAT.md's h5py reader computes alike, and ONNX's four pads, which onnxruntime does."""
    ort = pytest.importorskip("onnxruntime")
    keras, width, forward = even_conv_model(tmp_path)
    assert run_ae("import", keras, "--out", tmp_path / "even_ours.h5").returncode == 0
    spec = json.loads(h5py.File(tmp_path / "even_ours.h5", "r").attrs["spec"])
    assert [layer.get("padding") for layer in spec["encoder"]] == [[0, 0, 1, 1], [0, 1, 1, 1], None]
    text = (ROOT / "docs" / "FORMAT.md").read_text()
    snippet = {}
    exec(compile(re.search(r"```python\n(.*?)```", text, re.S).group(1), "docs/FORMAT.md", "exec"), snippet)
    export = run_ae("export", tmp_path / "even_ours.h5", "--onnx", tmp_path / "even.onnx")
    assert export.returncode == 0, export.stderr
    x = RNG.random((9, width)).astype(np.float32)
    code, reconstruction = forward(x.astype(np.float64))
    np.testing.assert_allclose(snippet["encode"](tmp_path / "even_ours.h5", x), code, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(snippet["reconstruct"](tmp_path / "even_ours.h5", x), reconstruction, rtol=1e-4, atol=1e-5)
    session = ort.InferenceSession(str(tmp_path / "even.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got.reshape(len(x), -1), reconstruction, rtol=1e-5, atol=1e-5)


def test_unsupported_and_damaged_files_get_clear_errors(tmp_path):
    keras, _, _ = dense_model(tmp_path)
    config = json.loads(h5py.File(keras, "r").attrs["model_config"])

    def variant(name, change=None, weights=None, raw=None):
        path = tmp_path / f"{name}.h5"
        if raw is not None:
            path.write_bytes(raw)
            return path
        c = json.loads(json.dumps(config))
        if change:
            change(c)
        with h5py.File(keras, "r") as source:
            w = {top: [(n.decode(), source["model_weights"][top][n.decode()][...])
                       for n in source["model_weights"][top].attrs["weight_names"]] for top in source["model_weights"]}
        if weights:
            weights(w)
        write_keras(path, c, w)
        return path

    def add_layer(c, entry):
        c["config"]["layers"].insert(2, entry)

    cases = [
        (variant("bn", lambda c: add_layer(c, layer("BatchNormalization", "bn"))), "BatchNormalization): not supported"),
        (variant("elu", lambda c: c["config"]["layers"][1]["config"].update(activation="elu")), "activation 'elu'"),
        (variant("shape", weights=lambda w: w["dense"].__setitem__(0, ("dense/kernel:0", np.zeros((20, 11))))),
         "has shape [20, 11], expected [20, 12]"),
        (variant("nan", weights=lambda w: w["dense"].__setitem__(1, ("dense/bias:0", np.full(12, np.nan)))), "NaN"),
        (variant("act_number", lambda c: c["config"]["layers"][1]["config"].update(activation=5)), "is not a name"),
        (variant("bool_units", lambda c: c["config"]["layers"][1]["config"].update(units=True)), "is not a size"),
        (variant("bias_text", lambda c: c["config"]["layers"][1]["config"].update(use_bias="false")), "is not true or false"),
        (variant("skip", lambda c: c["config"]["layers"][2].update(inbound_nodes=[[["input_1", 0, 0, {}]]])),
         "takes its input from 'input_1', not from 'dense'"),
        (variant("wide", lambda c: c["config"]["layers"][0]["config"].update(batch_input_shape=[None, 4394404, 2898239, 15932291])),
         "too large"),
        (variant("truncated", raw=keras.read_bytes()[:3000]), "truncated.h5"),
        (variant("not_hdf5", raw=b"not a keras file at all" * 10), "not an HDF5 file"),
    ]
    with h5py.File(tmp_path / "weights_only.h5", "w") as f:
        f.create_group("dense")
    cases.append((tmp_path / "weights_only.h5", "no model_config attribute"))
    for path, message in cases:
        out = tmp_path / "out.h5"
        run = run_ae("import", path, "--out", out)
        assert run.returncode != 0 and message in run.stderr, (path.name, run.stderr)
        assert "Fatal error" not in run.stderr and not out.exists()
    # The output may not be the input file.
    run = run_ae("import", keras, "--out", keras)
    assert run.returncode != 0 and "is the input file" in run.stderr and h5py.is_hdf5(keras)
    # Two Dense layers as narrow as each other: the code must be named.
    tied = variant("tied", lambda c: c["config"]["layers"][3]["config"].update(units=3),
                   weights=lambda w: w.update({"dense_1": [("dense_1/kernel:0", np.zeros((3, 3))), ("dense_1/bias:0", np.zeros(3))],
                                               "dense_2": [("dense_2/kernel:0", np.zeros((3, 20))), ("dense_2/bias:0", np.zeros(20))]}))
    run = run_ae("import", tied, "--out", tmp_path / "out.h5")
    assert run.returncode != 0 and "--code-layer" in run.stderr, run.stderr
    assert run_ae("import", tied, "--out", tmp_path / "out.h5", "--code-layer", "code").returncode == 0
