#!/usr/bin/env python3
"""Render General MIDI notes to WAV files for the demo's timbre model (stdlib only).

For each instrument, one MIDI file plays every pitch in turn (a note each 1.5 s, held 0.8 s);
fluidsynth renders it once with a General MIDI soundfont from Debian (dry: no reverb, no
chorus), and the render is cut into 1.0 s mono notes named {instrument}_{pitch}.wav, so
`ae audio train --condition pitch` reads each note's pitch from its name.

Usage: python3 scripts/make-notes.py OUT_DIR [--rate 16000] [--pitches 48-72] [--step 1]
"""
import argparse, os, struct, subprocess, sys, tempfile, wave

INSTRUMENTS = {"piano": 0, "marimba": 12, "organ": 19, "guitar": 24, "violin": 40, "trumpet": 56, "clarinet": 71, "flute": 73}
SOUNDFONTS = ["/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/TimGM6mb.sf2"]
TICKS = 480  # per quarter note; at 120 bpm a quarter is 0.5 s


def variable_length(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.insert(0, (n & 0x7F) | 0x80)
        n >>= 7
    return bytes(out)


def midi_file(program, pitches):
    events = variable_length(0) + bytes([0xC0, program])
    for pitch in pitches:
        events += variable_length(0) + bytes([0x90, pitch, 100])
        events += variable_length(int(0.8 * 2 * TICKS)) + bytes([0x80, pitch, 0])
        events += variable_length(int(0.7 * 2 * TICKS))
        events += bytes([0xFF, 0x01, 0x00])  # an empty text event carries the rest
    events += variable_length(0) + bytes([0xFF, 0x2F, 0x00])
    return b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS) + b"MTrk" + struct.pack(">I", len(events)) + events


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--rate", type=int, default=16000)
    parser.add_argument("--pitches", default="48-72")
    parser.add_argument("--step", type=int, default=1)
    args = parser.parse_args()
    low, high = (int(p) for p in args.pitches.split("-"))
    pitches = list(range(low, high + 1, args.step))
    soundfont = next((s for s in SOUNDFONTS if os.path.exists(s)), None)
    if soundfont is None:
        sys.exit("error: no General MIDI soundfont; install timgm6mb-soundfont or fluid-soundfont-gm")
    os.makedirs(args.out, exist_ok=True)
    written = 0
    with tempfile.TemporaryDirectory() as scratch:
        for name, program in INSTRUMENTS.items():
            mid, rendered = os.path.join(scratch, name + ".mid"), os.path.join(scratch, name + ".wav")
            with open(mid, "wb") as f:
                f.write(midi_file(program, pitches))
            subprocess.run(["fluidsynth", "-ni", "-g", "0.5", "-R", "0", "-C", "0", "-r", str(args.rate),
                            "-T", "wav", "-F", rendered, soundfont, mid], check=True, capture_output=True)
            with wave.open(rendered) as w:
                channels, width, frames = w.getnchannels(), w.getsampwidth(), w.readframes(w.getnframes())
            if width != 2:
                sys.exit(f"error: fluidsynth wrote {8 * width}-bit samples; expected 16")
            samples = struct.unpack(f"<{len(frames) // 2}h", frames)
            mono = [sum(samples[i:i + channels]) // channels for i in range(0, len(samples), channels)]
            for index, pitch in enumerate(pitches):
                start = int(index * 1.5 * args.rate)
                note = mono[start:start + args.rate]
                note += [0] * (args.rate - len(note))
                if max(abs(v) for v in note) < 30:
                    continue  # silent: the soundfont has no sample there
                with wave.open(os.path.join(args.out, f"{name}_{pitch}.wav"), "wb") as w:
                    w.setnchannels(1); w.setsampwidth(2); w.setframerate(args.rate)
                    w.writeframes(struct.pack(f"<{len(note)}h", *note))
                written += 1
    print(f"{written} notes of {len(INSTRUMENTS)} instruments in {args.out} ({soundfont})")


if __name__ == "__main__":
    main()
