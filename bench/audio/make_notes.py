"""Renders clean General MIDI notes with fluidsynth: one 1.0 s mono 16-bit WAV per (instrument, pitch).

Files are named {program_name}_{pitch}.wav (`ae audio train --condition pitch` reads the last run of
digits as the MIDI pitch). Pitches with pitch % 6 == 3 go to DIR/test/ and are never seen in DIR/train/.

    python make_notes.py --out /tmp/ae-audio-bench/notes [--rate 16000]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import mido
import numpy as np
import soundfile as sf

SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
# General MIDI programs (0-based) of clearly different timbres.
PROGRAMS = {"piano": 0, "marimba": 12, "organ": 19, "guitar": 24, "violin": 40,
            "cello": 42, "trumpet": 56, "oboe": 68, "clarinet": 71, "flute": 73}
PITCHES = range(48, 85)
TICKS_PER_BEAT = 480
TEMPO = 500_000  # microseconds a beat: 480 ticks = 0.5 s
HELD_SECONDS, NOTE_SECONDS = 0.8, 1.0
SILENCE_PEAK = 1e-3  # a rendered note whose peak stays below this is treated as silent and skipped


def seconds_to_ticks(seconds):
    return round(seconds * TICKS_PER_BEAT * 1e6 / TEMPO)


def write_note_midi(path, program, pitch):
    track = mido.MidiTrack([
        mido.MetaMessage("set_tempo", tempo=TEMPO, time=0),
        mido.Message("program_change", program=program, channel=0, time=0),
        mido.Message("note_on", note=pitch, velocity=100, channel=0, time=0),
        mido.Message("note_off", note=pitch, velocity=0, channel=0, time=seconds_to_ticks(HELD_SECONDS)),
        mido.MetaMessage("end_of_track", time=seconds_to_ticks(NOTE_SECONDS - HELD_SECONDS)),
    ])
    mido.MidiFile(ticks_per_beat=TICKS_PER_BEAT, tracks=[track]).save(path)


def render_note(name, program, pitch, rate, out_dir, scratch):
    """Renders one note; returns its WAV path, or None when fluidsynth produced silence."""
    midi_path = os.path.join(scratch, f"{name}_{pitch}.mid")
    stereo_path = os.path.join(scratch, f"{name}_{pitch}_stereo.wav")
    write_note_midi(midi_path, program, pitch)
    # -n -i: no MIDI input, no shell; -R 0 -C 0: no reverb or chorus, so each note is dry and clean.
    subprocess.run(["fluidsynth", "-ni", "-g", "0.5", "-R", "0", "-C", "0", "-r", str(rate),
                    "-F", stereo_path, SOUNDFONT, midi_path],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    audio, _ = sf.read(stereo_path, dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    length = round(NOTE_SECONDS * rate)
    mono = np.pad(mono[:length], (0, max(0, length - len(mono))))  # the release tail past 1.0 s is cut
    if np.abs(mono).max() < SILENCE_PEAK:
        return None
    split = "test" if pitch % 6 == 3 else "train"
    path = os.path.join(out_dir, split, f"{name}_{pitch}.wav")
    sf.write(path, mono, rate, subtype="PCM_16")
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder that receives train/ and test/")
    parser.add_argument("--rate", type=int, default=16000, help="sample rate in Hz (default 16000)")
    args = parser.parse_args()
    if not 8000 <= args.rate <= 96000:
        parser.error(f"--rate must be in 8000...96000 Hz (fluidsynth's range), got {args.rate}")
    if shutil.which("fluidsynth") is None or not os.path.exists(SOUNDFONT):
        sys.exit("error: fluidsynth or the FluidR3 GM soundfont is missing; run bench/audio/setup.sh first.")
    for split in ("train", "test"):
        os.makedirs(os.path.join(args.out, split), exist_ok=True)

    start = time.perf_counter()
    jobs = [(name, program, pitch) for name, program in PROGRAMS.items() for pitch in PITCHES]
    try:
        with tempfile.TemporaryDirectory() as scratch, ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            paths = list(pool.map(lambda job: render_note(*job, args.rate, args.out, scratch), jobs))
    except subprocess.CalledProcessError as error:
        sys.exit(f"error: fluidsynth failed ({' '.join(error.cmd)}); check that it runs on its own.")
    skipped = [f"{name}_{pitch}" for (name, _, pitch), path in zip(jobs, paths) if path is None]
    written = [path for path in paths if path is not None]
    test_count = sum(os.sep + "test" + os.sep in path for path in written)
    print(f"notes: {len(written) - test_count} train, {test_count} test "
          f"({len(PROGRAMS)} instruments, pitches {PITCHES.start}..{PITCHES.stop - 1}), "
          f"{len(skipped)} silent skipped{': ' + ', '.join(skipped) if skipped else ''}; "
          f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
