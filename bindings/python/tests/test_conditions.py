"""Conditions (C ABI 0.2): condition rows in every data call, labels in every call of a cvae,
a model with a continuous condition group, and the options structs laid out as C lays them out."""
import ctypes
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

import autoencoder
from autoencoder import (ArgumentTypeError, ConditionGroup, InvalidArgumentError, NonFiniteError, Status,
                         UnsupportedError, _lib)

from ae_tool import ae

ROOT = pathlib.Path(__file__).resolve().parents[3]
HEADER_DIR = ROOT / "include"
CONDITIONS_MODEL = ROOT / "bindings" / "c" / "tests" / "conditions_model.py"  # the C test's two-group model maker

CLASSES, WIDTH, ROWS = 3, 16, 240


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A classic cvae (one one-hot group of 3 classes), the C test's derivation of it with a
    second, continuous group ("level", 2 values; sealed with `ae seal`), a vae and a dense model.
    x is read back from the CSV the CLI trains on, so Python and the CLI see the same floats."""
    folder = tmp_path_factory.mktemp("conditions")
    rng = np.random.default_rng(9)
    x = rng.random((ROWS, WIDTH)).astype(np.float32)
    labels = np.arange(ROWS) % CLASSES
    x[:, :4] += labels[:, None] * 0.5  # the class moves a few features
    header = ",".join([f"f{j}" for j in range(WIDTH)] + ["label"])
    np.savetxt(folder / "x.csv", np.column_stack([x, labels]), delimiter=",", header=header, comments="", fmt="%g")
    x = np.loadtxt(folder / "x.csv", delimiter=",", skiprows=1, dtype=np.float32)[:, :WIDTH]
    np.save(folder / "x.npy", x)
    common = ["--loss", "mse", "--scale", "standard", "--epochs", "3", "--quiet"]
    ae("train", "--model", "cvae", "--layers", "12,2", *common, "--data", folder / "x.csv", "--label-column", "label",
       "--out", folder / "cvae.h5")
    ae("train", "--model", "vae", "--layers", "12,2", *common, "--data", folder / "x.npy", "--out", folder / "vae.h5")
    ae("train", "--layers", "12,2", *common, "--data", folder / "x.npy", "--out", folder / "dense.h5")
    subprocess.run([sys.executable, CONDITIONS_MODEL, folder / "cvae.h5", folder / "two-unsealed.h5"], check=True,
                   capture_output=True)
    ae("seal", folder / "two-unsealed.h5", "--out", folder / "two.h5")
    return folder, x, labels


def one_hot(labels, classes=CLASSES):
    return np.eye(classes, dtype=np.float32)[np.asarray(labels)]


def levels(n, seed=0):
    """Values for the two-group model's continuous group "level"."""
    return np.random.default_rng(seed).normal(size=(n, 2)).astype(np.float32)


# -- introspection ---------------------------------------------------------------------------

def test_condition_groups_describe_each_model(models):
    folder, _, _ = models
    with autoencoder.Model(folder / "cvae.h5") as cvae, autoencoder.Model(folder / "two.h5") as two, \
            autoencoder.Model(folder / "vae.h5") as vae, autoencoder.Model(folder / "dense.h5") as dense:
        assert (cvae.condition_width, cvae.classes, cvae.can_sample) == (3, 3, True)
        assert cvae.condition_groups == (ConditionGroup("class", "one_hot", 3),)
        assert (two.condition_width, two.classes, two.can_sample) == (5, 0, False)  # continuous: nothing to draw
        assert two.condition_groups == (("class", "one_hot", 3), ("level", "continuous", 2))
        assert two.condition_groups[1].kind == "continuous" and two.condition_groups[1].width == 2
        for plain in (vae, dense):
            assert plain.condition_width == 0 and plain.condition_groups == ()
        assert vae.can_sample and not dense.can_sample
        for name in ("condition_width", "condition_groups"):
            with pytest.raises(AttributeError):
                setattr(cvae, name, 1)


# -- a classic cvae: one-hot rows are labels ---------------------------------------------------

