#!/usr/bin/env bash
# The main job, end to end: train a deep dense autoencoder on Fashion-MNIST, save it, evaluate
# it against PCA with the same code size, draw test images above their reconstructions, detect
# anomalies with a one-class model (a threshold, AUROC), train a VAE and draw images it
# generates, train a convolutional denoising model, draw a gallery of the models' pictures
# (out/gallery/index.html), then use the models from C (libautoencoder +
# the encode example) and from Python (the binding); then synthetic tables; then sound: a timbre
# model of General MIDI notes (generate, morph, a C stream, Python) and a melody model (MIDI and
# WAV phrases).
# Everything lands in out/. Usage: bash scripts/demo.sh  (EPOCHS=N, AUDIO_EPOCHS=N to change lengths)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --demo

ae=.build/release/ae
epochs=${EPOCHS:-10}
mkdir -p out

echo "== train: 784-256-32-256-784, ReLU, sigmoid output, BCE, Adam 1e-3, batch 128, $epochs epochs"
$ae train --model dense --layers 256,32 --activation relu --loss bce --optimizer adam --lr 1e-3 \
  --batch 128 --epochs "$epochs" --seed 1 --validation 0.1 --data fashion-mnist --out out/model.h5 | tee out/train.json

echo "== inspect"
$ae inspect out/model.h5

echo "== evaluate on the 10,000 test images"
$ae eval out/model.h5 --data fashion-mnist:test | tee out/eval.json

echo "== baseline: PCA with 32 components"
$ae pca --components 32 --data fashion-mnist | tee out/pca.json

echo "== picture: test images (top) and their reconstructions (bottom)"
$ae montage out/model.h5 --data fashion-mnist:test --count 12 --out out/reconstructions.png

echo "== anomaly detection: a model of trousers only, a threshold for 5 % contamination, the test set scored against the truth (docs/ANOMALY.md)"
python3 scripts/make-one-class.py out/one-class 1
$ae train --data out/one-class/1.npy --layers 256,32 --epochs "$epochs" --seed 1 --contamination 0.05 --out out/trousers.h5 --quiet
$ae score out/trousers.h5 --data fashion-mnist:test --out out/trousers-scores.csv --truth out/one-class/truth-1.csv | tee out/trousers-detection.json

echo "== a variational autoencoder (784-400-(20,20)-400-784), its -ELBO, and 30 images it generates"
$ae train --model vae --layers 400,20 --epochs "$epochs" --seed 1 --data fashion-mnist --out out/vae.h5 --quiet >/dev/null
$ae eval out/vae.h5 --data fashion-mnist:test
$ae montage out/vae.h5 --data fashion-mnist:test --samples 30 --count 10 --out out/samples.png

echo "== install libautoencoder (the C library) into out/prefix"
bash scripts/install-lib.sh "$PWD/out/prefix"
bash scripts/python-env.sh
.venv/bin/python -m pip install --quiet --disable-pip-version-check ./bindings/python
echo "== Python: the model through the ctypes binding"
AUTOENCODER_LIBRARY="$PWD/out/prefix/lib/libautoencoder.so" .venv/bin/python bindings/python/examples/fashion.py out/model.h5 out/test-rows.csv
echo "== a convolutional denoising autoencoder (conv16s2,conv32s2,dense32, Gaussian noise 0.5), used from Python"
$ae train --model denoising --noise gaussian:0.5 --arch conv16s2,conv32s2,dense32 --epochs "$(( (epochs + 1) / 2 ))" --seed 1 \
  --validation 0 --data fashion-mnist --out out/denoise.h5 --quiet
AUTOENCODER_LIBRARY="$PWD/out/prefix/lib/libautoencoder.so" .venv/bin/python bindings/python/examples/denoise.py out/denoise.h5
echo "== whole pictures: a noisy 80x101 mosaic of test images, denoised and inpainted tile by tile (docs/DENOISE.md)"
python3 scripts/make-noisy-mosaic.py out/mosaic
$ae denoise out/denoise.h5 --in out/mosaic/noisy.png --out out/mosaic/denoised.png
$ae inpaint out/denoise.h5 --in out/mosaic/clean.png --mask out/mosaic/mask.png --out out/mosaic/filled.png

echo "== compressed codes: the test images as 8-bit codes of the dense model, and back (docs/COMPRESSION.md)"
$ae compress out/model.h5 --data fashion-mnist:test --bits 8 --out out/codes.bin
$ae decompress out/model.h5 --in out/codes.bin --out out/decompressed.npy

