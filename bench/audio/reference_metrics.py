"""The bench's audio metrics (LSD, spectral convergence, MR-STFT), exactly as in the shared definitions.

    python reference_metrics.py REF.wav EST.wav   # prints {"lsd_db": ..., "spectral_convergence": ..., "mr_stft": ...}
    python reference_metrics.py --self-test       # checks the STFT against librosa and the metrics on known cases
"""
import argparse
import json
import sys

import numpy as np
import soundfile as sf

N_FFT, HOP = 1024, 256
MR_RESOLUTIONS = ((512, 128), (1024, 256), (2048, 512))


def stft_magnitude(signal, n_fft=N_FFT, hop=HOP):
    """|STFT| as frames x bins: periodic Hann, centred with n_fft/2 zeros each side, 1 + len // hop frames."""
    padded = np.pad(np.asarray(signal, dtype=np.float64), n_fft // 2)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    frame_count = 1 + len(signal) // hop
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop][:frame_count]
    return np.abs(np.fft.rfft(frames * window, axis=1))


def log_magnitude_features(signal):
    """A timbre model's feature frames: ln(|X| + 1e-4), frames x 513."""
    return np.log(stft_magnitude(signal) + 1e-4)


def _trimmed(reference, estimate):
    length = min(len(reference), len(estimate))
    if length == 0:
        raise ValueError("a signal is empty; both signals need at least one sample.")
    return reference[:length], estimate[:length]


def spectral_convergence_of(reference_mag, estimate_mag):
    norm = np.linalg.norm(reference_mag)
    if norm == 0:
        raise ValueError("the reference is silent, so spectral convergence is undefined; use a non-silent reference.")
    return float(np.linalg.norm(reference_mag - estimate_mag) / norm)


def lsd_db(reference, estimate):
    """Log-spectral distance in dB: RMS over bins of the dB difference, floored at the reference's max - 80 dB."""
    reference, estimate = _trimmed(reference, estimate)
    ref_db = 20 * np.log10(np.maximum(stft_magnitude(reference), 1e-5))
    est_db = 20 * np.log10(np.maximum(stft_magnitude(estimate), 1e-5))
    floor = ref_db.max() - 80
    difference = np.maximum(ref_db, floor) - np.maximum(est_db, floor)
    return float(np.mean(np.sqrt(np.mean(difference ** 2, axis=1))))


def spectral_convergence(reference, estimate):
    reference, estimate = _trimmed(reference, estimate)
    return spectral_convergence_of(stft_magnitude(reference), stft_magnitude(estimate))


def mr_stft(reference, estimate):
    """Parallel WaveGAN's multi-resolution STFT loss: mean over resolutions of SC + mean |ln S - ln E|."""
    reference, estimate = _trimmed(reference, estimate)
    losses = []
    for n_fft, hop in MR_RESOLUTIONS:
        ref_mag, est_mag = stft_magnitude(reference, n_fft, hop), stft_magnitude(estimate, n_fft, hop)
        log_l1 = np.mean(np.abs(np.log(np.maximum(ref_mag, 1e-7)) - np.log(np.maximum(est_mag, 1e-7))))
        losses.append(spectral_convergence_of(ref_mag, est_mag) + log_l1)
    return float(np.mean(losses))


def all_metrics(reference, estimate):
    return {"lsd_db": lsd_db(reference, estimate),
            "spectral_convergence": spectral_convergence(reference, estimate),
            "mr_stft": mr_stft(reference, estimate)}


def read_mono(path):
    try:
        audio, rate = sf.read(path, dtype="float32", always_2d=True)
    except (RuntimeError, sf.LibsndfileError) as error:
        raise ValueError(f"{path} is not a readable audio file ({error}); pass a WAV file.") from None
    if audio.shape[1] != 1:
        raise ValueError(f"{path} has {audio.shape[1]} channels; the metrics need mono files.")
    return audio[:, 0], rate


def self_test():
    import librosa

    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000
    tone = sum(0.3 / k * np.sin(2 * np.pi * 220 * k * t + k) for k in range(1, 8))
    signal = tone + 0.01 * rng.standard_normal(len(t))  # the noise keeps every bin far above the floors

    for n_fft, hop in MR_RESOLUTIONS:
        expected = np.abs(librosa.stft(signal, n_fft=n_fft, hop_length=hop, window="hann",
                                       center=True, pad_mode="constant")).T
        assert np.allclose(stft_magnitude(signal, n_fft, hop), expected, rtol=1e-9, atol=1e-9), (n_fft, hop)

    itself = all_metrics(signal, signal)
    assert all(value == 0 for value in itself.values()), itself

    # A copy scaled by a: every dB value moves by 20 log10(a), every magnitude by the factor a. LSD falls
    # a little short of 6.02 dB because a few of the noise's (Rayleigh-distributed) bins lie near the floor.
    a = 0.5
    scaled = all_metrics(signal, a * signal)
    assert abs(scaled["lsd_db"] - 20 * np.log10(1 / a)) < 0.05, scaled
    assert abs(scaled["spectral_convergence"] - (1 - a)) < 1e-9, scaled
    assert abs(scaled["mr_stft"] - ((1 - a) + np.log(1 / a))) < 1e-9, scaled

    # Added white noise at 20 dB SNR: ||(|X+N|) - |X|||_F <= ||N||_F, and Hann frames at 75 % overlap
    # sum to a constant, so SC <= about 10^(-20/20) = 0.1; more noise must score worse on every metric.
    noise = rng.standard_normal(len(t))
    noise *= np.linalg.norm(signal) / np.linalg.norm(noise) * 10 ** (-20 / 20)
    noisy, noisier = all_metrics(signal, signal + noise), all_metrics(signal, signal + 3 * noise)
    assert 0.03 < noisy["spectral_convergence"] <= 0.101, noisy
    assert all(noisier[key] > noisy[key] > 0 for key in noisy), (noisy, noisier)

    # Trimming: a longer estimate is cut to the reference's length.
    assert all_metrics(signal, np.concatenate([signal, rng.standard_normal(999)])) == itself
    print(json.dumps({"self_test": "passed", "scaled_by_0.5": scaled, "noise_20db": noisy, "noise_10.5db": noisier}))


def main():
    parser = argparse.ArgumentParser(description="LSD, spectral convergence and MR-STFT between two mono WAV files.")
    parser.add_argument("reference", nargs="?", help="the reference WAV")
    parser.add_argument("estimate", nargs="?", help="the estimate WAV")
    parser.add_argument("--self-test", action="store_true", help="check the metrics on known cases and exit")
    args = parser.parse_args()
    if args.self_test:
        self_test()
        return
    if args.reference is None or args.estimate is None:
        parser.error("give REF.wav and EST.wav, or --self-test")
    try:
        (reference, reference_rate), (estimate, estimate_rate) = read_mono(args.reference), read_mono(args.estimate)
        if reference_rate != estimate_rate:
            raise ValueError(f"the sample rates differ ({reference_rate} and {estimate_rate} Hz); resample one file first.")
        print(json.dumps(all_metrics(reference, estimate)))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
