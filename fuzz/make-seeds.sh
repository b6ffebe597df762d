#!/usr/bin/env bash
# Writes the fuzzer's seed corpus: one tiny model file of every kind, trained with the release
# `ae` tool on generated CSV data (no network, no data set), with the checksum block zeroed so
# that mutated copies reach libhdf5 (a present checksum is checked even when unverified), plus
# one file that keeps its checksum (the block's parser is hostile-input code too); and in
# OUT_DIR/specs, each model's spec JSON, the seeds of FuzzSpec.
# Usage: bash fuzz/make-seeds.sh OUT_DIR [AE_BINARY]   (AE_BINARY defaults to .build/release/ae)
# The committed seeds are `bash fuzz/make-seeds.sh fuzz/seeds`.
# The weights are the same on every run (fixed seed, one thread); the `created` attribute and
# the per-epoch seconds in /history are not, so the files differ from run to run in those bytes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: make-seeds.sh OUT_DIR [AE_BINARY]}"
ae="${2:-$root/.build/release/ae}"
[ -x "$ae" ] || { echo "make-seeds: $ae not found (swift build -c release)" >&2; exit 1; }
mkdir -p "$out/specs"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 24 rows of 16 features in [0, 1] (a 4x4 grayscale image each) and a label in 0..2.
awk 'BEGIN {
  header = "label"; for (j = 0; j < 16; j++) header = header ",f" j; print header
  for (r = 0; r < 24; r++) {
    line = r % 3
    for (j = 0; j < 16; j++) line = line "," ((r * 7 + j * 3 + (r % 3) * j) % 11) / 10
    print line
  }
}' > "$work/labeled.csv"
cut -d, -f2- "$work/labeled.csv" > "$work/data.csv"

common=(--epochs 2 --batch 8 --validation 0.25 --seed 1 --threads 1 --quiet --data "$work/data.csv")
train() { # name, then ae train options
  local name="$1"; shift
  "$ae" train "$@" --out "$work/$name.h5" >/dev/null
}
train dense        --model dense --layers 4,2 "${common[@]}"
train deep-tanh    --model dense --layers 6,4,2 --activation tanh --loss mse --scale standard "${common[@]}"
train denoising    --model denoising --noise gaussian:0.5 --layers 4,2 "${common[@]}"
train sparse-kl    --model sparse --sparsity kl:0.05:3 --layers 4,3 "${common[@]}"
train sparse-l1    --model sparse --sparsity l1:0.01 --layers 4,2 --activation leaky_relu "${common[@]}"
train contractive  --model contractive --contractive 10 --layers 3 "${common[@]}"
train vae          --model vae --layers 4,2 "${common[@]}"
train gaussian     --model dense --layers 4,2 --loss gaussian --scale standard "${common[@]}"
train vae-gaussian --model vae --layers 4,2 --loss gaussian --scale standard "${common[@]}"
train mse-none     --model dense --layers 3 --loss mse --scale none --output-activation linear "${common[@]}"
train conv         --model dense --arch conv4s2,dense4 --image-shape 4x4x1 "${common[@]}"
train conv-vae     --model vae --arch conv2s2,dense2 --image-shape 4x4x1 "${common[@]}"
train conv-deep    --model denoising --noise masking:0.2 --arch conv2s2,conv2s2,dense2 --image-shape 4x4x1 "${common[@]}"
train conv-k5      --model dense --arch conv3k5s1,dense2 --image-shape 4x2x2 --activation sigmoid --loss mse "${common[@]}"
train overcomplete --model dense --layers 20 --overcomplete --code-activation sigmoid --activation tanh "${common[@]}"
train cvae         --model cvae --layers 4,2 --label-column label \
                   --epochs 2 --batch 8 --validation 0.25 --seed 1 --threads 1 --quiet --data "$work/labeled.csv"
"$ae" train --model dense --layers 4,2 --checkpoint "$work/ckpt" "${common[@]}" --out "$work/ckpt-model.h5" >/dev/null
cp "$work/ckpt/checkpoint.h5" "$work/checkpoint.h5"

for file in "$work"/*.h5; do
  name="$(basename "$file" .h5)"
  [ "$name" = ckpt-model ] && continue
  cp "$file" "$out/$name.h5"
  # Zero the 512-byte user block: no checksum, so libhdf5 parses whatever the fuzzer makes.
  dd if=/dev/zero of="$out/$name.h5" bs=512 count=1 conv=notrunc status=none
  # The spec attribute is plain text inside the file (a variable-length string).
  strings -n 20 "$file" | grep -m1 '^{.*"encoder"' > "$out/specs/$name.json"
done
cp "$work/dense.h5" "$out/dense-sealed.h5"
echo "make-seeds: $(ls "$out"/*.h5 | wc -l) model files, $(ls "$out"/specs/*.json | wc -l) specs in $out" >&2
