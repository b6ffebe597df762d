# The sound tests' inputs, sourced by bindings/c/tests/run.sh after fixtures.sh: pure tones
# (16 kHz, 1 s, MIDI notes 48 to 76, named tone_NN.wav so training reads their pitch from the
# name) and a tiny pitch-conditioned timbre model trained on them by the `ae` tool at $ae, in
# the folder $work. Sets audio_test_args, the arguments of bindings/c/tests/test_stream.c.
# Also usable alone: AE=.build/release/ae OUT=dir bash bindings/c/tests/audio_fixture.sh
: "${work:=${OUT:?set OUT to a folder}}" "${ae:=${AE:-.build/release/ae}}"
mkdir -p "$work/tones"
python3 - "$work/tones" <<'PY'
import math, struct, sys, wave
for note in range(48, 77, 2):
    hz = 440 * 2 ** ((note - 69) / 12)
    with wave.open(f"{sys.argv[1]}/tone_{note}.wav", "wb") as f:
        f.setnchannels(1); f.setsampwidth(2); f.setframerate(16000)
        f.writeframes(b"".join(struct.pack("<h", int(16000 * math.sin(2 * math.pi * hz * i / 16000))) for i in range(16000)))
PY
# On the STFT's bins (--harmonics 0, not the pitch-relative axis of pitch models by default), so
# the tests can make the model's input frames themselves: ln(|X| + 1e-4) per bin.
"$ae" audio train --data "$work/tones" --out "$work/timbre.h5" --condition pitch --harmonics 0 --epochs 30 --latent 4 --seed 5 --quiet >/dev/null
audio_test_args=("$work/timbre.h5" "$work/model.h5")
