"""Compression and features on Fashion-MNIST (issue 13), one run.

Rate-distortion: dense and convolutional autoencoders at several code widths, their test-set
codes compressed by `ae compress` at several bit depths, against JPEG (Pillow, grey, quality
swept) and PCA-k codes quantized the same way. Bytes per image count the whole file (header,
per-dimension ranges, payload) over the 10,000 test images; the decoders (the model, PCA's
basis) are shared by both ends and not counted. PSNR is the mean of per-image PSNR on 0..255
pixels, every decoded image rounded and clipped to 0..255 first (as a stored image would be),
each image's PSNR capped at 100 dB.

Features: a logistic regression (the same scikit-learn settings on both sides) on our 32-d
codes (`ae encode`) against one on PCA-32 features; Fashion-MNIST test label accuracy.
"""
import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np
from PIL import Image
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import fashion  # noqa: E402

AE = os.environ.get("AE_BINARY", os.path.join(HERE, "..", "..", ".build", "release", "ae"))
JPEG_QUALITIES = [1, 2, 3, 5, 8, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 95]


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ae(*args):
    return subprocess.run([AE, *map(str, args)], check=True, capture_output=True, text=True).stdout


def psnr(original, decoded):
    """Mean of per-image PSNR on 0..255 pixels (decoded rounded and clipped first)."""
    decoded = np.clip(np.rint(decoded), 0, 255)
    mse = ((original.astype(np.float64) - decoded) ** 2).mean(axis=1)
    return float(np.mean(np.minimum(10 * np.log10(255.0 ** 2 / np.maximum(mse, 1e-12)), 100.0)))


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


# --- JPEG ---------------------------------------------------------------------------------

def scan_bytes(jpeg):
    """Bytes of a JPEG's entropy-coded scan (after the SOS header, before EOI): the file less
    the header (quantization and Huffman tables, frame and scan headers) that images made with
    the same standard tables could share."""
    sos = jpeg.index(b"\xff\xda")
    header_length = int.from_bytes(jpeg[sos + 2:sos + 4], "big")
    return len(jpeg) - (sos + 2 + header_length) - 2


def jpeg_curve(images):
    """Per quality: mean bytes per image of the whole file (optimized Huffman tables, the
    smallest file Pillow writes), mean scan bytes with the standard tables (the header
    amortised), and the mean per-image PSNR (the same pixels either way)."""
    curve = []
    for quality in JPEG_QUALITIES:
        sizes, scans, decoded = [], [], np.empty_like(images)
        for i, row in enumerate(images):
            picture = Image.fromarray(row.reshape(28, 28).astype(np.uint8), mode="L")
            whole, standard = io.BytesIO(), io.BytesIO()
            picture.save(whole, format="JPEG", quality=quality, optimize=True)
            picture.save(standard, format="JPEG", quality=quality)
            sizes.append(whole.tell())
            scans.append(scan_bytes(standard.getvalue()))
            decoded[i] = np.asarray(Image.open(io.BytesIO(whole.getvalue())), dtype=np.float32).reshape(-1)
        curve.append({"quality": quality, "bytes": float(np.mean(sizes)), "scan_bytes": float(np.mean(scans)),
                      "psnr": psnr(images, decoded)})
        log(f"JPEG q{quality}: {curve[-1]['bytes']:.0f} B ({curve[-1]['scan_bytes']:.0f} B scan), {curve[-1]['psnr']:.2f} dB")
    return curve


def jpeg_bytes_for(curve, target, key):
    """The bytes per image JPEG needs for `target` dB (by `key`), interpolated linearly between
    the qualities swept, or None when even its best quality is below it."""
    for low, high in zip(curve, curve[1:]):
        if low["psnr"] <= target <= high["psnr"]:
            t = (target - low["psnr"]) / max(high["psnr"] - low["psnr"], 1e-9)
            return low[key] + t * (high[key] - low[key])
    return curve[0][key] if target < curve[0]["psnr"] else None