echo "== gallery: the models' pictures in out/gallery, with an index.html to open in a browser (docs/PICTURES.md)"
mkdir -p out/gallery
$ae plot out/model.h5 --what history --out out/gallery/loss.svg
$ae plot out/model.h5 --what latent --data fashion-mnist:test --limit 2000 --out out/gallery/latent.svg
$ae plot out/model.h5 --what recon --data fashion-mnist:test --count 12 --out out/gallery/reconstructions.png
$ae plot out/vae.h5 --what samples --data fashion-mnist:test --count 30 --columns 10 --out out/gallery/vae-samples.png
$ae plot out/vae.h5 --what latent --data fashion-mnist:test --limit 2000 --out out/gallery/vae-latent.svg
$ae plot out/vae.h5 --what interpolation --data fashion-mnist:test --from 0 --to 1 --count 10 --out out/gallery/vae-path.png
$ae plot out/trousers.h5 --what scores --data fashion-mnist:test --truth out/one-class/truth-1.csv --out out/gallery/trousers-scores.svg
$ae plot out/trousers.h5 --what roc --data fashion-mnist:test --truth out/one-class/truth-1.csv --out out/gallery/trousers-roc.svg
# Denoising before and after: 10 test images with the demo's noise (sigma 0.5 of the range, clipped), above the model's output.
.venv/bin/python - <<'PY'
import gzip, os
import numpy as np
folder = os.environ.get("AE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
with gzip.open(f"{folder}/t10k-images-idx3-ubyte.gz") as f:
    clean = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:10].astype(np.float32)
