"""The package: read-only introspection, import without the library, the bundled library,
`python -m autoencoder`, and seeds."""
import os
import subprocess
import sys

import numpy as np
import pytest

import autoencoder

from ae_tool import ae
from conftest import PACKAGE, ROOT

LIBRARY = ROOT / ".build-lib" / "release" / "libautoencoder.so"
PROPERTIES = ("kind", "loss", "input_dim", "latent_dim", "layer_count", "can_sample", "classes", "condition_width",
              "condition_groups", "input_shape", "image_shape", "scaling", "closed")


@pytest.fixture(scope="module")
def vae_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("package")
    np.save(folder / "x.npy", np.random.default_rng(14).integers(0, 256, size=(50, 36)).astype(np.uint8))
    ae("train", "--model", "vae", "--arch", "conv2s2,dense2", "--image-shape", "6x6x1", "--epochs", "1", "--quiet",
       "--data", folder / "x.npy", "--out", folder / "vae.h5")
    return folder / "vae.h5"


def python(*args, env_changes, cwd):
    """Run this interpreter with AUTOENCODER_LIBRARY and PYTHONPATH as given (None: unset)."""
    env = dict(os.environ)
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = str(value)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_introspection_is_read_only_and_documented(vae_path):
    with autoencoder.Model(vae_path) as model:
        values = {name: getattr(model, name) for name in PROPERTIES if name != "scaling"}
        assert values == {"kind": "vae", "loss": "bce", "input_dim": 36, "latent_dim": 2, "layer_count": 4,
                          "can_sample": True, "classes": 0, "condition_width": 0, "condition_groups": (),
                          "input_shape": (6, 6, 1), "image_shape": (6, 6), "closed": False}
        for name in PROPERTIES:
            attribute = getattr(autoencoder.Model, name)
            assert isinstance(attribute, property) and len(attribute.__doc__ or "") > 20, name
            with pytest.raises(AttributeError):
                setattr(model, name, 7)  # used to succeed and make the model lie about itself
        assert {name: getattr(model, name) for name in values} == values
    for name in ("encode", "decode", "reconstruct", "score", "encode_distribution", "sample", "interpolate"):
        assert getattr(autoencoder.Model, name).__doc__, name
    # The one setting: documented, and settable.
    assert isinstance(autoencoder.Model.threads, property) and autoencoder.Model.threads.fset is not None
    assert "OpenBLAS" in autoencoder.Model.threads.__doc__


def test_every_call_that_takes_data_states_its_units():
    for name in ("encode", "reconstruct", "score", "encode_distribution"):
        doc = " ".join(getattr(autoencoder.Model, name).__doc__.split())
        assert "raw values in the units the model was trained on (the model applies its stored scaling)" in doc, name
    for name in ("decode", "sample", "interpolate"):
        doc = " ".join(getattr(autoencoder.Model, name).__doc__.split())
        assert "in the units the model was trained on" in doc, name
    assert "units the model was trained on" in " ".join(autoencoder.Model.__doc__.split())


def test_sample_without_a_seed_draws_fresh_rows(vae_path):
    with autoencoder.Model(vae_path) as model:
        first, second = model.sample(4), model.sample(4)
        assert not np.array_equal(first, second)  # used to be seed 0 both times
        assert not np.array_equal(model.sample(4, seed=None, return_codes=True)[1],
                                  model.sample(4, seed=None, return_codes=True)[1])
        assert np.array_equal(model.sample(4, seed=5), model.sample(4, seed=5))
        assert np.array_equal(model.sample(4, seed=0), model.sample(4, seed=0))
        assert not np.array_equal(model.sample(4, seed=5), model.sample(4, seed=6))