def frontier(points, budget):
    """The best PSNR among (bytes, psnr, label) points within `budget` bytes, or None."""
    fitting = [p for p in points if p[0] <= budget]
    return max(fitting, key=lambda p: p[1]) if fitting else None


def jpeg_at(curve, size, key):
    """JPEG's best PSNR within `size` bytes per image (by `key`), or None when even quality 1 is larger."""
    fitting = [point for point in curve if point[key] <= size]
    return max(fitting, key=lambda point: point["psnr"]) if fitting else None


# --- Quantized PCA codes, packed as ae compress packs them ---------------------------------

def packed_size(codes, bits):
    """The bytes of a compressed-code file holding `codes` at `bits` bits (docs/COMPRESSION.md):
    40-byte header, offsets and scales, the levels bit-packed (deflated when smaller)."""
    low, high = codes.min(axis=0), codes.max(axis=0)
    scale = (high - low) / (2 ** bits - 1)
    safe = np.where(scale > 0, scale, 1)
    levels = np.clip(np.rint((codes - low) / safe), 0, 2 ** bits - 1).astype(np.uint32)
    levels[:, scale == 0] = 0
    bit_planes = ((levels.reshape(-1, 1) >> np.arange(bits, dtype=np.uint32)) & 1).astype(np.uint8)
    packed = np.packbits(bit_planes.reshape(-1), bitorder="little").tobytes()
    payload = min(len(packed), len(zlib.compress(packed, 9)))
    return 40 + 8 * codes.shape[1] + payload, low + levels * scale


def pca_rows(pca, test, bits_list):
    codes = pca.transform(test / 255.0).astype(np.float32)
    rows = []
    for bits in bits_list:
        size, quantized = packed_size(codes, bits)
        decoded = pca.inverse_transform(quantized) * 255.0
        rows.append({"bits": bits, "bytes": size / len(test), "psnr": psnr(test, decoded)})
    ceiling = psnr(test, pca.inverse_transform(codes) * 255.0)
    return rows, ceiling


# --- Ours ---------------------------------------------------------------------------------

def train(kind, latent, epochs, threads, folder):
    path = f"{folder}/{kind}-{latent}.h5"
    model = ["--layers", f"256,{latent}"] if kind == "dense" else ["--arch", f"conv16s2,conv32s2,dense{latent}"]
    started = time.time()
    ae("train", *model, "--activation", "relu", "--loss", "bce", "--optimizer", "adam", "--lr", "1e-3", "--batch", "128",
       "--epochs", epochs, "--seed", 1, "--validation", 0, "--data", "fashion-mnist", "--threads", threads, "--quiet", "--out", path)
    log(f"trained {kind}-{latent} in {time.time() - started:.0f} s")
    return path


def our_rows(model, test, bits_list, clips, threads, folder):
    rows = []
    for bits in bits_list:
        for clip in clips:
            codes, decoded = f"{folder}/codes.bin", f"{folder}/decoded.npy"
            figures = json.loads(ae("compress", model, "--data", "fashion-mnist:test", "--bits", bits, "--clip", clip,
                                    "--out", codes, "--threads", threads))
            ae("decompress", model, "--in", codes, "--out", decoded, "--threads", threads)
            rows.append({"bits": bits, "clip": clip, "bytes": os.path.getsize(codes) / len(test),
                         "deflated": figures["deflated"], "psnr": psnr(test, np.load(decoded))})
    ae("reconstruct", model, "--data", "fashion-mnist:test", "--out", f"{folder}/reconstructed.npy", "--threads", threads)
    return rows, psnr(test, np.load(f"{folder}/reconstructed.npy"))


