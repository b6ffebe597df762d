"""Model.denoise and Model.inpaint: whole images of any size through an image model, via the C calls."""
import numpy as np
import pytest

import autoencoder
from autoencoder import AutoencoderError

from ae_tool import ae


def smooth_images(rng, count, height, width):
    """Smooth fields in 0..255: a few low sinusoids each, what a small model can learn from 8x8 crops."""
    y, x = np.mgrid[0:height, 0:width]
    images = []
    for _ in range(count):
        field = np.zeros((height, width))
        for _ in range(3):
            a, b, phase = rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.6), rng.uniform(0, 6.3)
            field += np.sin(a * y + b * x + phase)
        images.append(255 * (0.5 + field / 6))
    return np.array(images, np.float32)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """An 8x8 denoising model trained on smooth 0..255 fields, and a flat (non-image) model."""
    folder = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(3)
    np.save(folder / "train.npy", smooth_images(rng, 3000, 8, 8))
    ae("train", "--model", "denoising", "--noise", "gaussian:0.2", "--layers", "64,16", "--epochs", "30",
       "--lr", "3e-3", "--data", folder / "train.npy", "--out", folder / "denoise.h5", "--quiet", "--seed", "1")
    np.save(folder / "flat.npy", rng.random((50, 12)).astype(np.float32))
    ae("train", "--layers", "6,3", "--loss", "mse", "--epochs", "1", "--data", folder / "flat.npy",
       "--out", folder / "flat.h5", "--quiet")
    return folder


def test_one_tile_is_the_plain_reconstruction(models):
    with autoencoder.Model(models / "denoise.h5") as model:
        image = smooth_images(np.random.default_rng(1), 1, 8, 8)[0]
        np.testing.assert_array_equal(model.denoise(image), model.reconstruct(image))


def test_denoising_an_image_bigger_than_the_tile_lowers_its_error(models):
    rng = np.random.default_rng(2)
    clean = smooth_images(rng, 1, 31, 45)[0]
    noisy = np.clip(clean + rng.normal(0, 0.2 * 255, clean.shape), 0, 255).astype(np.float32)
    with autoencoder.Model(models / "denoise.h5") as model:
        cleaned = model.denoise(noisy)
        assert cleaned.shape == clean.shape and cleaned.dtype == np.float32
        before, after = np.mean((noisy - clean) ** 2), np.mean((cleaned - clean) ** 2)
        assert after < 0.5 * before, (before, after)
        # RGB through a 1-channel model: channel by channel.
        rgb = np.stack([noisy, noisy[::-1], noisy[:, ::-1]], axis=-1)
        out = model.denoise(rgb)
        assert out.shape == rgb.shape
        np.testing.assert_allclose(out[..., 1], model.denoise(np.ascontiguousarray(noisy[::-1])), atol=1e-3)


def test_inpainting_keeps_known_pixels_and_beats_the_mean_fill(models):
    rng = np.random.default_rng(5)
    clean = smooth_images(rng, 1, 24, 30)[0]
    known = rng.random(clean.shape) > 0.2
    known[8:15, 10:18] = False
    image = np.where(known, clean, np.nan).astype(np.float32)  # missing pixels may hold NaN
    with autoencoder.Model(models / "denoise.h5") as model:
        mean_fill = model.inpaint(image, known, iterations=0)
        filled = model.inpaint(image, known, iterations=20)
    np.testing.assert_array_equal(filled[known], clean[known])
    start, end = np.mean((mean_fill[~known] - clean[~known]) ** 2), np.mean((filled[~known] - clean[~known]) ** 2)
    assert end < 0.5 * start, (start, end)


def test_bad_images_raise_clear_errors(models):
    with autoencoder.Model(models / "denoise.h5") as model:
        image = np.full((10, 10), 100, np.float32)
        image[3, 7] = np.nan
        with pytest.raises(autoencoder.NonFiniteError, match="row 3, column 7"):
            model.denoise(image)
        with pytest.raises(ValueError, match="height, width"):
            model.denoise(np.zeros(10, np.float32))
        with pytest.raises(ValueError, match="known_mask"):
            model.inpaint(np.zeros((10, 10)), np.ones((5, 5)))
        with pytest.raises(ValueError, match="no pixel as known"):
            model.inpaint(np.zeros((10, 10)), np.zeros((10, 10)))
        with pytest.raises(ValueError, match="iterations"):
            model.inpaint(np.zeros((10, 10)), np.ones((10, 10)), iterations=-1)
    with autoencoder.Model(models / "flat.h5") as flat:
        with pytest.raises(AutoencoderError, match="not images"):
            flat.denoise(np.zeros((10, 10), np.float32))
