"""Writes monophonic folk melodies from music21's bundled Essen collection as Standard MIDI Files.

Each piece becomes one format-0 file (one track, 480 ticks a quarter, the piece's tempo or 120 bpm
when it has none) in DIR/train/ or DIR/test/, split by piece 90/10 with a fixed seed. A chord in the
melody is reduced to its highest note. Nothing is downloaded: the corpus ships inside music21.

    python make_melodies.py --out /tmp/ae-audio-bench/melodies [--opus altdeu10,altdeu20] [--seed 0]
"""
import argparse
import os
import random
import sys
import time

import mido
from music21 import chord, corpus, exceptions21, meter, note, tempo

TICKS_PER_QUARTER = 480
VELOCITY = 90


def ticks(quarter_length):
    return round(float(quarter_length) * TICKS_PER_QUARTER)


def melody_events(score):
    """(tick, order, message) for the first part: tempo and metre changes, then note-offs before note-ons."""
    part = score.parts[0].stripTies()
    flat = part.flatten()
    events, chords = [], 0
    for mark in flat.getElementsByClass(tempo.MetronomeMark):
        microseconds = round(60e6 / mark.getQuarterBPM())
        events.append((ticks(mark.offset), 0, mido.MetaMessage("set_tempo", tempo=microseconds)))
    for signature in flat.getElementsByClass(meter.TimeSignature):
        events.append((ticks(signature.offset), 0, mido.MetaMessage(
            "time_signature", numerator=signature.numerator, denominator=signature.denominator)))
    for element in flat.notes:
        if element.duration.quarterLength == 0:
            continue  # grace notes have no time of their own
        if isinstance(element, chord.Chord):
            chords += 1
            pitch = max(element.pitches, key=lambda p: p.ps)
        elif isinstance(element, note.Note):
            pitch = element.pitch
        else:
            continue  # unpitched percussion
        midi = int(round(pitch.ps))
        start, end = ticks(element.offset), ticks(element.offset + element.duration.quarterLength)
        events.append((start, 2, mido.Message("note_on", note=midi, velocity=VELOCITY)))
        events.append((end, 1, mido.Message("note_off", note=midi, velocity=0)))
    return events, chords


def write_midi(path, events):
    if not any(event[0] == 0 and event[2].type == "set_tempo" for event in events):
        events.append((0, 0, mido.MetaMessage("set_tempo", tempo=500_000)))  # 120 bpm, MIDI's own default
    track, now = mido.MidiTrack(), 0
    for tick, _, message in sorted(events, key=lambda event: event[:2]):
        track.append(message.copy(time=tick - now))
        now = tick
    mido.MidiFile(type=0, ticks_per_beat=TICKS_PER_QUARTER, tracks=[track]).save(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder that receives train/ and test/")
    parser.add_argument("--opus", default="altdeu10,altdeu20",
                        help="Essen collection files to take, comma-separated (default altdeu10,altdeu20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the 90/10 train/test split")
    args = parser.parse_args()
    start = time.perf_counter()

    melodies, chord_count, skipped = [], 0, 0
    for opus_name in args.opus.split(","):
        try:
            opus = corpus.parse(f"essenFolksong/{opus_name}")
        except exceptions21.CorpusException:
            sys.exit(f"error: music21 has no Essen file {opus_name}; pick names from music21/corpus/essenFolksong/.")
        for index, score in enumerate(opus.scores):
            events, chords = melody_events(score)
            if not any(message.type == "note_on" for _, _, message in events):
                skipped += 1
                continue
            chord_count += chords
            melodies.append((f"{opus_name}_{index:03d}", events))

    random.Random(args.seed).shuffle(melodies)
    test_count = len(melodies) // 10
    for split in ("train", "test"):
        os.makedirs(os.path.join(args.out, split), exist_ok=True)
    for position, (name, events) in enumerate(melodies):
        split = "test" if position < test_count else "train"
        write_midi(os.path.join(args.out, split, f"{name}.mid"), events)
    print(f"melodies: {len(melodies) - test_count} train, {test_count} test from {args.opus} "
          f"({skipped} pieces without notes skipped, {chord_count} chords reduced to their top note); "
          f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
