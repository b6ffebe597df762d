"""The Python binding gives the CLI's results, raises on errors, and is safe across threads."""
import concurrent.futures
import subprocess

import numpy as np
import pytest

import autoencoder
from autoencoder.model import as_rows

from ae_tool import AE, ae


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("binding")
    rng = np.random.default_rng(3)
    x = rng.integers(0, 256, size=(300, 64)).astype(np.uint8)
    np.save(folder / "x.npy", x)
    ae("train", "--layers", "32,6", "--epochs", "4", "--score", "excess", "--data", folder / "x.npy", "--out", folder / "model.h5",
       "--quiet")
    ae("encode", folder / "model.h5", "--data", folder / "x.npy", "--out", folder / "z.npy")
    ae("reconstruct", folder / "model.h5", "--data", folder / "x.npy", "--out", folder / "y.npy")
    ae("decode", folder / "model.h5", "--data", folder / "z.npy", "--out", folder / "d.npy")
    return folder, x.astype(np.float32)


def test_results_equal_the_cli(trained):
    folder, x = trained
    with autoencoder.Model(folder / "model.h5") as model:
        assert (model.kind, model.loss, model.input_dim, model.latent_dim, model.layer_count) == ("dense", "bce", 64, 6, 4)
        assert model.can_sample is False and model.input_shape is None
        np.testing.assert_allclose(model.encode(x), np.load(folder / "z.npy"), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(model.reconstruct(x), np.load(folder / "y.npy"), rtol=1e-5, atol=1e-4)
        np.testing.assert_allclose(model.decode(np.load(folder / "z.npy")), np.load(folder / "d.npy"), rtol=1e-5, atol=1e-4)
        method, offset, scale = model.scaling
        assert method == "unit" and np.all(offset == 0) and np.allclose(scale, 1 / 255)


def test_scores_are_per_row_excess_losses(trained):
    """The excess score is the loss minus a perfect reconstruction's: BCE minus each row's
    own entropy (pixels scaled to [0, 1]), so its mean is the eval objective minus the mean
    entropy, and each row's is the BCE of the reconstruction less that row's entropy."""
    folder, x = trained
    out = subprocess.run([AE, "eval", folder / "model.h5", "--data", folder / "x.npy"], check=True,
                         capture_output=True, text=True).stdout
    import json
    objective = json.loads(out)["objective"]
    t = x.astype(np.float64) / 255
    inside = np.clip(t, 1e-12, 1 - 1e-12)
    entropy = -np.where((t > 0) & (t < 1), t * np.log(inside) + (1 - t) * np.log(1 - inside), 0).sum(1)
    with autoencoder.Model(folder / "model.h5") as model:
        scores = model.score(x)
        p = np.clip(model.reconstruct(x).astype(np.float64) / 255, 1e-7, 1 - 1e-7)
    assert scores.shape == (300,)
    assert abs(scores.mean() - (objective - entropy.mean())) < 1e-4 * objective
    bce = -(t * np.log(p) + (1 - t) * np.log(1 - p)).sum(1)
    np.testing.assert_allclose(scores, bce - entropy, rtol=1e-3, atol=1e-2)


def test_single_rows_other_dtypes_and_memory_models(trained):
    folder, x = trained
    with autoencoder.Model(folder / "model.h5") as model:
        batch = model.encode(x)
        # BLAS picks kernels by size, so one row may differ from its batch in the last bits.
        np.testing.assert_allclose(model.encode(x[3]), batch[3], rtol=1e-5, atol=1e-6)
        assert np.allclose(model.encode(x.astype(np.float64)), batch)
        assert np.allclose(model.encode(np.asfortranarray(x)), batch)
    with autoencoder.Model(data=(folder / "model.h5").read_bytes()) as model:
        assert np.array_equal(model.encode(x), batch)


def test_float32_contiguous_input_is_not_copied():
    x = np.zeros((4, 8), dtype=np.float32)
    assert as_rows(x, 8) is x
    assert as_rows(x[:, :], 8).base is x or np.shares_memory(as_rows(x[:, :], 8), x)
    assert not np.shares_memory(as_rows(x.astype(np.float64), 8), x)


def test_errors_raise_with_the_library_message(trained, tmp_path):
    folder, x = trained
    with pytest.raises(autoencoder.AutoencoderError, match="missing.h5") as caught:
        autoencoder.Model(tmp_path / "missing.h5")
    assert caught.value.status == 2
    (tmp_path / "text.h5").write_text("not a model")
    with pytest.raises(autoencoder.AutoencoderError, match="not an HDF5 file"):
        autoencoder.Model(tmp_path / "text.h5")
    with autoencoder.Model(folder / "model.h5") as model:
        with pytest.raises(ValueError, match="expects 64"):
            model.encode(np.zeros((2, 63), np.float32))
        bad = x[:5].copy()
        bad[2, 7] = np.nan
        with pytest.raises(autoencoder.AutoencoderError, match="row 2, column 7") as caught:
            model.encode(bad)
        assert caught.value.status == 6
        with pytest.raises(ValueError, match="no rows"):
            model.encode(np.zeros((0, 64), np.float32))
    with pytest.raises(ValueError, match="closed"):
        model.encode(x)


def test_eight_threads_sharing_one_model_match_one_thread(trained):
    folder, x = trained
    with autoencoder.Model(folder / "model.h5") as model:
        expected = [model.encode(x[i::8]) for i in range(8)]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for _ in range(5):
                results = list(pool.map(lambda i: model.encode(x[i::8]), range(8)))
                for got, want in zip(results, expected):
                    assert np.array_equal(got, want)


def test_versions():
    assert autoencoder.library_version() == "0.8.0" == autoencoder.__version__


def test_kernels_name_what_the_products_run_on():
    """ae_kernels: the own AVX-512 kernels exactly where the CPU has AVX-512 (and AE_GEMM does
    not choose OpenBLAS), else OpenBLAS with the core it picked."""
    import os
    kernels = autoencoder.kernels()
    flags = open("/proc/cpuinfo").read().split("flags", 1)[1].split("\n", 1)[0].split()
    if {"avx512f", "avx512vl", "avx512dq", "avx512bw", "fma"} <= set(flags) and os.environ.get("AE_GEMM") != "openblas":
        assert kernels == "avx512 (own)"
    else:
        assert kernels.startswith("openblas ") and len(kernels) > len("openblas ")


def test_int8_models_stay_close_and_match_row_by_row(trained):
    """precision="int8": close to float32 but not equal, and a row alone on 2 threads gives
    the batch's bits (the int8 product's promise on every CPU); ae_int8_kernels names VNNI
    exactly where the CPU has it."""
    folder, x = trained
    flags = set(open("/proc/cpuinfo").read().split("flags", 1)[1].split("\n", 1)[0].split())
    vnni = {"avx512f", "avx512vl", "avx512dq", "avx512bw", "fma", "avx512_vnni"} <= flags
    assert autoencoder.int8_kernels() == ("avx512-vnni" if vnni else "portable")
    with autoencoder.Model(folder / "model.h5") as exact, \
            autoencoder.Model(folder / "model.h5", precision="int8", threads=2) as int8:
        assert int8.precision == "int8"
        y, y8 = exact.reconstruct(x), int8.reconstruct(x)
        assert not np.array_equal(y, y8)
        assert np.abs(y - y8).max() < 0.05 * np.abs(y).max()
        for r in range(5):
            assert np.array_equal(int8.reconstruct(x[r]), y8[r])
    with pytest.raises(autoencoder.InvalidArgumentError, match="'int8'"):
        autoencoder.Model(folder / "model.h5", precision="int4")


@pytest.fixture(scope="module")
def vae(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vae")
    rng = np.random.default_rng(5)
    x = rng.integers(0, 256, size=(300, 49)).astype(np.uint8)
    np.save(folder / "x.npy", x)
    ae("train", "--model", "vae", "--layers", "32,4", "--epochs", "3", "--data", folder / "x.npy", "--out", folder / "vae.h5",
       "--quiet")
    ae("sample", folder / "vae.h5", "-n", "10", "--seed", "7", "--temperature", "0.8", "--out", folder / "s.npy",
       "--codes", folder / "sz.npy")
    return folder, x.astype(np.float32)


def test_sampling_with_a_seed_matches_the_cli_and_repeats(vae):
    folder, x = vae
    with autoencoder.Model(folder / "vae.h5") as model:
        assert model.kind == "vae" and model.can_sample and model.latent_dim == 4
        rows, codes = model.sample(10, seed=7, temperature=0.8, return_codes=True)
        assert np.array_equal(rows, np.load(folder / "s.npy"))
        assert np.array_equal(codes, np.load(folder / "sz.npy"))
        assert np.array_equal(model.sample(10, seed=7, temperature=0.8), rows)
        assert not np.array_equal(model.sample(10, seed=8, temperature=0.8), rows)
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for got in pool.map(lambda _: model.sample(10, seed=7, temperature=0.8), range(8)):
                assert np.array_equal(got, rows)
        mean, log_variance = model.encode_distribution(x[:5])
        assert np.array_equal(mean, model.encode(x[:5]))
        assert log_variance.shape == (5, 4) and np.all(np.isfinite(log_variance))
        path = model.interpolate(mean[0], mean[1], steps=5)
        assert path.shape == (5, 49)
        np.testing.assert_allclose(path[0], model.decode(mean[0]), rtol=1e-5, atol=1e-3)
        np.testing.assert_allclose(path[-1], model.decode(mean[1]), rtol=1e-5, atol=1e-3)


def test_plain_models_refuse_to_sample(trained):
    folder, _ = trained
    with autoencoder.Model(folder / "model.h5") as model:
        with pytest.raises(autoencoder.AutoencoderError, match="cannot sample") as caught:
            model.sample(3)
        assert caught.value.status == 9


def test_conditional_vae_samples_by_class(tmp_path):
    rng = np.random.default_rng(9)
    x = rng.random((240, 16)).astype(np.float32)
    labels = np.arange(240) % 3
    x[:, :4] += labels[:, None] * 0.5  # the class moves a few features
    header = ",".join([f"f{j}" for j in range(16)] + ["label"])
    np.savetxt(tmp_path / "x.csv", np.column_stack([x, labels]), delimiter=",", header=header, comments="", fmt="%g")
    ae("train", "--model", "cvae", "--layers", "12,2", "--loss", "mse", "--scale", "standard", "--epochs", "3",
       "--data", tmp_path / "x.csv", "--label-column", "label", "--out", tmp_path / "cvae.h5", "--quiet")
    ae("sample", tmp_path / "cvae.h5", "-n", "4", "--class", "2", "--seed", "3", "--out", tmp_path / "s.npy")
    with autoencoder.Model(tmp_path / "cvae.h5") as model:
        assert model.kind == "cvae" and model.classes == 3 and model.latent_dim == 2
        assert np.array_equal(model.sample(4, seed=3, label=2), np.load(tmp_path / "s.npy"))
        assert not np.array_equal(model.sample(4, seed=3, label=0), np.load(tmp_path / "s.npy"))
        # Without a label, each row's class is drawn from the seed too: the same seed, the same rows.
        assert np.array_equal(model.sample(4, seed=3), model.sample(4, seed=3))
        with pytest.raises(autoencoder.AutoencoderError, match="needs a condition row per row"):
            model.encode(x[:2, :16])
        with pytest.raises(ValueError, match="label must be in"):
            model.sample(2, label=3)
        # Data calls take a label per row, as the CLI does with --label-column.
        ae("encode", tmp_path / "cvae.h5", "--data", tmp_path / "x.csv", "--label-column", "label", "--out", tmp_path / "z.npy")
        ae("reconstruct", tmp_path / "cvae.h5", "--data", tmp_path / "x.csv", "--label-column", "label",
           "--out", tmp_path / "y.npy")
        codes = model.encode(x, labels=labels)
        np.testing.assert_allclose(codes, np.load(tmp_path / "z.npy"), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(model.reconstruct(x, labels=labels), np.load(tmp_path / "y.npy"), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(model.decode(codes, labels=labels), np.load(tmp_path / "y.npy"), rtol=1e-4, atol=1e-4)
        assert model.score(x, labels=labels).shape == (240,)
        other = model.reconstruct(x, labels=(labels + 1) % 3)
        assert not np.allclose(other, np.load(tmp_path / "y.npy"), atol=1e-3), "the label must change the output"
        with pytest.raises(autoencoder.AutoencoderError, match="label 3 of row 0 is outside 0..<3"):
            model.encode(x[:2], labels=[3, 0])
        with pytest.raises(ValueError, match="one class per row"):
            model.encode(x[:2], labels=[1])


def test_models_without_classes_refuse_labels(trained):
    folder, x = trained
    with autoencoder.Model(folder / "model.h5") as model:
        with pytest.raises(autoencoder.AutoencoderError, match="has no classes"):
            model.encode(x[:2], labels=[0, 1])


@pytest.mark.parametrize("kind", ["dense", "vae"])
def test_convolutional_models_give_the_cli_results(tmp_path, kind):
    rng = np.random.default_rng(6)
    x = rng.integers(0, 256, size=(40, 10 * 10 * 1)).astype(np.uint8)
    np.save(tmp_path / "x.npy", x)
    model_path = tmp_path / "conv.h5"
    ae("train", "--model", kind, "--arch", "conv4s2,conv6s2,dense3", "--image-shape", "10x10x1", "--epochs", "2",
       "--data", tmp_path / "x.npy", "--out", model_path, "--quiet")
    ae("reconstruct", model_path, "--data", tmp_path / "x.npy", "--out", tmp_path / "y.npy")
    ae("encode", model_path, "--data", tmp_path / "x.npy", "--out", tmp_path / "z.npy")
    ae("score", model_path, "--data", tmp_path / "x.npy", "--out", tmp_path / "s.npy")
    with autoencoder.Model(model_path) as model:
        assert model.input_shape == (10, 10, 1) and model.latent_dim == 3 and model.layer_count == 6
        np.testing.assert_allclose(model.reconstruct(x.astype(np.float32)), np.load(tmp_path / "y.npy"), rtol=1e-5, atol=1e-3)
        np.testing.assert_allclose(model.encode(x.astype(np.float32)), np.load(tmp_path / "z.npy"), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(model.reconstruct(x[:1].astype(np.float32)), np.load(tmp_path / "y.npy")[:1],
                                   rtol=1e-5, atol=1e-3)
        np.testing.assert_allclose(model.score(x.astype(np.float32)), np.load(tmp_path / "s.npy").ravel(), rtol=1e-5, atol=1e-4)
        if kind == "vae":
            assert model.sample(5, seed=1).shape == (5, 10, 10)  # images, as the model's image_shape
            assert model.sample(5, seed=1, flat=True).shape == (5, 100)


def test_calibrated_models_predict_against_their_threshold(tmp_path):
    """A model trained with --contamination has a threshold: predict is score > threshold, and
    about the contamination's share of normal rows lies above it; rows unlike the training data
    are flagged. A model without one has threshold None and refuses predict."""
    rng = np.random.default_rng(5)
    centres = rng.uniform(0.2, 0.8, size=(4, 32))
    normal = (centres[rng.integers(0, 4, 600)] + rng.normal(0, 0.03, (600, 32))).clip(0, 1).astype(np.float32)
    np.save(tmp_path / "normal.npy", normal)
    ae("train", "--layers", "16,4", "--epochs", "30", "--contamination", "0.1", "--validation", "0.3",
       "--data", tmp_path / "normal.npy", "--out", tmp_path / "calibrated.h5", "--quiet")
    ae("train", "--layers", "16,4", "--epochs", "1", "--data", tmp_path / "normal.npy", "--out", tmp_path / "plain.h5",
       "--quiet")
    odd = rng.uniform(0, 1, size=(200, 32)).astype(np.float32)
    with autoencoder.Model(tmp_path / "calibrated.h5") as model:
        assert model.score_kind == "combined"  # ae train's default
        assert isinstance(model.threshold, float)
        scores = model.score(np.vstack([normal, odd]))
        predicted = model.predict(np.vstack([normal, odd]))
        assert predicted.dtype == np.int64
        np.testing.assert_array_equal(predicted, (scores.astype(np.float64) > model.threshold).astype(np.int64))
        assert 0.02 < predicted[:600].mean() < 0.25
        assert predicted[600:].mean() > 0.9
        assert model.predict(odd[0]) in (0, 1)
    with autoencoder.Model(tmp_path / "plain.h5") as model:
        assert model.threshold is None
        with pytest.raises(autoencoder.UnsupportedError, match="--calibrate"):
            model.predict(normal)


def test_code_scores_through_the_binding(tmp_path):
    """A model trained with --score combined reports it, and scores as the CLI does; rows
    unlike the training data score above the calibrated threshold."""
    rng = np.random.default_rng(6)
    centres = rng.uniform(0.2, 0.8, size=(4, 32))
    normal = (centres[rng.integers(0, 4, 600)] + rng.normal(0, 0.03, (600, 32))).clip(0, 1).astype(np.float32)
    odd = rng.uniform(0, 1, size=(200, 32)).astype(np.float32)
    rows = np.vstack([normal, odd])
    np.save(tmp_path / "normal.npy", normal)
    np.save(tmp_path / "rows.npy", rows)
    ae("train", "--layers", "16,4", "--epochs", "30", "--score", "combined", "--contamination", "0.1",
       "--validation", "0.3", "--data", tmp_path / "normal.npy", "--out", tmp_path / "combined.h5", "--quiet")
    ae("score", tmp_path / "combined.h5", "--data", tmp_path / "rows.npy", "--out", tmp_path / "s.csv")
    cli = np.loadtxt(tmp_path / "s.csv", delimiter=",")
    with autoencoder.Model(tmp_path / "combined.h5") as model:
        assert model.score_kind == "combined"
        scores = model.score(rows)
        np.testing.assert_allclose(scores, cli[:, 0], rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(model.predict(rows), cli[:, 1].astype(np.int64))
        assert model.predict(odd).mean() > 0.9
