"""Shapes: a batch axis in gives a batch axis out in every call, and image models take and give
images (flat rows in still give flat rows out)."""
import numpy as np
import pytest

import autoencoder

from ae_tool import ae


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shapes")
    rng = np.random.default_rng(12)
    gray = rng.integers(0, 256, size=(40, 10 * 10)).astype(np.uint8)
    color = rng.integers(0, 256, size=(40, 6 * 6 * 3)).astype(np.uint8)
    np.save(folder / "gray.npy", gray)
    np.save(folder / "color.npy", color)
    quiet = ["--epochs", "1", "--quiet"]
    ae("train", "--model", "vae", "--layers", "16,3", *quiet, "--data", folder / "gray.npy", "--out", folder / "vae.h5")
    ae("train", "--model", "vae", "--arch", "conv4s2,dense3", "--image-shape", "10x10x1", *quiet,
       "--data", folder / "gray.npy", "--out", folder / "gray.h5")
    ae("train", "--arch", "conv4s2,dense3", "--image-shape", "6x6x3", *quiet, "--data", folder / "color.npy",
       "--out", folder / "color.h5")
    return folder, gray.astype(np.float32), color.astype(np.float32)


def test_one_row_in_gives_one_result_out_in_every_call(models):
    folder, x, _ = models
    with autoencoder.Model(folder / "vae.h5") as model:
        row = x[0]
        code = model.encode(row)
        assert code.shape == (3,)
        mean, log_variance = model.encode_distribution(row)  # used to be (1, 3) each
        assert mean.shape == (3,) and log_variance.shape == (3,)
        np.testing.assert_allclose(mean, model.encode_distribution(x[:1])[0][0], rtol=1e-5, atol=1e-6)
        assert model.decode(code).shape == (100,)
        assert model.reconstruct(row).shape == (100,)
        assert np.ndim(model.score(row)) == 0
        # And a batch of one keeps its axis everywhere.
        assert model.encode(x[:1]).shape == (1, 3)
        assert [a.shape for a in model.encode_distribution(x[:1])] == [(1, 3), (1, 3)]
        assert model.decode(code[None]).shape == (1, 100)
        assert model.reconstruct(x[:1]).shape == (1, 100)
        assert model.score(x[:1]).shape == (1,)
        assert model.image_shape is None and model.sample(2, seed=1).shape == (2, 100)


def test_a_gray_image_model_takes_and_gives_images(models):
    folder, x, _ = models
    images = x.reshape(-1, 10, 10)
    with autoencoder.Model(folder / "gray.h5") as model:
        assert model.input_shape == (10, 10, 1) and model.image_shape == (10, 10)
        codes = model.encode(x)
        flat = model.reconstruct(x)
        assert flat.shape == (40, 100)  # flat in, flat out, as before
        for given in (images, images[..., None]):
            np.testing.assert_array_equal(model.encode(given), codes)  # used to raise: "must be 1-D or 2-D"
            got = model.reconstruct(given)
            assert got.shape == given.shape
            np.testing.assert_array_equal(got.reshape(40, 100), flat)
            np.testing.assert_array_equal(model.score(given), model.score(x))
            mean, _ = model.encode_distribution(given)
            assert mean.shape == (40, 3)
        # One image without the batch axis.
        for one in (images[3], images[3, :, :, None]):
            np.testing.assert_allclose(model.encode(one), codes[3], rtol=1e-5, atol=1e-5)
            assert model.reconstruct(one).shape == one.shape and np.ndim(model.score(one)) == 0
        # Codes in: images out, rows with flat=True.
        assert model.decode(codes).shape == (40, 10, 10)
        np.testing.assert_array_equal(model.decode(codes, flat=True), model.decode(codes).reshape(40, 100))
        assert model.decode(codes[0]).shape == (10, 10)
        assert model.sample(4, seed=2).shape == (4, 10, 10)
        np.testing.assert_array_equal(model.sample(4, seed=2, flat=True), model.sample(4, seed=2).reshape(4, 100))
        assert model.interpolate(codes[0], codes[1], steps=5).shape == (5, 10, 10)
        assert model.interpolate(codes[0], codes[1], steps=5, flat=True).shape == (5, 100)


def test_a_color_image_model_keeps_its_channels(models):
    folder, _, x = models
    images = x.reshape(-1, 6, 6, 3)
    with autoencoder.Model(folder / "color.h5") as model:
        assert model.input_shape == (6, 6, 3) and model.image_shape == (6, 6, 3)
        np.testing.assert_array_equal(model.encode(images), model.encode(x))
        assert model.reconstruct(images).shape == (40, 6, 6, 3)
        assert model.reconstruct(images[0]).shape == (6, 6, 3)
        assert model.decode(model.encode(images)).shape == (40, 6, 6, 3)
        # Without channels, 6x6 images of a 3-channel model are not its images.
        with pytest.raises(ValueError, match=r"shape \(40, 6, 6\).*model's shape \(6, 6, 3\)") as caught:
            model.encode(images[..., 0])
        assert isinstance(caught.value, autoencoder.InvalidArgumentError)


def test_images_of_another_shape_are_refused_naming_both_shapes(models):
    folder, x, _ = models
    with autoencoder.Model(folder / "gray.h5") as model:
        for bad in (np.zeros((4, 12, 12)), np.zeros((4, 10, 10, 3)), np.zeros((12, 12)), np.zeros((2, 4, 10, 10))):
            with pytest.raises(autoencoder.InvalidArgumentError) as caught:
                model.reconstruct(bad)
            message = str(caught.value)
            assert str(bad.shape) in message and "(10, 10, 1)" in message, message
        with pytest.raises(ValueError, match=r"rows of 99 values; the model expects 100 .*\(10, 10, 1\)"):
            model.encode(np.zeros((3, 99)))
    with autoencoder.Model(folder / "vae.h5") as model:  # flat rows only: images are not its input
        with pytest.raises(ValueError, match=r"must be 1-D or 2-D \(rows, 100\), got shape \(4, 10, 10\)"):
            model.encode(x.reshape(-1, 10, 10)[:4])
