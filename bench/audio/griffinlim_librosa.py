"""Times librosa's Griffin-Lim (32 iterations, n_fft 1024, hop 256, momentum 0.99) on synthetic 16 kHz clips.

The clips (a 220 Hz harmonic tone with vibrato) are written as DIR/tone_{seconds}s.wav when missing, so
the Swift side (`ae audio griffinlim`) times the very same files. One thread: the script pins the
BLAS/OpenMP/numba thread counts to 1 before numpy loads. Timed per repeat: the STFT magnitude of the
clip and librosa.griffinlim on it (file reading and writing are outside); one untimed warm-up first.
Each repeat is timed by the wall clock and by the process's CPU time (what it cost apart from waiting
for a core on a busy machine).

    python griffinlim_librosa.py --dir /tmp/ae-audio-bench/clips [--lengths 1,10] [--repeats 5] [--json out.json]
"""
import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[variable] = "1"

import argparse
import json
import time

import librosa
import numpy as np
import soundfile as sf

RATE, N_FFT, HOP, ITERATIONS, MOMENTUM = 16000, 1024, 256, 32, 0.99


def tone_with_vibrato(seconds):
    """Eight harmonics of 220 Hz with a 5.5 Hz, +-1 % vibrato and 10 ms fades, peak 0.5."""
    t = np.arange(round(seconds * RATE)) / RATE
    frequency = 220 * (1 + 0.01 * np.sin(2 * np.pi * 5.5 * t))
    phase = 2 * np.pi * np.cumsum(frequency) / RATE
    signal = sum(np.sin(k * phase) / k for k in range(1, 9))
    fade = np.minimum(1, np.minimum(t, t[-1] - t) / 0.01)
    signal *= fade
    return (0.5 * signal / np.abs(signal).max()).astype(np.float32)


def clip_path(folder, seconds):
    path = os.path.join(folder, f"tone_{seconds}s.wav")
    if not os.path.exists(path):
        os.makedirs(folder, exist_ok=True)
        sf.write(path, tone_with_vibrato(seconds), RATE, subtype="PCM_16")
    return path


def reconstruct(signal):
    magnitude = np.abs(librosa.stft(signal, n_fft=N_FFT, hop_length=HOP, window="hann", center=True,
                                    pad_mode="constant"))
    return librosa.griffinlim(magnitude, n_iter=ITERATIONS, hop_length=HOP, n_fft=N_FFT, window="hann",
                              center=True, pad_mode="constant", length=len(signal), momentum=MOMENTUM,
                              init="random", random_state=0)


def time_clip(path, repeats):
    signal, rate = sf.read(path, dtype="float32")
    if signal.ndim != 1 or rate != RATE:
        raise SystemExit(f"error: {path} must be a mono {RATE} Hz file.")
    output = reconstruct(signal)  # warm-up: first calls build FFT plans and caches
    seconds, cpu_seconds = [], []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        output = reconstruct(signal)
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu_start)
    sf.write(path.replace(".wav", "_librosa.wav"), output, RATE, subtype="PCM_16")
    return {"clip": path, "clip_seconds": len(signal) / RATE, "repeat_seconds": seconds,
            "median_seconds": float(np.median(seconds)), "repeat_cpu_seconds": cpu_seconds,
            "median_cpu_seconds": float(np.median(cpu_seconds))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="folder of the clips (written when missing)")
    parser.add_argument("--lengths", default="1,10", help="clip lengths in seconds, comma-separated (default 1,10)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats after the warm-up (default 5)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    lengths = [int(length) for length in args.lengths.split(",")]
    report = {"librosa": librosa.__version__, "numpy": np.__version__, "threads": 1,
              "n_fft": N_FFT, "hop": HOP, "iterations": ITERATIONS, "momentum": MOMENTUM,
              "clips": [time_clip(clip_path(args.dir, seconds), args.repeats) for seconds in lengths]}
    text = json.dumps(report, indent=2)
    if args.json:
        with open(args.json, "w") as file:
            file.write(text)
    print(text)


if __name__ == "__main__":
    main()