def features(model, pca, train_images, test_images, train_labels, test_labels, threads, folder):
    """Test accuracy of one logistic regression on our codes and one on PCA features."""
    ae("encode", model, "--data", "fashion-mnist", "--out", f"{folder}/train-codes.npy", "--threads", threads)
    ae("encode", model, "--data", "fashion-mnist:test", "--out", f"{folder}/test-codes.npy", "--threads", threads)
    sides = {
        "codes": (np.load(f"{folder}/train-codes.npy"), np.load(f"{folder}/test-codes.npy")),
        "pca": (pca.transform(train_images), pca.transform(test_images)),
    }
    accuracy = {}
    for name, (train_x, test_x) in sides.items():
        classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        classifier.fit(train_x, train_labels)
        accuracy[name] = float(classifier.score(test_x, test_labels))
        log(f"logistic regression on {name}: {accuracy[name]:.4f}")
    return accuracy


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--latents", default="8,16,32,64")
    parser.add_argument("--kinds", default="dense,conv")
    parser.add_argument("--bits", default="2,3,4,6,8")
    parser.add_argument("--clips", default="0,0.001,0.01", help="ranges compared on the 32-d models (0: min and max)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", default=os.path.join(HERE, "results.json"))
    args = parser.parse_args()
    latents = [int(v) for v in args.latents.split(",")]
    bits_list = [int(v) for v in args.bits.split(",")]
    clips = [float(v) for v in args.clips.split(",")]
    started = time.time()

    train_images, test_images = (fashion.images(split) * 255.0 for split in ("train", "t10k"))
    train_labels, test_labels = fashion.labels("train"), fashion.labels("t10k")
    results = {"cpu": cpu_name(), "epochs": args.epochs, "ours": [], "pca": [], "ranges": []}
    folder = tempfile.mkdtemp(prefix="ae-compression-")

    results["jpeg"] = jpeg_curve(test_images)
    pcas = {}
    for latent in latents:
        pcas[latent] = PCA(n_components=latent, random_state=0).fit(train_images / 255.0)
        rows, ceiling = pca_rows(pcas[latent], test_images, bits_list)
        results["pca"].append({"latent": latent, "float_psnr": ceiling, "rows": rows})
    models = {}
    for kind in args.kinds.split(","):
        for latent in latents:
            models[kind, latent] = model = train(kind, latent, args.epochs, args.threads, folder)
            rows, ceiling = our_rows(model, test_images, bits_list, [0.0], args.threads, folder)
            results["ours"].append({"kind": kind, "latent": latent, "float_psnr": ceiling, "rows": rows})
            if latent == 32 and len(clips) > 1:
                ranges, _ = our_rows(model, test_images, bits_list, clips, args.threads, folder)
                results["ranges"].append({"kind": kind, "latent": latent, "rows": ranges})
    if ("dense", 32) in models:
        pca32 = pcas.get(32) or PCA(n_components=32, random_state=0).fit(train_images / 255.0)
        results["features"] = {"model": "dense-32", **features(models["dense", 32], pca32, train_images / 255.0,
                                                                 test_images / 255.0, train_labels, test_labels, args.threads, folder)}
        if ("conv", 32) in models:
            results["features_conv"] = {"model": "conv-32", **features(models["conv", 32], pca32, train_images / 255.0,
                                                                         test_images / 255.0, train_labels, test_labels,
                                                                         args.threads, folder)}
    results["seconds"] = time.time() - started
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)
    report(results)