def test_one_hot_conditions_give_the_labels_results_bit_for_bit(models):
    folder, x, labels = models
    rows = one_hot(labels)
    with autoencoder.Model(folder / "cvae.h5") as model:
        for name in ("encode", "reconstruct", "score"):
            call = getattr(model, name)
            assert np.array_equal(call(x, conditions=rows), call(x, labels=labels)), name
        z = model.encode(x, labels=labels)
        assert np.array_equal(model.decode(z, conditions=rows), model.decode(z, labels=labels))
        mean, log_variance = model.encode_distribution(x, labels=labels)
        assert np.array_equal(mean, z)  # the posterior's mean is the code
        same = model.encode_distribution(x, conditions=rows)
        assert np.array_equal(same[0], mean) and np.array_equal(same[1], log_variance)
        # One row (or a (1, width) row) serves every row, as that row repeated does.
        assert np.array_equal(model.encode(x, conditions=one_hot(2)), model.encode(x, labels=np.full(ROWS, 2)))
        assert np.array_equal(model.score(x, conditions=one_hot([1])), model.score(x, labels=np.ones(ROWS, int)))
        # One row without a batch axis: one result without it.
        assert np.array_equal(model.encode(x[5], conditions=rows[5]), model.encode(x[5], labels=labels[5]))
        for label in range(CLASSES):
            assert np.array_equal(model.sample(6, seed=11, conditions=one_hot(label)), model.sample(6, seed=11, label=label))
            assert np.array_equal(model.sample(6, seed=11, conditions=one_hot([label] * 6)),
                                  model.sample(6, seed=11, label=label))
            assert np.array_equal(model.interpolate(z[0], z[1], steps=5, conditions=one_hot(label)),
                                  model.interpolate(z[0], z[1], steps=5, label=label))
        # The condition matters: other classes, other results.
        assert not np.allclose(model.reconstruct(x, conditions=one_hot((labels + 1) % CLASSES)),
                               model.reconstruct(x, labels=labels), atol=1e-3)