noisy = np.clip(clean + 127.5 * np.random.default_rng(6).standard_normal(clean.shape, dtype=np.float32), 0, 255)
np.save("out/gallery/noisy.npy", noisy)
PY
$ae plot out/denoise.h5 --what recon --data out/gallery/noisy.npy --count 10 --out out/gallery/denoise.png
cat > out/gallery/index.html <<'HTML'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Autoencoder demo: pictures</title>
<style>body{font-family:sans-serif;max-width:1400px;margin:2em auto;color:#222}figure{display:inline-block;margin:0 1.5em 2em 0;vertical-align:top}
img{max-width:100%;border:1px solid #ddd}figcaption{max-width:640px}</style></head><body>
<h1>Autoencoder demo: pictures</h1>
<p>Drawn by <code>ae plot</code> from the models <code>scripts/demo.sh</code> trained (commands in docs/PICTURES.md).</p>
<figure><a href="loss.svg"><img src="loss.svg" width="640" alt="loss curves"></a><figcaption>Training and validation loss per epoch of the dense autoencoder (784-256-32-256-784).</figcaption></figure>
<figure><a href="latent.svg"><img src="latent.svg" width="640" alt="latent scatter"></a><figcaption>Its 32-d codes of 2000 test images, by PCA to 2-d, coloured by class.</figcaption></figure>
<figure><a href="reconstructions.png"><img src="reconstructions.png" alt="reconstructions"></a><figcaption>Test images (top) and the dense autoencoder's reconstructions (bottom).</figcaption></figure>
<figure><a href="vae-samples.png"><img src="vae-samples.png" alt="VAE samples"></a><figcaption>30 images the VAE generates from its prior.</figcaption></figure>
<figure><a href="vae-latent.svg"><img src="vae-latent.svg" width="640" alt="VAE latent scatter"></a><figcaption>The VAE's 20-d posterior means of 2000 test images, by PCA, coloured by class.</figcaption></figure>
<figure><a href="vae-path.png"><img src="vae-path.png" alt="VAE interpolation"></a><figcaption>From an ankle boot (left) to a pullover (right): the VAE's decoded path between their codes, along the great circle.</figcaption></figure>
<figure><a href="trousers-scores.svg"><img src="trousers-scores.svg" width="640" alt="score histogram"></a><figcaption>Anomaly scores of the test set from a model of trousers only: trousers (normal) against the rest, and the threshold set for 5 % contamination.</figcaption></figure>
<figure><a href="trousers-roc.svg"><img src="trousers-roc.svg" width="640" alt="ROC curve"></a><figcaption>The same scores as a ROC curve, with the AUROC and where the threshold sits.</figcaption></figure>
<figure><a href="denoise.png"><img src="denoise.png" alt="denoising"></a><figcaption>Noisy test images (Gaussian, sigma 0.5, clipped; top) and the convolutional denoising autoencoder's output (bottom).</figcaption></figure>
<figure><a href="../mosaic/noisy.png"><img src="../mosaic/noisy.png" width="303" alt="noisy mosaic"></a> <a href="../mosaic/denoised.png"><img src="../mosaic/denoised.png" width="303" alt="denoised mosaic"></a><figcaption>A noisy 80x101 mosaic of test images and <code>ae denoise</code>'s output, tile by tile with blended seams (tiles straddling two items look unlike the training images: see docs/DENOISE.md).</figcaption></figure>
<figure><a href="../mosaic/filled.png"><img src="../mosaic/filled.png" width="303" alt="inpainted mosaic"></a><figcaption>The clean mosaic with holes (out/mosaic/mask.png) filled by <code>ae inpaint</code>.</figcaption></figure>
</body></html>
HTML

PKG_CONFIG_PATH="$PWD/out/prefix/lib/pkgconfig" make -s -C bindings/c encode
echo "== C: bindings/c/examples/encode.c built with pkg-config; codes of 3 test images (first 100 characters):"
bindings/c/encode out/model.h5 out/test-rows.csv | cut -c1-100
make -s -C bindings/c clean

echo "== synthetic tables: a model of a generated shop table, 1000 synthetic rows, their quality (docs/AUGMENT.md)"
python3 scripts/make-shop-table.py out/shop.csv
$ae augment fit out/shop.csv --out out/shop.h5 --seed 1 --quiet
$ae augment sample out/shop.h5 --rows 1000 --seed 1 --out out/shop-synthetic.csv --quiet
$ae augment report out/shop.csv out/shop-synthetic.csv --target category --html out/shop-report.html
AUTOENCODER_LIBRARY="$PWD/out/prefix/lib/libautoencoder.so" .venv/bin/python bindings/python/examples/table.py out/shop.h5

echo "== sound: General MIDI notes (fluidsynth), a timbre model conditioned on pitch; reconstruct, generate, morph (docs/AUDIO.md)"
python3 scripts/make-notes.py out/notes --pitches 48-72 --step 2
$ae audio train --data out/notes --out out/timbre.h5 --condition pitch --epochs "${AUDIO_EPOCHS:-30}" --quiet
$ae audio reconstruct out/timbre.h5 out/notes/flute_60.wav --out out/flute_60-again.wav --spectrogram out/flute_60-again.png
$ae audio generate out/timbre.h5 --seconds 4 --seed 7 --pitch 63 --out out/generated.wav --spectrogram out/generated.png
$ae audio morph out/timbre.h5 out/notes/flute_60.wav out/notes/violin_60.wav --steps 8 --out out/morph.wav
$ae audio griffinlim out/notes/violin_60.wav --out out/violin_60-griffinlim.wav
echo "== the timbre model from C (a 64-sample block stream to WAV) and from Python (generate, morph)"
PKG_CONFIG_PATH="$PWD/out/prefix/lib/pkgconfig" make -s -C bindings/c stream
bindings/c/stream out/timbre.h5 out/stream.wav 4 60 1
make -s -C bindings/c clean
AUTOENCODER_LIBRARY="$PWD/out/prefix/lib/libautoencoder.so" .venv/bin/python bindings/python/examples/audio.py out/timbre.h5 out

echo "== melodies: a melody VAE over 2-bar phrases; 8 new phrases and a path between two as MIDI and WAV (docs/MUSIC.md)"
$ae music make-examples --out out/melodies -n 400 --seed 1
$ae music make-examples --out out/melodies-held-out -n 100 --seed 2
$ae music train --data out/melodies --bars 2 --out out/melody.h5 --seed 1 --transpose 0 --quiet
$ae music eval out/melody.h5 --data out/melodies-held-out
$ae music generate out/melody.h5 -n 8 --seed 1 --out out/phrases.mid --wav out/phrases.wav --tempo 100 --key Am
$ae music generate out/melody.h5 -n 4 --seed 2 --out out/phrases-timbre.mid --wav out/phrases-timbre.wav --timbre out/timbre.h5 --sample-rate 16000
$ae music interpolate out/melody.h5 out/melodies-held-out/melody-001.mid out/melodies-held-out/melody-002.mid --steps 6 \
  --out out/path.mid --wav out/path.wav

python3 - <<'PY'
import json
model = json.load(open("out/eval.json"))
pca = json.load(open("out/pca.json"))
print(f"== summary\n"
      f"autoencoder test BCE {model['bce']:.1f} nats/image, MSE {model['mse']:.4f} per pixel\n"
      f"PCA-32      test MSE {pca['mse']:.4f} per pixel\n"
      f"autoencoder / PCA MSE ratio: {model['mse'] / pca['mse']:.2f} (lower is better)\n"
      f"files: out/model.h5, out/reconstructions.png, out/vae.h5, out/samples.png, out/denoise.h5, out/shop.h5, "
      f"out/shop-synthetic.csv, out/shop-report.html,\n"
      f"out/timbre.h5, out/generated.wav, out/generated.png, out/morph.wav, out/stream.wav, out/melody.h5, "
      f"out/phrases.mid, out/phrases.wav, out/path.mid, out/path.wav")
PY
echo "gallery: $PWD/out/gallery/index.html (open it in a browser)"
