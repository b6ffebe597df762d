# The C test's inputs, sourced by bindings/c/tests/run.sh and scripts/sanitizers.sh: a small
# model and the Swift side's answers for it, written into the folder $work by the `ae` tool at
# $ae (from the checkout at $root). The model is calibrated (an anomaly threshold); the other is not. Sets c_test_args, the arguments of
# bindings/c/tests/test_autoencoder.c.
awk 'BEGIN { srand(7); for (r = 0; r < 60; r++) { line = ""; for (j = 0; j < 20; j++) line = line (j ? "," : "") sprintf("%.4f", 10 * rand() - 2); print line } }' > "$work/x.csv"
"$ae" train --layers 12,4 --activation tanh --loss mse --scale standard --epochs 5 --batch 16 --score excess --calibrate 0.9 --data "$work/x.csv" --out "$work/model.h5" --quiet >/dev/null
"$ae" train --layers 6 --loss mse --scale standard --epochs 1 --data "$work/x.csv" --out "$work/other.h5" --quiet >/dev/null
# The same rows as 4x5 images: an image model for ae_denoise_image and ae_inpaint_image.
"$ae" train --layers 8,3 --loss mse --scale standard --epochs 2 --image-shape 4x5 --data "$work/x.csv" --out "$work/image.h5" --quiet >/dev/null
"$ae" encode "$work/model.h5" --data "$work/x.csv" --out "$work/z.csv"
"$ae" reconstruct "$work/model.h5" --data "$work/x.csv" --out "$work/y.csv"
"$ae" train --model vae --layers 10,3 --loss mse --scale standard --epochs 3 --batch 16 --data "$work/x.csv" --out "$work/vae.h5" --quiet >/dev/null
"$ae" sample "$work/vae.h5" -n 5 --seed 7 --out "$work/samples.csv"
# A conditional VAE on the same rows, row r labelled r % 3, and its reconstructions.
awk 'BEGIN { h = ""; for (j = 0; j < 20; j++) h = h "f" j ","; print h "label" } { print $0 "," (NR - 1) % 3 }' "$work/x.csv" > "$work/xl.csv"
"$ae" train --model cvae --layers 10,3 --loss mse --scale standard --epochs 3 --batch 16 --score combined --data "$work/xl.csv" --label-column label \
  --out "$work/cvae.h5" --quiet >/dev/null
"$ae" reconstruct "$work/cvae.h5" --data "$work/xl.csv" --label-column label --out "$work/cvae_y.csv"
objective=$("$ae" eval "$work/model.h5" --data "$work/x.csv" | sed 's/.*"objective": \([^,}]*\).*/\1/')
# The cvae with a second, continuous condition group, made with h5py (from .venv: bash
# scripts/python-env.sh) and sealed; without h5py the C test skips what needs it.
two_groups=()
if "$root/.venv/bin/python" -c "import h5py" 2>/dev/null &&
   "$root/.venv/bin/python" bindings/c/tests/conditions_model.py "$work/cvae.h5" "$work/two-groups-unsealed.h5" &&
   "$ae" seal "$work/two-groups-unsealed.h5" --out "$work/two-groups.h5" >/dev/null; then
  two_groups=("$work/two-groups.h5")
fi
c_test_args=("$work/model.h5" "$work/x.csv" "$work/z.csv" "$work/y.csv" "$objective" "$work/other.h5" "$work"
             "$work/vae.h5" "$work/samples.csv" "$work/cvae.h5" "$work/cvae_y.csv" ${two_groups[@]+"${two_groups[@]}"})