def test_a_cvae_path_with_a_label_equals_the_cli(models):
    folder, x, labels = models
    ae("interpolate", folder / "cvae.h5", "--data", folder / "x.csv", "--label-column", "label", "--from", 0, "--to", 1,
       "--steps", 5, "--class", 2, "--out", folder / "path.npy")
    cli = np.load(folder / "path.npy")
    with autoencoder.Model(folder / "cvae.h5") as model:
        # As `ae interpolate` does: each end encoded with its own label, the path decoded as one class.
        za, zb = model.encode(x[0], labels=labels[0]), model.encode(x[1], labels=labels[1])
        path = model.interpolate(za, zb, steps=5, label=2)  # slerp, the default for a cvae as for the CLI
        assert path.shape == (5, WIDTH)
        # The CLI runs the Swift runtime without a workspace: equal to float rounding.
        np.testing.assert_allclose(path, cli, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(path[0], model.decode(za, labels=2), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(path[-1], model.decode(zb, labels=2), rtol=1e-5, atol=1e-6)
        assert not np.allclose(model.interpolate(za, zb, steps=5, label=0), cli, atol=1e-3), "the label must count"
        straight = model.interpolate(za, zb, steps=5, label=2, spherical=False)
        assert not np.allclose(straight[1:-1], path[1:-1], atol=1e-6)
        # Without a label or a condition a cvae's path has no class.
        with pytest.raises(UnsupportedError) as caught:
            model.interpolate(za, zb)
        assert caught.value.status is Status.UNSUPPORTED


def test_a_cvae_posterior_with_labels(models):
    folder, x, labels = models
    ae("encode", folder / "cvae.h5", "--data", folder / "x.csv", "--label-column", "label", "--out", folder / "z.npy")
    with autoencoder.Model(folder / "cvae.h5") as model:
        mean, log_variance = model.encode_distribution(x, labels=labels)
        assert mean.shape == log_variance.shape == (ROWS, 2)
        np.testing.assert_allclose(mean, np.load(folder / "z.npy"), rtol=1e-5, atol=1e-6)  # the CLI's codes are means
        assert np.all(np.isfinite(log_variance))
        other_mean, other_log_variance = model.encode_distribution(x, labels=(labels + 1) % CLASSES)
        assert not np.allclose(other_mean, mean, atol=1e-4)
        one = model.encode_distribution(x[7], labels=labels[7])
        assert one[0].shape == (2,) and np.allclose(one[0], mean[7], rtol=1e-5, atol=1e-6)
        with pytest.raises(UnsupportedError):
            model.encode_distribution(x)  # a cvae's posterior needs its conditions


def test_a_cvae_samples_without_a_label_by_drawing_classes(models):
    folder, _, _ = models
    ae("sample", folder / "cvae.h5", "-n", 8, "--seed", 3, "--out", folder / "drawn.npy")
    with autoencoder.Model(folder / "cvae.h5") as model:
        assert model.can_sample
        rows, codes = model.sample(8, seed=3, return_codes=True)
        assert np.array_equal(rows, np.load(folder / "drawn.npy"))  # what `ae sample` and ae_sample draw
        assert np.array_equal(model.sample(8, seed=3), rows)
        assert not np.array_equal(model.sample(8, seed=4), rows)
        # Each row is one of the classes, decoded from its code: some class's decode gives it.
        for row, code in zip(rows, codes):
            assert min(np.abs(model.decode(code, labels=c) - row).max() for c in range(CLASSES)) < 1e-4
        # Two fresh seeds: different rows.
        assert not np.array_equal(model.sample(8), model.sample(8))


# -- a continuous condition group ---------------------------------------------------------------

def test_a_model_with_a_continuous_group_takes_conditions_not_labels(models):
    folder, x, labels = models
    n = 12
    conditions = np.concatenate([one_hot(labels[:n]), levels(n)], axis=1)
    with autoencoder.Model(folder / "two.h5") as model:
        z = model.encode(x[:n], conditions=conditions)
        assert z.shape == (n, 2) and np.all(np.isfinite(z))
        shifted = conditions.copy()
        shifted[:, 3:] += 5.0
        assert not np.allclose(model.encode(x[:n], conditions=shifted), z, atol=1e-4), "the level must count"
        assert model.decode(z, conditions=conditions).shape == (n, WIDTH)
        assert model.reconstruct(x[:n], conditions=conditions).shape == (n, WIDTH)
        assert model.score(x[:n], conditions=conditions).shape == (n,)
        mean, log_variance = model.encode_distribution(x[:n], conditions=conditions)
        assert np.array_equal(mean, z) and log_variance.shape == (n, 2)
        samples = model.sample(n, seed=5, conditions=conditions)
        assert samples.shape == (n, WIDTH) and np.array_equal(samples, model.sample(n, seed=5, conditions=conditions))
        assert model.sample(3, seed=5, conditions=conditions[0]).shape == (3, WIDTH)  # one row for all
        path = model.interpolate(z[0], z[1], steps=4, conditions=conditions[0])
        np.testing.assert_allclose(path[0], model.decode(z[0], conditions=conditions[0]), rtol=1e-5, atol=1e-6)
        # Labels do not describe its conditions, in any call.
        refused = {
            "encode": lambda: model.encode(x[:2], labels=[0, 1]),
            "decode": lambda: model.decode(z[:2], labels=[0, 1]),
            "reconstruct": lambda: model.reconstruct(x[:2], labels=[0, 1]),
            "score": lambda: model.score(x[:2], labels=[0, 1]),
            "encode_distribution": lambda: model.encode_distribution(x[:2], labels=[0, 1]),
            "sample": lambda: model.sample(2, seed=1, label=0),
            "interpolate": lambda: model.interpolate(z[0], z[1], label=0),
            # Nor can the library draw continuous values: sample() needs conditions.
            "sample without conditions": lambda: model.sample(2, seed=1),
            "encode without conditions": lambda: model.encode(x[:2]),
        }
        for what, call in refused.items():
            with pytest.raises(UnsupportedError) as caught:
                call()
            assert caught.value.status is Status.UNSUPPORTED and isinstance(caught.value, TypeError), what


# -- mistakes ------------------------------------------------------------------------------------

def test_condition_mistakes_raise_the_tables_classes(models):
    folder, x, labels = models
    with autoencoder.Model(folder / "two.h5") as model:
        z = model.encode(x[:4], conditions=np.concatenate([one_hot(labels[:4]), levels(4)], axis=1))
        shapes = {
            "too few rows": (lambda c: model.encode(x[:4], conditions=c), np.zeros((3, 5)), "(3, 5)", "(4, 5)"),
            "too narrow": (lambda c: model.decode(z, conditions=c), np.zeros((4, 3)), "(4, 3)", "(4, 5)"),
            "too wide, one row": (lambda c: model.score(x[:4], conditions=c), np.zeros(6), "(6,)", "(5,)"),
            "3-D": (lambda c: model.reconstruct(x[:4], conditions=c), np.zeros((4, 5, 1)), "(4, 5, 1)", "(4, 5)"),
            "sample": (lambda c: model.sample(4, seed=1, conditions=c), np.zeros((2, 5)), "(2, 5)", "(4, 5)"),
            "posterior": (lambda c: model.encode_distribution(x[:4], conditions=c), np.zeros((5, 5)), "(5, 5)",
                          "(4, 5)"),
            "a path takes one row": (lambda c: model.interpolate(z[0], z[1], conditions=c), np.zeros((2, 5)),
                                     "(2, 5)", "(5,)"),
        }
        for what, (call, conditions, given, expected) in shapes.items():
            with pytest.raises(InvalidArgumentError) as caught:
                call(conditions)
            message = str(caught.value)
            assert given in message and expected in message, (what, message)
            assert caught.value.status is Status.INVALID_ARGUMENT and isinstance(caught.value, ValueError), what
        good = np.concatenate([one_hot(labels[:4]), levels(4)], axis=1)
        for column in (0, 4):  # a one-hot value and a continuous one
            bad = good.copy()
            bad[2, column] = np.nan
            for call in (lambda: model.encode(x[:4], conditions=bad), lambda: model.sample(4, seed=1, conditions=bad),
                         lambda: model.interpolate(z[0], z[1], conditions=bad[2])):
                with pytest.raises(NonFiniteError) as caught:
                    call()
                assert caught.value.status is Status.NON_FINITE and isinstance(caught.value, ValueError)
        bad = good.copy()
        bad[1, 0] = 2.0  # a one-hot value outside [0, 1]: the library refuses it
        with pytest.raises(InvalidArgumentError, match="one-hot"):
            model.encode(x[:4], conditions=bad)
        for wrong in (good.astype(np.complex64), good > 0.5, good.astype(str)):
            with pytest.raises(ArgumentTypeError):
                model.encode(x[:4], conditions=wrong)
    with autoencoder.Model(folder / "cvae.h5") as cvae:
        both = {
            "encode": lambda: cvae.encode(x[:2], labels=[0, 1], conditions=one_hot([0, 1])),
            "encode_distribution": lambda: cvae.encode_distribution(x[:2], labels=[0, 1], conditions=one_hot([0, 1])),
            "sample": lambda: cvae.sample(2, seed=1, label=0, conditions=one_hot(0)),
            "interpolate": lambda: cvae.interpolate(np.zeros(2), np.ones(2), label=0, conditions=one_hot(0)),
        }
        for what, call in both.items():
            with pytest.raises(InvalidArgumentError, match="not both"):
                call()
        with pytest.raises(InvalidArgumentError, match="label must be in"):
            cvae.interpolate(np.zeros(2), np.ones(2), label=3)


def test_conditions_for_a_model_without_them_are_unsupported(models):
    folder, x, _ = models
    for name in ("dense.h5", "vae.h5"):
        with autoencoder.Model(folder / name) as model:
            z = model.encode(x[:2])
            calls = {
                "encode": lambda: model.encode(x[:2], conditions=[[1.0]]),
                "decode": lambda: model.decode(z, conditions=[[1.0]]),
                "reconstruct": lambda: model.reconstruct(x[:2], conditions=[[1.0]]),
                "score": lambda: model.score(x[:2], conditions=[[1.0]]),
                "encode_distribution": lambda: model.encode_distribution(x[:2], conditions=[[1.0]]),
                "sample": lambda: model.sample(2, seed=1, conditions=[[1.0]]),
                "interpolate": lambda: model.interpolate(z[0], z[1], conditions=[1.0]),
                "interpolate label": lambda: model.interpolate(z[0], z[1], label=0),
            }
            for what, call in calls.items():
                with pytest.raises(UnsupportedError, match="no conditions|no classes") as caught:
                    call()
                assert caught.value.status is Status.UNSUPPORTED, (name, what)


# -- the options structs, as C lays them out ------------------------------------------------------

STRUCTS = {
    "ae_sample_options": (_lib.SampleOptions, ["size", "seed", "conditions", "temperature", "label"]),
    "ae_interpolate_options": (_lib.InterpolateOptions, ["size", "steps", "condition", "spherical", "label"]),
    "ae_encode_options": (_lib.EncodeOptions, ["size", "conditions", "labels"]),
}

# sizeof and offsetof on LP64 (x86-64 and arm64 Linux, where the library builds): checked without a
# compiler; the test below asks the compiler too.
LP64 = {
    "ae_sample_options": (32, [0, 8, 16, 24, 28]),
    "ae_interpolate_options": (32, [0, 8, 16, 24, 28]),
    "ae_encode_options": (24, [0, 8, 16]),
}


def layout(structure, fields):
    return ctypes.sizeof(structure), [getattr(structure, field).offset for field in fields]


def test_struct_fields_are_the_headers_in_order():
    for name, (structure, fields) in STRUCTS.items():
        assert [field for field, _ in structure._fields_] == fields, name
        if ctypes.sizeof(ctypes.c_void_p) == 8:
            assert layout(structure, fields) == LP64[name], name


def compiler():
    for name in ("cc", "gcc", "clang"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(compiler() is None, reason="needs a C compiler (cc, gcc or clang)")
def test_struct_layouts_and_defaults_match_the_c_compiler(tmp_path):
    lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "autoencoder.h"', "int main(void) {"]
    for name, (_, fields) in STRUCTS.items():
        offsets = " ".join("%zu" for _ in fields)
        lines.append(f'  printf("{name} %zu {offsets}\\n", sizeof({name}), '
                     + ", ".join(f"offsetof({name}, {field})" for field in fields) + ");")
    lines += [
        "  ae_sample_options s = ae_sample_options_default();",
        '  printf("sample %zu %llu %d %.9g %d\\n", s.size, s.seed, s.conditions == NULL, s.temperature, (int)s.label);',
        "  ae_interpolate_options i = ae_interpolate_options_default();",
        '  printf("interpolate %zu %zu %d %d %d\\n", i.size, i.steps, i.condition == NULL, (int)i.spherical, '
        "(int)i.label);",
        "  ae_encode_options e = ae_encode_options_default();",
        '  printf("encode %zu %d %d\\n", e.size, e.conditions == NULL, e.labels == NULL);',
        "  return 0;", "}",
    ]
    (tmp_path / "layout.c").write_text("\n".join(lines) + "\n")
    # The header alone: no library needed to compile and run this.
    subprocess.run([compiler(), "-std=c99", "-Wall", "-Werror", "-I", HEADER_DIR, tmp_path / "layout.c", "-o",
                    tmp_path / "layout"], check=True, capture_output=True)
    printed = subprocess.run([tmp_path / "layout"], check=True, capture_output=True, text=True).stdout.splitlines()
    c = {line.split()[0]: [int(v) if v.lstrip("-").isdigit() else float(v) for v in line.split()[1:]]
         for line in printed}
    for name, (structure, fields) in STRUCTS.items():
        size, offsets = layout(structure, fields)
        assert c[name] == [size] + offsets, f"{name}: C says {c[name]}, ctypes says {[size] + offsets}"
    s, i, e = _lib.SampleOptions.default(), _lib.InterpolateOptions.default(), _lib.EncodeOptions.default()
    assert c["sample"] == [s.size, s.seed, int(s.conditions is None), s.temperature, s.label]
    assert c["interpolate"] == [i.size, i.steps, int(i.condition is None), i.spherical, i.label]
    assert c["encode"] == [e.size, int(e.conditions is None), int(e.labels is None)]