def report(results):
    print(f"CPU: {results['cpu']}; {results['epochs']} epochs per model; {results['seconds']:.0f} s in all\n")
    print("Rate-distortion on the Fashion-MNIST test set (10,000 images; PSNR: mean of per-image PSNR, 0..255)\n")
    jpeg = results["jpeg"]
    ours = [(row["bytes"], row["psnr"], f"{e['kind']}-{e['latent']} {row['bits']} bits") for e in results["ours"] for row in e["rows"]]
    pcas = [(row["bytes"], row["psnr"], f"PCA-{e['latent']} {row['bits']} bits") for e in results["pca"] for row in e["rows"]]
    whole = [(p["bytes"], p["psnr"], f"q{p['quality']}") for p in jpeg]
    scan = [(p["scan_bytes"], p["psnr"], f"q{p['quality']}") for p in jpeg]
    print("Best PSNR within a budget of bytes per image (each method's best setting that fits)\n")
    print("| bytes/image | ours (dense or conv, any code and bits) | PCA-k codes, same quantization | JPEG whole file | JPEG scan only (header amortised) |")
    print("| --- | --- | --- | --- | --- |")
    for budget in (2, 4, 8, 16, 32, 64, 128, 256):
        cells = []
        for points in (ours, pcas, whole, scan):
            best = frontier(points, budget)
            cells.append(f"{best[1]:.2f} dB ({best[2]}, {best[0]:.1f} B)" if best else "none that small")
        print(f"| {budget} | " + " | ".join(cells) + " |")
    print("\nEvery setting of ours, with PCA-k at the same bits and JPEG at our size or at our PSNR\n")
    print("| model | code | bits | bytes/image | PSNR ours | PCA-k same bits: bytes, PSNR | JPEG at <= our size: whole file; scan only "
          "| JPEG bytes for our PSNR: whole file; scan only |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    pca = {entry["latent"]: {row["bits"]: row for row in entry["rows"]} for entry in results["pca"]}
    for entry in results["ours"]:
        for row in entry["rows"]:
            at_size = []
            for key in ("bytes", "scan_bytes"):
                point = jpeg_at(jpeg, row["bytes"], key)
                at_size.append(f"{point['psnr']:.2f} dB (q{point['quality']})" if point else "none")
            needed = [jpeg_bytes_for(jpeg, row["psnr"], key) for key in ("bytes", "scan_bytes")]
            p = pca[entry["latent"]][row["bits"]]
            print(f"| {entry['kind']} | {entry['latent']} | {row['bits']} | {row['bytes']:.1f} | {row['psnr']:.2f} | "
                  f"{p['bytes']:.1f} B, {p['psnr']:.2f} dB | {at_size[0]}; {at_size[1]} | "
                  + "; ".join("-" if b is None else f"{b:.0f} B" + ("*" if row["psnr"] < jpeg[0]["psnr"] else "") for b in needed)
                  + " |")
    print(f"\n\\* JPEG's smallest file (quality {jpeg[0]['quality']}, {jpeg[0]['psnr']:.2f} dB) is already better than ours there.")
    print("\nUnquantized (float32) codes, the ceiling of each row above: "
          + "; ".join(f"{e['kind']}-{e['latent']} {e['float_psnr']:.2f} dB" for e in results["ours"])
          + "; " + "; ".join(f"PCA-{e['latent']} {e['float_psnr']:.2f} dB" for e in results["pca"]))
    print("\nJPEG (Pillow, grey, optimized tables; scan only: the standard tables' entropy-coded bytes)\n")
    print("| quality | bytes/image | scan bytes/image | PSNR |")
    print("| --- | --- | --- | --- |")
    for point in results["jpeg"]:
        print(f"| {point['quality']} | {point['bytes']:.1f} | {point['scan_bytes']:.1f} | {point['psnr']:.2f} |")
    if results["ranges"]:
        print("\nRange per code dimension: min/max (clip 0) against quantiles (clip P: the P and 1-P quantiles), PSNR\n")
        clips = sorted({row["clip"] for e in results["ranges"] for row in e["rows"]})
        print("| model | bits | " + " | ".join(f"clip {c:g}" for c in clips) + " |")
        print("| --- | --- | " + " | ".join("---" for _ in clips) + " |")
        for entry in results["ranges"]:
            for bits in sorted({row["bits"] for row in entry["rows"]}):
                by_clip = {row["clip"]: row["psnr"] for row in entry["rows"] if row["bits"] == bits}
                print(f"| {entry['kind']}-{entry['latent']} | {bits} | " + " | ".join(f"{by_clip[c]:.2f}" for c in clips) + " |")
    for key in ("features", "features_conv"):
        if key in results:
            f = results[key]
            print(f"\nLogistic regression (StandardScaler + LogisticRegression(max_iter=2000)), test accuracy: "
                  f"{f['model']} codes {f['codes']:.4f}, PCA-32 {f['pca']:.4f}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--report":
        with open(sys.argv[2]) as f:
            report(json.load(f))
    else:
        main()
