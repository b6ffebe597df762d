"""Sound from a timbre model (ae audio train) through the binding: a generated sound, a morph
between two generated sounds, and a streamed walk, each written to a WAV file (with soundfile
when installed, else the standard library's wave module, 16-bit).
Usage: python audio.py timbre.h5 [OUT_FOLDER]"""
import pathlib
import sys
import wave

import numpy as np

import autoencoder


def write(path, samples, rate):
    try:
        import soundfile
        soundfile.write(path, samples, rate)
    except ImportError:
        pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
        with wave.open(str(path), "wb") as f:
            f.setnchannels(1), f.setsampwidth(2), f.setframerate(rate)
            f.writeframes(pcm.tobytes())
    print(f"{path}: {len(samples) / rate:.2f} s, peak {np.abs(samples).max():.3f}")


out = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else ".")
with autoencoder.Model(sys.argv[1]) as model:
    info = model.audio_info
    if info is None:
        sys.exit(f"{sys.argv[1]} is a {model.kind} model, not a timbre model (made by ae audio train)")
    low, high = (55, 67) if info.takes_pitch else (None, None)
    a = model.audio_generate(1.5, seed=1, pitch=low)
    b = model.audio_generate(1.5, seed=2, pitch=high)
    write(out / "generated.wav", a, info.sample_rate)
    write(out / "morph.wav", model.audio_morph(a, b, steps=4, pitch_a=low, pitch_b=high), info.sample_rate)
    # A stream: a slow random walk pushed as the queue drains, pulled in blocks of 256.
    rng = np.random.default_rng(3)
    code, blocks = np.zeros(info.latent_dim), []
    with model.stream(queue_frames=8) as stream:
        for _ in range(2 * info.sample_rate // 256):
            while stream.room:
                code = 0.95 * code + 0.3 * rng.normal(size=info.latent_dim)
                stream.push(code, pitches=low)
            blocks.append(stream.pull(256))
    write(out / "stream.wav", np.concatenate(blocks), info.sample_rate)