LAZY = """
import pydoc, sys
import autoencoder
from autoencoder import _lib
assert _lib.bundled() == [], _lib.bundled()
assert "lib" not in vars(_lib), "importing must not load the library"
assert "class Model" in pydoc.render_doc(autoencoder.Model) and "AutoencoderError" in pydoc.render_doc(autoencoder)
try:
    autoencoder.Model(sys.argv[1])
except autoencoder.LibraryError as error:
    assert isinstance(error, ImportError) and isinstance(error, autoencoder.AutoencoderError)
    print(error)
else:
    raise SystemExit("opened a model without the library")
"""


def test_import_works_without_the_library_and_first_use_says_how_to_get_it(tmp_path, vae_path):
    nowhere = tmp_path / "nowhere" / "libautoencoder.so"
    env = {"AUTOENCODER_LIBRARY": nowhere, "PYTHONPATH": PACKAGE}
    result = python("-c", LAZY, vae_path, env_changes=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for hint in (str(nowhere), "bash scripts/build-lib.sh", "AUTOENCODER_LIBRARY=", "pip install bindings/python"):
        assert hint in result.stdout, result.stdout
    shown = python("-m", "autoencoder", env_changes=env, cwd=tmp_path)
    assert shown.returncode == 1 and "bash scripts/build-lib.sh" in shown.stderr, shown.stderr
    assert shown.stdout.startswith(f"autoencoder {autoencoder.__version__} ")


def test_python_m_autoencoder_reports_versions_and_the_library_path(tmp_path):
    shown = python("-m", "autoencoder", env_changes={"AUTOENCODER_LIBRARY": LIBRARY, "PYTHONPATH": PACKAGE},
                   cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == f"autoencoder {autoencoder.__version__} (Python package in {PACKAGE / 'autoencoder'})"
    version = autoencoder.library_version()
    major, minor, patch = map(int, version.split("."))
    number = major * 1_000_000 + minor * 1_000 + patch  # AE_VERSION_NUMBER's rule
    assert lines[1] == f"libautoencoder {version} (version number {number}, ABI 1)"
    assert lines[2] == f"loaded from {LIBRARY.resolve()}"


@pytest.mark.skipif(not LIBRARY.is_file(), reason="needs the built library (bash scripts/build-lib.sh)")
def test_pip_install_bundles_the_built_library(tmp_path):
    target = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                "--no-deps", "--target", str(target), str(PACKAGE)], capture_output=True, text=True,
                               timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    bundled = target / "autoencoder" / "libautoencoder.so"
    assert bundled.read_bytes() == LIBRARY.read_bytes()
    wheel = next(target.glob("autoencoder-*.dist-info"))
    assert "Root-Is-Purelib: false" in (wheel / "WHEEL").read_text()  # a platform wheel, not py3-none-any
    # No AUTOENCODER_LIBRARY: the bundled copy is found first.
    env = {"AUTOENCODER_LIBRARY": None, "PYTHONPATH": target}
    shown = python("-m", "autoencoder", env_changes=env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0].endswith(f"(Python package in {target / 'autoencoder'})")
    assert shown.stdout.splitlines()[2] == f"loaded from {bundled}"
    used = python("-c", "import autoencoder, numpy; print(autoencoder.Model(__import__('sys').argv[1]).sample(2).shape)",
                  ROOT / "nonexistent.h5", env_changes=env, cwd=tmp_path)
    assert "ModelNotFoundError" in used.stderr and "nonexistent.h5" in used.stderr, used.stderr
    # An explicit AUTOENCODER_LIBRARY still wins, and is never silently replaced by the bundled copy.
    explicit = python("-m", "autoencoder", env_changes={**env, "AUTOENCODER_LIBRARY": tmp_path / "none.so"},
                      cwd=tmp_path)
    assert explicit.returncode == 1 and "none.so" in explicit.stderr
    # The build left nothing git would pick up.
    status = subprocess.run(["git", "status", "--porcelain", "--ignored=no", str(PACKAGE)], capture_output=True,
                            text=True, cwd=ROOT)
    assert status.returncode != 0 or "build/" not in status.stdout and ".egg-info" not in status.stdout, status.stdout
