"""HDF5 datasets as data (`--data file.h5:/group/rows`): streamed by `ae train --stream`, read
whole or by shards by the other commands, always by a reader process of their own
(`ae read-hdf5-rows`), so that libhdf5 parses a hostile file away from `ae`. The same rows as a
.npy give the same model and the same codes, bit for bit; the resident sets stay bounded; every
damaged, crafted or unsupported file gets a clear error; a reader that crashes or stops
answering is reported, not inherited."""
import json
import os
import pathlib
import signal
import struct
import subprocess
import time
import zlib

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
AE = os.environ.get("AE_BINARY", str(ROOT / ".build" / "release" / "ae"))


def ae(*args, ok=True, env=None, timeout=600):
    run = subprocess.run([AE, *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout)
    if ok:
        assert run.returncode == 0, run.stderr
    return run


def low_rank(rows, seed, width=24):
    rng = np.random.default_rng(seed)
    basis = np.random.default_rng(99).normal(size=(4, width))
    return (rng.normal(size=(rows, 4)) @ basis + 0.05 * rng.normal(size=(rows, width))).astype(np.float32)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hdf5data")
    rows = low_rank(6000, 1)
    np.save(folder / "rows.npy", rows)
    images = (np.random.default_rng(2).random((300, 6, 5)) * 255).astype(np.uint8)
    np.save(folder / "images.npy", images)
    with h5py.File(folder / "data.h5", "w") as f:
        f.create_dataset("train/rows", data=rows, chunks=(500, 24), compression="gzip", shuffle=True)
        f.create_dataset("plain", data=rows.astype(np.float64))
        f.create_dataset("images", data=images)
    return folder


def weights(path):
    with h5py.File(path, "r") as f:
        return {name: f[name][...] for part in ("encoder", "decoder") for layer in f[part]
                for name in (f"{part}/{layer}/kernel", f"{part}/{layer}/bias")}


def test_streamed_hdf5_trains_the_model_the_npy_trains(folder):
    common = ["--stream", "--layers", "12,4", "--loss", "mse", "--scale", "standard", "--epochs", 2, "--seed", 5,
              "--shuffle-buffer", 2048, "--quiet"]
    from_npy = json.loads(ae("train", "--data", folder / "rows.npy", "--out", folder / "npy.h5", *common).stdout)
    from_h5 = json.loads(ae("train", "--data", f"{folder}/data.h5:/train/rows", "--out", folder / "h5.h5", *common).stdout)
    assert from_h5["loss"] == from_npy["loss"] and from_h5["rows"] == 6000
    a, b = weights(folder / "npy.h5"), weights(folder / "h5.h5")
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    # The reader process's own peak, beside ae's.
    assert 0 < from_h5["reader_max_rss_mb"] < 100, from_h5
    assert "reader_max_rss_mb" not in from_npy or from_npy["reader_max_rss_mb"] is None


def test_other_commands_read_hdf5_whole_or_by_shard(folder):
    model = folder / "model.h5"
    ae("train", "--data", folder / "rows.npy", "--layers", "12,4", "--epochs", 1, "--out", model, "--quiet")
    ae("encode", model, "--data", folder / "rows.npy", "--out", folder / "c_npy.npy")
    ae("encode", model, "--data", f"{folder}/data.h5:/plain", "--out", folder / "c_h5.npy")  # float64, converted
    expected = np.load(folder / "c_npy.npy")
    assert np.array_equal(np.load(folder / "c_h5.npy"), expected)
    ae("encode", model, "--data", f"{folder}/data.h5:/train/rows", "--limit", 7, "--out", folder / "c_limit.npy")
    # Other batch shapes than the whole run's: within a float tolerance, not bit for bit.
    np.testing.assert_allclose(np.load(folder / "c_limit.npy"), expected[:7], rtol=1e-5, atol=1e-6)
    parts = []
    for index in range(3):
        out = folder / f"c_shard{index}.npy"
        ae("encode", model, "--data", f"{folder}/data.h5:/train/rows", "--shards", 3, "--shard-index", index, "--out", out)
        parts.append(np.load(out))
    np.testing.assert_allclose(np.concatenate(parts), expected, rtol=1e-5, atol=1e-6)
    # uint8 images (rows, h, w): pixels scale by 255 as from a .npy, and the image shape comes along.
    image_model = folder / "image_model.h5"
    ae("train", "--data", f"{folder}/data.h5:/images", "--layers", "8,3", "--epochs", 1, "--out", image_model, "--quiet")
    ae("encode", image_model, "--data", f"{folder}/data.h5:/images", "--out", folder / "i_h5.npy")
    ae("encode", image_model, "--data", folder / "images.npy", "--out", folder / "i_npy.npy")
    assert np.array_equal(np.load(folder / "i_h5.npy"), np.load(folder / "i_npy.npy"))
    with h5py.File(image_model, "r") as f:
        assert json.loads(f.attrs["spec"]).get("inputShape") == [6, 5, 1]


def test_every_storage_reads_the_same_values(tmp_path):
    """Contiguous, compact and chunked storage (chunks across every axis, edge chunks), deflate,
    shuffle and Fletcher-32, both byte orders, every type read, a 1 MiB user block, a path that
    starts with '-': all read as the same .npy rows do."""
    rng = np.random.default_rng(4)
    images = rng.random((37, 6, 5, 3)).astype(np.float32)
    model = tmp_path / "m.h5"
    np.save(tmp_path / "images.npy", images)
    ae("train", "--data", tmp_path / "images.npy", "--layers", "8,3", "--epochs", 1, "--out", model, "--quiet")
    ae("encode", model, "--data", tmp_path / "images.npy", "--out", tmp_path / "expected.npy")
    expected = np.load(tmp_path / "expected.npy")
    variants = {
        "contiguous": dict(data=images),
        "compact": None,  # written below: h5py's high-level API makes no compact datasets
        "chunks_everywhere": dict(data=images, chunks=(7, 4, 2, 2), compression="gzip", shuffle=True, fletcher32=True),
        "big_endian": dict(data=images.astype(">f4"), chunks=(5, 6, 5, 3)),
        "float64_be": dict(data=images.astype(">f8")),
        "checksummed": dict(data=images, chunks=(10, 6, 5, 3), fletcher32=True),
    }
    path = tmp_path / "-stores.h5"
    with h5py.File(path, "w", userblock_size=1 << 20) as f:
        for name, options in variants.items():
            if name == "compact":
                space = h5py.h5s.create_simple(images.shape)
                plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                plist.set_layout(h5py.h5d.COMPACT)
                h5py.h5d.create(f.id, b"compact", h5py.h5t.IEEE_F32LE, space, plist).write(h5py.h5s.ALL, h5py.h5s.ALL, images)
                continue
            f.create_dataset(name, **options)
    for name in variants:
        out = tmp_path / f"{name}.npy"
        ae("encode", model, f"--data={path}:/{name}", "--out", out)
        assert np.array_equal(np.load(out), expected), name
    # Integers: int32, big-endian int64 and uint8 (pixels, scaled by 255 as from a .npy).
    counts = rng.integers(0, 200, (37, 90))
    np.save(tmp_path / "counts.npy", counts.astype(np.float32))
    ae("train", "--data", tmp_path / "counts.npy", "--layers", "8,3", "--epochs", 1, "--out", tmp_path / "c.h5", "--quiet")
    ae("encode", tmp_path / "c.h5", "--data", tmp_path / "counts.npy", "--out", tmp_path / "counts_expected.npy")
    with h5py.File(tmp_path / "ints.h5", "w") as f:
        f.create_dataset("int32", data=counts.astype(np.int32), chunks=(8, 30), compression="gzip")
        f.create_dataset("int64_be", data=counts.astype(">i8"))
    for name in ["int32", "int64_be"]:
        ae("encode", tmp_path / "c.h5", "--data", f"{tmp_path}/ints.h5:/{name}", "--out", tmp_path / f"{name}.npy")
        assert np.array_equal(np.load(tmp_path / f"{name}.npy"), np.load(tmp_path / "counts_expected.npy")), name


def test_review_findings_on_chunk_indexes_options_and_types(tmp_path):
    """A second review's findings: edge chunks stored unfiltered (H5D_CHUNK_DONT_FILTER_PARTIAL_
    CHUNKS) read right; a 1.10 extensible-array chunk index (unlimited axis not the first) reads
    every row; 40,000 chunks read in linear time; number types that are not plain IEEE or two's
    complement words (24-bit int32, another exponent bias) are refused, not reinterpreted."""
    import ctypes
    import glob
    rows = low_rank(37, 8, width=5)
    np.save(tmp_path / "rows.npy", rows)
    model = tmp_path / "m.h5"
    ae("train", "--data", tmp_path / "rows.npy", "--layers", "4,2", "--epochs", 1, "--out", model, "--quiet")
    ae("encode", model, "--data", tmp_path / "rows.npy", "--out", tmp_path / "expected.npy")
    expected = np.load(tmp_path / "expected.npy")
    libraries = glob.glob(os.path.join(os.path.dirname(h5py.__file__), "..", "h5py.libs", "libhdf5-*.so*"))
    assert libraries or not os.path.isdir(os.path.join(os.path.dirname(h5py.__file__), "..", "h5py.libs"))
    path = tmp_path / "review.h5"
    with h5py.File(path, "w", libver=("v110", "v110")) as f:
        f.create_dataset("extensible", data=rows, chunks=(10, 2), maxshape=(37, None), compression="gzip")
        if libraries:  # h5py's own libhdf5, for H5Pset_chunk_opts (not in h5py's API)
            lib = ctypes.CDLL(libraries[0])
            lib.H5Pset_chunk_opts.argtypes = [ctypes.c_int64, ctypes.c_uint]
            for name, options in {"edges_shuffled": dict(shuffle=True), "edges_deflated": dict(gzip=True)}.items():
                dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                dcpl.set_chunk((10, 2))
                if options.get("shuffle"):
                    dcpl.set_shuffle()
                if options.get("gzip"):
                    dcpl.set_deflate(4)
                assert lib.H5Pset_chunk_opts(dcpl.id, 0x0002) >= 0  # H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS
                h5py.h5d.create(f.id, name.encode(), h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple(rows.shape),
                                dcpl=dcpl).write(h5py.h5s.ALL, h5py.h5s.ALL, rows)
        for name, change in {"int24": lambda t: t.set_precision(24), "float_bias120": lambda t: t.set_ebias(120)}.items():
            stored = (h5py.h5t.STD_I32LE if name == "int24" else h5py.h5t.IEEE_F32LE).copy()
            change(stored)
            h5py.h5d.create(f.id, name.encode(), stored, h5py.h5s.create_simple((4, 3))).write(
                h5py.h5s.ALL, h5py.h5s.ALL, np.arange(12, dtype=np.int32 if name == "int24" else np.float32).reshape(4, 3))
    for name in ["extensible"] + (["edges_shuffled", "edges_deflated"] if libraries else []):
        ae("encode", model, "--data", f"{path}:/{name}", "--out", tmp_path / f"{name}.npy")
        assert np.array_equal(np.load(tmp_path / f"{name}.npy"), expected), name
    for name in ["int24", "float_bias120"]:
        run = ae("encode", model, "--data", f"{path}:/{name}", "--out", tmp_path / "x.npy", ok=False)
        assert run.returncode == 1 and "type not read" in run.stderr, run.stderr
    # 40,000 chunks of one row (libhdf5 1.10.8's H5Dget_chunk_info_by_coord walked the index per
    # lookup: 40,000 lookups took minutes; H5Dget_chunk_storage_size and H5Dread_chunk do not).
    many = tmp_path / "many.h5"
    values = np.arange(40_000 * 16, dtype=np.float32).reshape(40_000, 16) % 7
    with h5py.File(many, "w") as f:
        f.create_dataset("rows", data=values, chunks=(1, 16))
    np.save(tmp_path / "many.npy", values)
    ae("train", "--data", tmp_path / "many.npy", "--layers", "2", "--epochs", 1, "--out", tmp_path / "w.h5", "--quiet")
    for data, out in [(f"{many}:/rows", "many_h5.npy"), (tmp_path / "many.npy", "many_npy.npy")]:
        ae("encode", tmp_path / "w.h5", "--data", data, "--out", tmp_path / out, timeout=120)
    assert np.array_equal(np.load(tmp_path / "many_h5.npy"), np.load(tmp_path / "many_npy.npy"))


def test_resident_sets_stay_bounded_on_data_four_times_larger(tmp_path):
    """ae under 160 MiB and its reader under 100 MiB (VmHWM each) while streaming 659 MiB."""
    rows = 2_700_000  # x 64 float32 = 659 MiB, in 1 MiB chunks
    path = tmp_path / "big.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("rows", shape=(rows, 64), dtype=np.float32, chunks=(4096, 64))
        for start in range(0, rows, 300_000):
            d[start:start + 300_000] = low_rank(min(300_000, rows - start), start, width=64)
    assert path.stat().st_size > 4 * 160 * 2 ** 20
    summary = json.loads(ae("train", "--data", f"{path}:/rows", "--stream", "--shuffle-buffer", 65536, "--layers", "16,4",
                            "--loss", "mse", "--epochs", 1, "--out", tmp_path / "m.h5", "--quiet").stdout)
    assert summary["rows"] == rows
    assert summary["max_rss_mb"] < 160 and summary["reader_max_rss_mb"] < 100, summary


def patched_compact_layout(path):
    """A contiguous (4, 5) float32 dataset whose layout message says compact with 0 bytes stored:
    libhdf5 1.10.8 then copies the rows from a NULL buffer (docs/FUZZING.md)."""
    with h5py.File(path, "w") as f:
        offset = f.create_dataset("rows", data=np.arange(20, dtype=np.float32).reshape(4, 5)).id.get_offset()
    raw = bytearray(path.read_bytes())
    at = raw.find(bytes([3, 1]) + struct.pack("<QQ", offset, 80))
    assert at > 0
    raw[at + 1:at + 4] = b"\0\0\0"  # class compact, size 0
    path.write_bytes(bytes(raw))


def hostile_cases(tmp_path):
    """(spec, expected words in the error) for each damaged, crafted or unsupported input."""
    rows = np.ones((10, 4), np.float32)
    good = tmp_path / "good.h5"
    with h5py.File(good, "w") as f:
        f.create_dataset("rows", data=rows)
        f.create_dataset("group/rows", data=rows)
        f["soft"] = h5py.SoftLink("/rows")
        f["external"] = h5py.ExternalLink("other.h5", "/rows")
        f.create_dataset("text", data=np.array([b"a", b"b"]))
        f.create_dataset("vector", data=np.arange(5.0))
        nan = rows.copy()
        nan[3, 2] = np.nan
        f.create_dataset("nan", data=nan)
        f.create_dataset("huge", data=np.full((2, 3), 1e40))  # float64 beyond float32's range
        f.create_dataset("big_chunks", shape=(2, 5_000_000), dtype=np.float32, chunks=(1, 5_000_000), compression="gzip")
        f["big_chunks"][...] = 0
        f.create_dataset("unwritten", shape=(100, 4), dtype=np.float32, chunks=(10, 4))
        f.create_dataset("lzf", data=rows, compression="lzf")  # h5py's own filter: a plugin to libhdf5
        f.create_dataset("outside", shape=(10, 4), dtype=np.float32, external=[(str(tmp_path / "raw.bin"), 0, 160)])
        layout = h5py.VirtualLayout(shape=(10, 4), dtype=np.float32)
        layout[...] = h5py.VirtualSource(str(tmp_path / "other.h5"), "rows", shape=(10, 4))
        f.create_virtual_dataset("virtual", layout)
    (tmp_path / "raw.bin").write_bytes(bytes(160))
    truncated = tmp_path / "truncated.h5"
    truncated.write_bytes(good.read_bytes()[:1500])
    not_hdf5 = tmp_path / "notes.h5"
    not_hdf5.write_text("not HDF5 at all\n" * 10)
    compact = tmp_path / "compact.h5"
    patched_compact_layout(compact)
    short = tmp_path / "short.h5"
    with h5py.File(short, "w") as f:
        d = f.create_dataset("skipped", shape=(6, 4096), dtype=np.uint8, chunks=(1, 4096), compression="gzip")
        d[...] = 7
        d.id.write_direct_chunk((1, 0), b"SIXTEEN BYTES!!!", filter_mask=1)  # "deflate skipped", 16 of 4096 bytes
        d = f.create_dataset("inflates_short", shape=(6, 4096), dtype=np.uint8, chunks=(1, 4096), compression="gzip")
        d[...] = 7
        d.id.write_direct_chunk((2, 0), zlib.compress(bytes(8)))
        d = f.create_dataset("bomb", shape=(6, 4096), dtype=np.uint8, chunks=(1, 4096), compression="gzip")
        d[...] = 7
        d.id.write_direct_chunk((3, 0), zlib.compress(bytes(2 << 20), 9))  # 2 KB inflating to 2 MiB
        d = f.create_dataset("checked", data=np.ones((6, 64), np.float32), chunks=(2, 64), fletcher32=True)
        f.create_dataset("rank5", data=np.ones((2, 2, 2, 2, 2), np.float32))
    raw = bytearray(short.read_bytes())
    with h5py.File(short, "r") as f:
        chunk_at = f["checked"].id.get_chunk_info(1).byte_offset
    raw[chunk_at + 5] ^= 0x40  # one bit of the second chunk's values
    short.write_bytes(bytes(raw))
    (tmp_path / "folder.h5").mkdir()
    os.mkfifo(tmp_path / "fifo.h5")
    return [
        (f"{good}:/soft", "soft link"),
        (f"{good}:/external", "external link"),
        (f"{good}:/text", "type not read"),
        (f"{good}:/vector", "has 1 axes"),
        (f"{good}:/nan", "row 3, column 2 is nan"),
        (f"{good}:/huge", "is inf"),
        (f"{good}:/big_chunks", "chunks of 20000000 bytes"),
        (f"{good}:/unwritten", "was never written"),
        (f"{good}:/lzf", "compression filter other than deflate"),
        (f"{good}:/outside", "external file"),
        (f"{good}:/virtual", "virtual dataset"),
        (f"{good}:/missing", "no '/missing' in the file"),
        (f"{good}:/group", "is not a dataset"),
        (f"{good}:/", "no dataset path"),
        (f"{truncated}:/rows", str(truncated)),
        (f"{not_hdf5}:/rows", "not an HDF5 file"),
        (f"{compact}:/rows", "declares more values than the file stores"),
        (f"{tmp_path}/folder.h5:/rows", "not a regular file"),
        (f"{tmp_path}/fifo.h5:/rows", "not a regular file"),
        (f"{tmp_path}/absent.h5:/rows", "No such file"),
        (f"{short}:/skipped", "holds 16 bytes where its shape needs 4096"),
        (f"{short}:/inflates_short", "holds 8 bytes where its shape needs 4096"),
        (f"{short}:/bomb", "inflates past its size"),
        (f"{short}:/checked", "fails its Fletcher-32 checksum"),
        (f"{short}:/rank5", "reshape it"),
    ]


def test_hostile_and_unsupported_files_get_clear_errors(tmp_path):
    model = tmp_path / "m.h5"
    rows = tmp_path / "r.npy"
    np.save(rows, np.ones((10, 4), np.float32))
    ae("train", "--data", rows, "--layers", "2", "--epochs", 1, "--out", model, "--quiet")
    for spec, words in hostile_cases(tmp_path):
        for command in (["train", "--stream", "--layers", "2", "--epochs", 1, "--out", tmp_path / "t.h5", "--quiet"],
                        ["encode", model, "--out", tmp_path / "c.npy"]):
            run = ae(*command, "--data", spec, ok=False)
            assert run.returncode == 1, (spec, command[0], run.returncode, run.stderr)
            lines = run.stderr.strip().splitlines()
            assert lines and lines[-1].startswith("error:") and words in lines[-1], (spec, command[0], run.stderr)
            assert "crashed" not in run.stderr and "Backtrac" not in run.stderr, run.stderr
    assert not (tmp_path / "t.h5").exists() and not (tmp_path / "c.npy").exists()


def reader_of(parent):
    """The pid of `parent`'s `ae read-hdf5-rows` process, once it runs."""
    deadline = time.time() + 30
    while time.time() < deadline:
        for entry in pathlib.Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and b"read-hdf5-rows" in (entry / "cmdline").read_bytes() \
                        and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    return int(entry.name)
            except OSError:
                continue
        time.sleep(0.05)
    raise AssertionError("no reader process")


@pytest.mark.parametrize("what", ["crash", "hang", "truncate"])
def test_a_reader_that_crashes_or_hangs_is_reported(tmp_path, what):
    """libhdf5 crashing (SIGSEGV) or looping (a stopped process) in the reader, or the file cut
    short while it trains: ae reports it in one line and exits 1, leaving no model behind; the
    reader does not outlive it."""
    path = tmp_path / "rows.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("rows", data=low_rank(20000, 3))
    env = dict(os.environ, AE_HDF5_READER_TIMEOUT="2")
    train = subprocess.Popen([AE, "train", "--data", f"{path}:/rows", "--stream", "--layers", "12,4", "--epochs", "100000",
                              "--early-stopping", "100000", "--out", str(tmp_path / "m.h5"), "--quiet"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    reader = reader_of(train.pid)
    time.sleep(0.5)  # into training
    if what == "truncate":
        os.truncate(path, 100_000)  # the rows are 1.9 MB: reads past the cut must fail, not give zeros
    else:
        os.kill(reader, signal.SIGSEGV if what == "crash" else signal.SIGSTOP)
    _, stderr = train.communicate(timeout=60)
    assert train.returncode == 1, stderr
    last = stderr.strip().splitlines()[-1]
    expected = {"crash": "libhdf5 crashed reading the file (signal 11", "hang": "gave no answer in 2 s",
                "truncate": "ends before byte"}[what]
    assert last.startswith("error:") and expected in last, stderr
    assert not (tmp_path / "m.h5").exists()
    assert not pathlib.Path(f"/proc/{reader}").exists() or "Z" in pathlib.Path(f"/proc/{reader}/stat").read_text().split()[2]


def test_the_reader_ends_with_ae_and_keeps_to_its_descriptors(tmp_path):
    """ae with its stderr closed still finishes (the socket stays above the standard
    descriptors), and a reader whose ae is killed ends within a few seconds."""
    path = tmp_path / "rows.h5"
    rows = low_rank(300, 5)
    with h5py.File(path, "w") as f:
        f.create_dataset("rows", data=rows)
    np.save(tmp_path / "rows.npy", rows)
    ae("train", "--data", tmp_path / "rows.npy", "--layers", "4", "--epochs", 1, "--out", tmp_path / "m.h5", "--quiet")
    closed = subprocess.run(f"'{AE}' encode '{tmp_path}/m.h5' --data '{path}:/rows' --out '{tmp_path}/c.npy' 2>&-",
                            shell=True, timeout=60)
    assert closed.returncode == 0 and np.load(tmp_path / "c.npy").shape == (300, 4)
    train = subprocess.Popen([AE, "train", "--data", f"{path}:/rows", "--stream", "--layers", "4", "--epochs", "100000",
                              "--early-stopping", "100000", "--out", str(tmp_path / "m2.h5"), "--quiet"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    reader = reader_of(train.pid)
    os.kill(reader, signal.SIGSTOP)  # as if stuck inside libhdf5, not reading the socket
    train.kill()
    train.wait()
    os.kill(reader, signal.SIGCONT)
    deadline = time.time() + 10
    while pathlib.Path(f"/proc/{reader}").exists() and time.time() < deadline:
        time.sleep(0.1)
    assert not pathlib.Path(f"/proc/{reader}").exists(), "the reader outlived ae"
