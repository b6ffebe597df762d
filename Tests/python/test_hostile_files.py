"""Hostile model files (issue 9): every file the library reads may come from an attacker,
including files whose checksum is valid (anyone can compute one).

Each case below is one test. It takes a small real model that `ae train` wrote, changes one
thing with h5py (or builds a file, a FIFO, a device path...), and tries it:

- with libautoencoder from a path (`autoencoder.Model(path)`) and from memory
  (`Model(data=bytes)`), in a probe process (hostile_files.py) so a crash or hang is seen;
- with `ae inspect FILE` and `ae eval FILE --data CSV`, with a timeout;
- sealed (a valid checksum, as `ae` writes) and, for files built from a model, also unsealed
  (the user block zeroed): refused with AE_ERROR_UNVERIFIED (12) by default, and given the same
  answer as the sealed file when opened with AE_OPEN_UNVERIFIED (ae_model_open_v2 and
  ae_model_open_memory_v2).

Each must not crash, not hang, and give the expected status (or `ae` exit status 1 with one
`error:` line) with a message naming what is wrong. A file that opens must compute finite
values (or refuse with a status). docs/HOSTILE_INPUTS.md holds the table of the cases, checked
against this file (set HOSTILE_WRITE_DOC=1 to rewrite it).
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import stat
from dataclasses import dataclass, field
from typing import Callable, Optional

import h5py
import numpy as np
import pytest

import hostile_files as hf
from hostile_files import FORMAT, IO, OK, UNVERIFIED, VERSION

ROOT = pathlib.Path(__file__).resolve().parents[2]
AE = os.environ.get("AE_BINARY", str(ROOT / ".build" / "release" / "ae"))
DOC = ROOT / "docs" / "HOSTILE_INPUTS.md"
TIMEOUT = 20  # seconds for any one process or probe job
CLI_RSS_MB = 200  # peak memory of any `ae` run on these files (a normal run takes about 30 MB)
PROBE_RSS_MB = 300  # peak memory of a fresh probe process (Python and numpy take about 40 MB)
NO_CHECKSUM = "carries no checksum"


# -- the cases ------------------------------------------------------------------------------

@dataclass
class Case:
    id: str
    group: str  # files, storage, sizes, values, spec
    what: str  # one line for the documentation table
    status: int  # library status, from a path and from memory
    phrase: str  # text the message must hold (library and ae)
    base: Optional[str] = None  # the trained model the file is a copy of
    edit: Optional[Callable] = None  # edit(h5py.File opened r+, ctx): change one thing
    make: Optional[Callable] = None  # make(ctx, path) -> the path to open: files that are not a copy
    memory: bool = True  # the bytes can be handed to ae_model_open_memory
    memory_status: Optional[int] = None  # when memory differs from a path
    memory_phrase: Optional[str] = None
    cli: Optional[int] = None  # ae exit status; default 1 for a refusal, 0 for AE_OK
    cli_phrase: Optional[str] = None  # what ae says when it differs from the library
    eval_cli: Optional[tuple] = None  # (exit status, phrase) of ae eval when it differs from ae inspect
    unsealed: bool = True  # also try the file without a checksum
    names_file: bool = True  # the library's and ae's message name the file's path
    same_as_base: bool = False  # AE_OK with the base model's reconstructions (to 1e-5)
    fresh: bool = False  # a fresh probe process, so its peak memory is this case's
    forbid: Optional[str] = None  # text no message may hold (a wrong figure)
    unverified: Optional[tuple] = None  # (status, phrase) of this very file with AE_OPEN_UNVERIFIED
    xfail: Optional[str] = None  # a reported failure (see docs/HOSTILE_INPUTS.md)

    @property
    def cli_exit(self) -> int:
        return self.cli if self.cli is not None else (0 if self.status == OK else 1)


CASES: list[Case] = []


def case(id, group, what, status, phrase="", **kw):
    CASES.append(Case(id, group, what, status, phrase, **kw))


# Edits (each takes the open h5py file and the session context).

def spec(change):
    """Edit the spec JSON: change(spec dict) edits it in place."""
    def edit(f, ctx):
        s = json.loads(f.attrs["spec"])
        change(s)
        f.attrs["spec"] = json.dumps(s)
    return edit


def both(*edits):
    def edit(f, ctx):
        for e in edits:
            e(f, ctx)
    return edit


def replace(name, data=None, **kw):
    """Delete dataset `name` and create it again with h5py's create_dataset(data, **kw)."""
    def edit(f, ctx):
        values = data(f, ctx) if callable(data) else data
        del f[name]
        f.create_dataset(name, data=values, **kw)
    return edit


def retyped(name, dtype, **kw):
    """Dataset `name` rewritten with its own values in another type or storage."""
    def edit(f, ctx):
        values = f[name][...]
        del f[name]
        f.create_dataset(name, data=values.astype(dtype), **kw)
    return edit


def put(name, index, value):
    """One value of dataset `name` (index into the flattened array) set to `value`."""
    def edit(f, ctx):
        values = f[name][...]
        values.reshape(-1)[index] = value
        f[name][...] = values
    return edit


def fill(name, value):
    def edit(f, ctx):
        f[name][...] = np.full(f[name].shape, value, f[name].dtype)
    return edit


def attr(obj, name, value):
    """Set (or with value None delete) attribute `name` of group `obj`."""
    def edit(f, ctx):
        if value is None:
            del f[obj].attrs[name]
        else:
            f[obj].attrs[name] = value
    return edit


def link(name, make_link):
    """Replace the object at `name` with a link: make_link(ctx) -> h5py.SoftLink/ExternalLink."""
    def edit(f, ctx):
        del f[name]
        f[name] = make_link(ctx)
    return edit


def delete(name):
    def edit(f, ctx):
        del f[name]
    return edit


def rename(old, new):
    def edit(f, ctx):
        f.move(old, new)
    return edit


def external(name, target, size=None):
    """Dataset `name` (same shape and type) with its data kept in file `target(ctx)`."""
    def edit(f, ctx):
        shape, dtype = f[name].shape, f[name].dtype
        del f[name]
        nbytes = int(np.prod(shape)) * dtype.itemsize
        f.create_dataset(name, shape=shape, dtype=dtype, external=[(str(target(ctx)), 0, size or nbytes)])
    return edit


def virtual(name, source_file):
    """Dataset `name` as a virtual dataset mapping a dataset of `source_file(ctx)`."""
    def edit(f, ctx):
        shape, dtype = f[name].shape, f[name].dtype
        del f[name]
        layout = h5py.VirtualLayout(shape=shape, dtype=dtype)
        layout[...] = h5py.VirtualSource(str(source_file(ctx)), "/" + name, shape=shape)
        f.create_virtual_dataset(name, layout, fillvalue=0)
    return edit


# Files that are not a copy of a model: make(ctx, path) -> the path to open.

def write_bytes(content):
    def make(ctx, path):
        path.write_bytes(content(ctx) if callable(content) else content)
        return path
    return make


def copy_base(ctx, path, name="dense"):
    """A writable copy of a base model (the bases themselves are read-only)."""
    shutil.copy(ctx.bases[name], path)
    os.chmod(path, 0o644)
    return path


def base_bytes(ctx, name="dense"):
    return ctx.bases[name].read_bytes()


def cut(fraction, then=None):
    """The dense model's first `fraction` of bytes; then(path) seals or unseals the rest."""
    def make(ctx, path):
        data = base_bytes(ctx)
        path.write_bytes(data[:int(len(data) * fraction)])
        if then:
            then(path)
        return path
    return make


def with_block(block):
    """The dense model with its first 512 bytes replaced by block(ctx, payload)."""
    def make(ctx, path):
        data = base_bytes(ctx)
        path.write_bytes(block(ctx, data[hf.BLOCK:]) + data[hf.BLOCK:])
        return path
    return make


def h5file(build):
    """A sealed HDF5 file (512-byte user block) that h5py builds from scratch: build(f)."""
    def make(ctx, path):
        with h5py.File(path, "w", userblock_size=hf.BLOCK, libver=("earliest", "v110")) as f:
            build(f)
        hf.seal(path)
        return path
    return make


def fixed_string(text: str):
    """A fixed-length (not variable-length) string attribute value."""
    return np.bytes_(text.encode())


SPEC_LONG = 17 << 20  # longer than AEH5_MAX_STRING (16 MiB)

# ---- files --------------------------------------------------------------------------------
case("valid-dense", "files", "an intact sealed model (dense, mse, tanh)", OK, base="dense", same_as_base=True)
case("valid-vae", "files", "an intact sealed model (vae)", OK, base="vae", same_as_base=True)
case("valid-cvae", "files", "an intact sealed model (cvae, 3 classes)", OK, base="cvae", same_as_base=True)
case("valid-conv", "files", "an intact sealed model (conv2d + conv2d_transpose, bce)", OK, base="conv",
     same_as_base=True)
case("valid-gaussian", "files", "an intact sealed model (gaussian loss, relu)", OK, base="gauss", same_as_base=True)
case("symlink-to-model", "files", "a symbolic link to a sealed model", OK,
     make=lambda ctx, path: (path.symlink_to(ctx.bases["dense"]), path)[1], unsealed=False, same_as_base=True)
case("not-hdf5", "files", "a text file", FORMAT, "not an HDF5 file (no HDF5 signature)",
     make=write_bytes(b"x,y\n1,2\n" * 200), unsealed=False)
case("empty", "files", "an empty file", FORMAT, "empty or too short to be an HDF5 file",
     make=write_bytes(b""), memory_phrase="0 bytes is too short to be a model file", unsealed=False)
case("signature-only", "files", "the 8-byte HDF5 signature alone", FORMAT, "too short",
     make=write_bytes(b"\x89HDF\r\n\x1a\n"), unsealed=False)
case("block-only", "files", "a valid checksum block with nothing after it", FORMAT, "not an HDF5 file",
     make=write_bytes(hf.checksum_block(b"")), unsealed=False)
case("not-a-model", "files", "a sealed HDF5 file that is not a model (no format attribute)", FORMAT,
     "not an autoencoder model file", make=h5file(lambda f: f.create_dataset("x", data=np.zeros(3))), unsealed=False)
case("truncated", "files", "a sealed model cut in half (its checksum block still says the full length)", FORMAT,
     "truncated or damaged", make=cut(0.5), unsealed=False)
case("truncated-resealed", "files", "a model cut in half, then sealed (a valid checksum of the cut bytes)", FORMAT,
     "truncated file", make=cut(0.5, hf.seal), unsealed=False)
case("truncated-unsealed", "files", "a model cut in half, without a checksum", UNVERIFIED, NO_CHECKSUM,
     make=cut(0.5, hf.unseal), unsealed=False, unverified=(FORMAT, "truncated file"))
case("truncated-at-superblock", "files", "a model cut inside the HDF5 superblock, then sealed", FORMAT,
     "cannot open HDF5 image", make=cut(0.03, hf.seal), unsealed=False)
case("crc-mismatch", "files", "a sealed model with one byte changed after the block", FORMAT,
     "is damaged: its CRC-32 is",
     make=lambda ctx, path: (path.write_bytes(base_bytes(ctx)[:-1] + bytes([base_bytes(ctx)[-1] ^ 1])), path)[1],
     unsealed=False)
case("length-lies", "files", "a checksum block whose length field is 1000 too large (CRC right)", FORMAT,
     "truncated or damaged", make=with_block(lambda ctx, p: hf.checksum_block(p, length=str(len(p) + 1000))),
     unsealed=False)
case("length-negative", "files", "a checksum block with length -1", FORMAT, "checksum block is damaged",
     make=with_block(lambda ctx, p: hf.checksum_block(p, length="-1")), unsealed=False)
case("length-int-max", "files", "a checksum block with length 9223372036854775807 (Int.max)", FORMAT,
     "checksum block is damaged", make=with_block(lambda ctx, p: hf.checksum_block(p, length=str(2**63 - 1))),
     unsealed=False, forbid="written with -")
case("length-not-a-number", "files", "a checksum block with length 1e5", FORMAT, "checksum block is damaged",
     make=with_block(lambda ctx, p: hf.checksum_block(p, length="1e5")), unsealed=False)
case("crc-not-hex", "files", "a checksum block with crc32 zzzzzzzz", FORMAT, "checksum block is damaged",
     make=with_block(lambda ctx, p: hf.checksum_block(p, crc="zzzzzzzz")), unsealed=False)
case("block-garbage-after-magic", "files", "the checksum line followed by garbage in the user block", FORMAT,
     "checksum block is damaged",
     make=with_block(lambda ctx, p: (hf.MAGIC + bytes(range(32, 127)) * 6)[:hf.BLOCK]), unsealed=False)
case("block-garbage", "files", "garbage in the user block (no checksum line)", UNVERIFIED, NO_CHECKSUM,
     make=with_block(lambda ctx, p: bytes((i * 37 + 11) % 256 or 1 for i in range(hf.BLOCK))), unsealed=False,
     unverified=(OK, ""))
case("unsealed-model", "files", "an intact model without a checksum (user block zeroed)", UNVERIFIED, NO_CHECKSUM,
     make=lambda ctx, path: (copy_base(ctx, path), hf.unseal(path), path)[2], unsealed=False,
     unverified=(OK, ""))
case("missing", "files", "a path that does not exist", IO, "cannot open the file: No such file or directory",
     make=lambda ctx, path: path, memory=False, unsealed=False)
case("directory", "files", "a directory as the model path", IO, "not a regular file (a directory)",
     make=lambda ctx, path: (path.mkdir(), path)[1], memory=False, unsealed=False)
case("fifo", "files", "a FIFO with no writer as the model path (must not block)", IO, "not a regular file (a FIFO)",
     make=lambda ctx, path: (os.mkfifo(path), path)[1], memory=False, unsealed=False)
case("symlink-to-fifo", "files", "a symbolic link to a FIFO", IO, "not a regular file (a FIFO)",
     make=lambda ctx, path: (path.symlink_to(ctx.fifo), path)[1], memory=False, unsealed=False)
case("dev-zero", "files", "/dev/zero as the model path (endless)", IO, "not a regular file (a character device)",
     make=lambda ctx, path: pathlib.Path("/dev/zero"), memory=False, unsealed=False)
case("dev-null", "files", "/dev/null as the model path", IO, "not a regular file (a character device)",
     make=lambda ctx, path: pathlib.Path("/dev/null"), memory=False, unsealed=False)
case("sparse-16gib", "files", "a sparse 16 GiB file (the model, then a hole)", IO,
     "bytes; at most 9663676416 are read",
     make=lambda ctx, path: (copy_base(ctx, path), os.truncate(path, 1 << 34), path)[2],
     memory=False, unsealed=False, fresh=True)

# ---- storage outside the file, links ------------------------------------------------------
EXTERNAL = "keeps its data in an external file"
case("external-passwd", "storage", "a kernel stored in /etc/passwd (external raw storage)", FORMAT,
     f"dataset '/encoder/00_dense/kernel' {EXTERNAL}", base="dense",
     edit=external("encoder/00_dense/kernel", lambda ctx: "/etc/passwd"))
case("external-fifo", "storage", "a kernel stored in a FIFO (external raw storage; must not block)", FORMAT,
     f"dataset '/decoder/01_dense/kernel' {EXTERNAL}", base="dense",
     edit=external("decoder/01_dense/kernel", lambda ctx: ctx.fifo))
case("external-dev-zero", "storage", "a bias stored in /dev/zero (external raw storage)", FORMAT,
     f"dataset '/encoder/00_dense/bias' {EXTERNAL}", base="vae",
     edit=external("encoder/00_dense/bias", lambda ctx: "/dev/zero"))
case("external-offset", "storage", "the preprocessing offset stored in /etc/passwd", FORMAT,
     f"dataset '/preprocessing/offset' {EXTERNAL}", base="dense",
     edit=external("preprocessing/offset", lambda ctx: "/etc/passwd"))
case("external-history", "storage", "/history/loss stored in /dev/zero (history the library never reads)", FORMAT,
     f"dataset '/history/loss' {EXTERNAL}", base="dense",
     edit=external("history/loss", lambda ctx: "/dev/zero"))
case("external-link-group", "storage", "a layer group replaced by an external link to another model", FORMAT,
     "'/encoder/00_dense' is an external link (to another file)", base="dense",
     edit=link("encoder/00_dense", lambda ctx: h5py.ExternalLink(str(ctx.bases["gauss"]), "/encoder/00_dense")))
case("external-link-dataset", "storage", "a kernel replaced by an external link to another model", FORMAT,
     "'/decoder/00_dense/kernel' is an external link (to another file)", base="dense",
     edit=link("decoder/00_dense/kernel",
               lambda ctx: h5py.ExternalLink(str(ctx.bases["gauss"]), "/decoder/00_dense/kernel")))
case("external-link-passwd", "storage", "/history replaced by an external link into /etc/passwd", FORMAT,
     "'/history' is an external link (to another file)", base="dense",
     edit=link("history", lambda ctx: h5py.ExternalLink("/etc/passwd", "/x")))
case("soft-link-dataset", "storage", "a bias replaced by a soft link to another bias of the same shape", FORMAT,
     "'/encoder/00_dense/bias' is a soft link", base="dense",
     edit=link("encoder/00_dense/bias", lambda ctx: h5py.SoftLink("/decoder/00_dense/bias")))
case("soft-link-group", "storage", "a layer group replaced by a soft link to another group", FORMAT,
     "'/decoder/00_dense' is a soft link", base="dense",
     edit=link("decoder/00_dense", lambda ctx: h5py.SoftLink("/encoder/01_dense")))
case("soft-link-dangling", "storage", "the scale replaced by a soft link to nothing", FORMAT,
     "'/preprocessing/scale' is a soft link", base="dense",
     edit=link("preprocessing/scale", lambda ctx: h5py.SoftLink("/nowhere")))
case("soft-link-cycle", "storage", "two history datasets replaced by soft links to each other", FORMAT,
     "'/history/loss' is a soft link", base="dense",
     edit=both(link("history/loss", lambda ctx: h5py.SoftLink("/history/val_loss")),
               link("history/val_loss", lambda ctx: h5py.SoftLink("/history/loss"))))
case("hard-link-cycle", "storage", "a hard link from a layer group back to /encoder (a cycle)", FORMAT,
     "encoder/00_dense: holds 3 members; the spec implies two datasets, kernel and bias", base="dense",
     edit=lambda f, ctx: f["encoder/00_dense"].__setitem__("loop", f["encoder"]))
case("hard-link-shared", "storage", "two biases of the same shape sharing one dataset (hard link)", OK,
     base="dense", edit=both(delete("decoder/00_dense/bias"),
                             lambda f, ctx: f.__setitem__("decoder/00_dense/bias", f["encoder/00_dense/bias"])))
case("virtual-kernel", "storage", "a kernel as a virtual dataset mapping another file", FORMAT,
     "dataset '/encoder/01_dense/kernel' is a virtual dataset", base="dense",
     edit=virtual("encoder/01_dense/kernel", lambda ctx: ctx.bases["gauss"]))
case("virtual-kernel-self", "storage", "a kernel as a virtual dataset mapping the file itself ('.')", FORMAT,
     "dataset '/decoder/01_dense/kernel' is a virtual dataset", base="dense",
     edit=virtual("decoder/01_dense/kernel", lambda ctx: "."))
case("filter-lzf", "storage", "a kernel compressed with LZF (a filter libhdf5 would need a plugin for)", FORMAT,
     "dataset '/encoder/00_dense/kernel' uses a compression filter other than deflate", base="dense",
     edit=retyped("encoder/00_dense/kernel", "f4", compression="lzf"))
case("filter-scaleoffset", "storage", "a kernel stored with the scale-offset filter (lossy, built in)", FORMAT,
     "dataset '/encoder/00_dense/kernel' uses a compression filter other than deflate", base="dense",
     edit=retyped("encoder/00_dense/kernel", "f4", scaleoffset=2))
case("filter-plugin", "storage", "a kernel naming filter 307 (bzip2, a plugin), no data written", FORMAT,
     "dataset '/encoder/00_dense/kernel' uses a compression filter other than deflate", base="dense",
     edit=replace("encoder/00_dense/kernel", shape=(12, 8), dtype="f4", compression=307, allow_unknown_filter=True))
case("committed-datatype", "storage", "a named datatype object inside /history", FORMAT,
     "object '/history/t' is neither a group nor a dataset", base="dense",
     edit=lambda f, ctx: f.__setitem__("history/t", np.dtype("f4")))
case("deflate-shuffle-fletcher", "storage", "every kernel compressed (deflate 9, shuffle, fletcher32)", OK,
     base="conv", same_as_base=True,
     edit=both(*[retyped(n, "f4", compression="gzip", compression_opts=9, shuffle=True, fletcher32=True)
                 for n in ("encoder/00_conv2d/kernel", "encoder/01_dense/kernel", "decoder/00_dense/kernel",
                           "decoder/01_conv2d_transpose/kernel")]))

# ---- declared sizes and types -------------------------------------------------------------
def history_loss(**kw):
    return replace("history/loss", **kw)


NOT_STORED = "declares more values than the file stores"
case("history-2^40-chunked", "sizes", "/history/loss declaring 2^40 float64 (chunked, nothing written)", FORMAT,
     "'/history/loss' " + NOT_STORED, base="dense",
     edit=history_loss(shape=(2**40,), dtype="f8", chunks=(4096,)), fresh=True)
case("history-2^28-maxshape", "sizes", "/history/loss declaring 2^28 float64, resizable (maxshape None)", FORMAT,
     "'/history/loss' " + NOT_STORED, base="dense",
     edit=history_loss(shape=(2**28,), maxshape=(None,), dtype="f8", chunks=(4096,)), fresh=True)
case("history-2^28-contiguous", "sizes", "/history/val_loss declaring 2^28 float64 (contiguous, never written)", FORMAT,
     "'/history/val_loss' " + NOT_STORED, base="vae",
     edit=replace("history/val_loss", shape=(2**28,), dtype="f8"), fresh=True)
case("history-over-cap", "sizes", "/history/loss: 1,000,001 stored zeros (deflated), one more than the tools read", OK,
     cli=1, cli_phrase="dataset 'loss' declares 1000001 values; at most 1000000 are read", base="dense",
     edit=history_loss(data=np.zeros(1_000_001), compression="gzip", compression_opts=9, chunks=(1_000_001,)), fresh=True)
case("history-deflate-bomb", "sizes", "/history/loss: 10^6 zeros deflated to a few KB (the most epochs read)", OK,
     base="dense", edit=history_loss(data=np.zeros(1_000_000), compression="gzip", compression_opts=9,
                                     chunks=(1_000_000,)), fresh=True)
case("history-rank-2", "sizes", "/history/seconds of shape (2, 1)", OK,
     cli=1, cli_phrase="dataset 'seconds' holds float64 of shape (2, 1); expected a 1-D float array", base="dense",
     edit=replace("history/seconds", data=np.zeros((2, 1))))
case("history-strings", "sizes", "/history/loss holding strings", OK,
     cli=1, cli_phrase="dataset 'loss' holds a type other than float32", base="dense",
     edit=replace("history/loss", data=np.array([b"1.0", b"2.0"])))
case("history-missing", "sizes", "no /history group", OK, base="dense", edit=delete("history"), same_as_base=True)
case("kernel-transposed", "sizes", "a kernel stored transposed", FORMAT,
     "dataset 'encoder/00_dense/kernel' holds float32 of shape (8, 12); the spec implies float32 of shape (12, 8)",
     base="dense", edit=replace("encoder/00_dense/kernel", lambda f, ctx: f["encoder/00_dense/kernel"][...].T.copy()))
case("kernel-rank-0", "sizes", "a kernel that is a scalar", FORMAT,
     "dataset 'encoder/01_dense/kernel' holds float32 of shape (); the spec implies float32 of shape (8, 4)",
     base="dense", edit=replace("encoder/01_dense/kernel", np.float32(1)))
case("kernel-rank-9", "sizes", "a kernel of rank 9", FORMAT, "dataset 'encoder/00_dense/kernel' has unsupported rank 9",
     base="dense", edit=replace("encoder/00_dense/kernel", np.zeros((1,) * 9, np.float32)))
case("kernel-huge-extents", "sizes", "a kernel declaring 2^31 x 2^31 values (chunked, nothing written)", FORMAT,
     "'/decoder/00_dense/kernel' " + NOT_STORED, base="dense",
     edit=replace("decoder/00_dense/kernel", shape=(2**31, 2**31), dtype="f4", chunks=(64, 64)), fresh=True)
case("kernel-extent-2^62", "sizes", "a bias declaring 2^62 values", FORMAT,
     "'/decoder/01_dense/bias' " + NOT_STORED, base="dense",
     edit=replace("decoder/01_dense/bias", shape=(2**62,), dtype="f4", chunks=(1024,)), fresh=True)
case("bias-empty", "sizes", "a bias with no values", FORMAT,
     "dataset 'encoder/00_dense/bias' holds float32 of shape (0,); the spec implies float32 of shape (8,)",
     base="dense", edit=replace("encoder/00_dense/bias", np.zeros(0, np.float32)))
case("conv-kernel-wrong-shape", "sizes", "a conv2d kernel with in and out channels swapped", FORMAT,
     "dataset 'encoder/00_conv2d/kernel' holds float32 of shape (3, 3, 2, 1); the spec implies float32 of shape (3, 3, 1, 2)",
     base="conv", edit=replace("encoder/00_conv2d/kernel", np.zeros((3, 3, 2, 1), np.float32)))
case("log-variance-wrong-shape", "sizes", "a log-variance of 11 values for 12 features", FORMAT,
     "dataset 'likelihood/gaussian/log_variance' holds float32 of shape (11,); the spec implies float32 of shape (12,)",
     base="gauss", edit=replace("likelihood/gaussian/log_variance", np.zeros(11, np.float32)))
case("kernel-float64", "sizes", "a kernel stored as float64", FORMAT,
     "dataset 'encoder/00_dense/kernel' holds float64 of shape (12, 8); the spec implies float32",
     base="dense", edit=retyped("encoder/00_dense/kernel", "f8"))
case("bias-int32", "sizes", "a bias stored as int32", FORMAT,
     "dataset 'decoder/00_dense/bias' holds int32 of shape (8,); the spec implies float32", base="dense",
     edit=retyped("decoder/00_dense/bias", "i4"))
case("kernel-float16", "sizes", "a kernel stored as float16", FORMAT,
     "dataset 'encoder/01_dense/kernel' holds a type other than float32 of shape (8, 4)", base="vae",
     edit=retyped("encoder/01_dense/kernel", "f2"))
case("kernel-string", "sizes", "a kernel of strings", FORMAT,
     "dataset 'encoder/00_dense/kernel' holds a type other than float32", base="dense",
     edit=replace("encoder/00_dense/kernel", np.full((12, 8), b"1.0")))
case("kernel-compound", "sizes", "a kernel of a compound type {a: f4, b: f4}", FORMAT,
     "dataset 'encoder/00_dense/kernel' holds a type other than float32", base="dense",
     edit=replace("encoder/00_dense/kernel", np.zeros((12, 8), [("a", "f4"), ("b", "f4")])))
case("kernel-big-endian", "sizes", "every dense kernel stored as big-endian float32 (converted on reading)", OK,
     base="dense", same_as_base=True,
     edit=both(*[retyped(n, ">f4") for n in ("encoder/00_dense/kernel", "encoder/01_dense/kernel",
                                             "decoder/00_dense/kernel", "decoder/01_dense/kernel")]))
case("offset-wrong-length", "sizes", "an offset of 5 values for 12 features", FORMAT,
     "preprocessing: dataset 'offset' has shape (5,); expected (12,)", base="dense",
     edit=replace("preprocessing/offset", np.zeros(5, np.float32)))
case("scale-float64", "sizes", "the scale stored as float64", FORMAT,
     "preprocessing: dataset 'scale' holds float64; expected float32", base="dense",
     edit=retyped("preprocessing/scale", "f8"))
def widen(units, **storage):
    """The dense model's first layer widened to `units` in the spec and its attribute, with the
    datasets it implies created with h5py's create_dataset(shape, dtype, **storage)."""
    def edit(f, ctx):
        spec(lambda s: s["encoder"][0].update(units=units))(f, ctx)
        f["encoder/00_dense"].attrs["units"] = units
        for name, shape in [("encoder/00_dense/kernel", (12, units)), ("encoder/00_dense/bias", (units,)),
                            ("encoder/01_dense/kernel", (units, 4))]:
            del f[name]
            data = np.zeros(shape, np.float32) if storage.get("compression") else None
            f.create_dataset(name, shape=shape, dtype="f4", data=data, **storage)
    return edit


case("kernel-deflate-bomb", "sizes", "a first layer of 2^17 units whose kernels (8.4 MB of zeros) deflate to a few KB",
     OK, base="dense", edit=widen(2**17, compression="gzip", compression_opts=9, chunks=True), fresh=True)
case("declared-not-stored", "sizes", "a 20 KB file declaring a first layer of 2^19 units (36 MB of weights) "
     "in chunked datasets with no chunk written", FORMAT,
     "'/encoder/00_dense/bias' " + NOT_STORED, base="dense",
     edit=widen(2**19, chunks=True), fresh=True)
case("units-1e8-small-kernels", "sizes", "spec and attribute say 10^8 units (4.8 GB of weights); kernels are small",
     FORMAT, "dataset 'encoder/00_dense/kernel' holds float32 of shape (12, 8); the spec implies float32 of shape (12, 100000000)",
     base="dense", edit=both(spec(lambda s: s["encoder"][0].update(units=10**8)),
                             attr("encoder/00_dense", "units", 10**8)), fresh=True)

# ---- values -------------------------------------------------------------------------------
WITHIN = "values must be finite and within +-1000000.0"
case("offset-nan", "values", "NaN in the offset", FORMAT, "preprocessing: offset[0] is nan; it must be finite",
     base="dense", edit=put("preprocessing/offset", 0, np.nan))
case("offset-inf", "values", "+Inf in the offset", FORMAT, "offset[3] is inf", base="conv",
     edit=put("preprocessing/offset", 3, np.inf))
case("offset-1e31", "values", "an offset of 1e31", FORMAT, "offset[2] is 1e+31; it must be finite and within +-1e+30",
     base="dense", edit=put("preprocessing/offset", 2, 1e31))
case("scale-nan", "values", "NaN in the scale", FORMAT, "scale[1] is nan; its magnitude must be within 1e-30...1e+30",
     base="dense", edit=put("preprocessing/scale", 1, np.nan))
case("scale-neg-inf", "values", "-Inf in the scale", FORMAT, "scale[0] is -inf", base="cvae",
     edit=put("preprocessing/scale", 0, -np.inf))
case("scale-zero", "values", "a scale of 0", FORMAT, "scale[4] is 0.0", base="dense",
     edit=put("preprocessing/scale", 4, 0))
case("scale-1e-45", "values", "a scale of 1e-45 (subnormal float32)", FORMAT, "scale[0] is 1e-45", base="dense",
     edit=put("preprocessing/scale", 0, 1e-45))
case("scale-3e38", "values", "a scale of 3e38", FORMAT, "scale[11] is 3e+38", base="dense",
     edit=put("preprocessing/scale", 11, 3e38))
case("kernel-nan", "values", "NaN in a kernel", FORMAT,
     f"dataset 'encoder/00_dense/kernel' holds nan at index 5; {WITHIN}", base="dense",
     edit=put("encoder/00_dense/kernel", 5, np.nan))
case("bias-inf", "values", "+Inf in a bias", FORMAT, f"dataset 'decoder/01_dense/bias' holds inf at index 11; {WITHIN}",
     base="dense", edit=put("decoder/01_dense/bias", 11, np.inf))
case("kernel-neg-inf-vae-head", "values", "-Inf in a VAE's head kernel", FORMAT,
     "dataset 'encoder/01_dense/kernel' holds -inf at index 0", base="vae", edit=put("encoder/01_dense/kernel", 0, -np.inf))
case("kernel-3e38", "values", "a kernel value of 3e38", FORMAT,
     f"dataset 'decoder/00_dense/kernel' holds 3e+38 at index 7; {WITHIN}", base="cvae",
     edit=put("decoder/00_dense/kernel", 7, 3e38))
case("kernel-1e7", "values", "a kernel value of 1e7", FORMAT, "dataset 'encoder/00_dense/kernel' holds 10000000.0 at index 0",
     base="dense", edit=put("encoder/00_dense/kernel", 0, 1e7))
case("conv-kernel-nan", "values", "NaN in a conv2d_transpose kernel", FORMAT,
     "dataset 'decoder/01_conv2d_transpose/kernel' holds nan at index 17", base="conv",
     edit=put("decoder/01_conv2d_transpose/kernel", 17, np.nan))
case("log-variance-1e30", "values", "a Gaussian log-variance of 1e30", FORMAT,
     "dataset 'likelihood/gaussian/log_variance' holds 1e+30 at index 0; values must be finite and within +-50.0",
     base="gauss", edit=put("likelihood/gaussian/log_variance", 0, 1e30))
case("log-variance-minus-1e30", "values", "a Gaussian log-variance of -1e30", FORMAT,
     "dataset 'likelihood/gaussian/log_variance' holds -1e+30 at index 3", base="gauss",
     edit=put("likelihood/gaussian/log_variance", 3, -1e30))
case("log-variance-nan", "values", "NaN in a Gaussian log-variance", FORMAT,
     "dataset 'likelihood/gaussian/log_variance' holds nan at index 0", base="gauss",
     edit=put("likelihood/gaussian/log_variance", 0, np.nan))
case("log-variance-at-minus-50", "values", "every log-variance at the bound, -50", OK, base="gauss",
     edit=fill("likelihood/gaussian/log_variance", -50))
case("kernels-at-1e6-tanh", "values", "every weight and bias at the bound, +-1e6 (tanh hidden layers)", OK,
     base="dense", edit=lambda f, ctx: f.visititems(
         lambda n, o: o.__setitem__(Ellipsis, np.where(np.arange(o.size).reshape(o.shape) % 2, 1e6, -1e6))
         if isinstance(o, h5py.Dataset) and n.startswith(("encoder", "decoder")) else None))
case("kernels-at-1e6-relu", "values", "every weight and bias 1e6 (relu hidden layers, gaussian loss): "
     "results overflow float32, so compute calls return AE_ERROR_NON_FINITE and ae eval refuses", OK,
     eval_cli=(1, "does not fit in 32-bit floats"),
     base="gauss", edit=lambda f, ctx: f.visititems(
         lambda n, o: o.__setitem__(Ellipsis, 1e6) if isinstance(o, h5py.Dataset) and n.startswith(("encoder", "decoder"))
         else None))
case("scaling-at-bounds", "values", "offset -1e30 and scale 1e30, each within its bound (their product is not)",
     FORMAT, "times scale[0] 1e+30 exceeds 1e+18", base="dense",
     edit=both(fill("preprocessing/offset", -1e30), fill("preprocessing/scale", 1e30)))
case("method-none-nonidentity", "values", "method 'none' with offsets and scales that are not 0 and 1", FORMAT,
     "method is 'none' but the offsets and scales are not 0 and 1", base="dense",
     edit=attr("preprocessing", "method", "none"))
case("method-unknown", "values", "scaling method 'log'", FORMAT, "unknown scaling method 'log'", base="dense",
     edit=attr("preprocessing", "method", "log"))
case("method-missing", "values", "no scaling method attribute", FORMAT, "missing attribute 'method'", base="dense",
     edit=attr("preprocessing", "method", None))
case("method-int", "values", "scaling method stored as an integer", FORMAT, "attribute 'method' is not a single string",
     base="dense", edit=attr("preprocessing", "method", 3))

# ---- spec lies ----------------------------------------------------------------------------
def spec_layer(part, i, **changes):
    return spec(lambda s: s[part][i].update(changes))


SHAPE3 = "must be three positive sizes (height, width, channels)"
case("input-shape-negative", "spec", "inputShape [-4, -4, 1] (the product still matches)", FORMAT,
     f"input shape [-4, -4, 1] {SHAPE3}", base="conv", edit=spec(lambda s: s.update(inputShape=[-4, -4, 1])))
case("input-shape-negative-dense", "spec", "a dense model given inputShape [-3, -4, 1]", FORMAT,
     f"input shape [-3, -4, 1] {SHAPE3}", base="dense", edit=spec(lambda s: s.update(inputShape=[-3, -4, 1])))
case("input-shape-rank-2", "spec", "inputShape [4, 4] on an image model", FORMAT,
     "input shape [4, 4] is not the [4, 4, 1] its first layer reads", base="conv",
     edit=spec(lambda s: s.update(inputShape=[4, 4])))
case("input-shape-rank-4", "spec", "inputShape [2, 2, 4, 1]", FORMAT, f"input shape [2, 2, 4, 1] {SHAPE3}", base="conv",
     edit=spec(lambda s: s.update(inputShape=[2, 2, 4, 1])))
case("layer-input-shape-negative", "spec", "a conv2d layer reading a [-4, -4, 1] image", FORMAT,
     "encoder layer 0 (conv2d): its shapes [-4, -4, 1] and [2, 2, 2] must be positive", base="conv",
     edit=spec_layer("encoder", 0, inputShape=[-4, -4, 1]))
case("format-version-1.9", "spec", "format_version 1.9 (a float)", FORMAT,
     "attribute 'format_version' holds a floating-point number; expected an integer", base="dense",
     edit=attr("/", "format_version", 1.9))
case("format-version-3", "spec", "format_version 3", VERSION, "format_version 3 is newer than this library reads (2)",
     base="dense", edit=attr("/", "format_version", 3))
case("format-version-0", "spec", "format_version 0", FORMAT, "format_version 0 is not a version of this format",
     base="dense", edit=attr("/", "format_version", 0))
case("format-version-string", "spec", "format_version \"1\" (a string)", FORMAT,
     "attribute 'format_version' is not a single number", base="dense", edit=attr("/", "format_version", "1"))
case("format-version-array", "spec", "format_version [1, 1]", FORMAT, "attribute 'format_version' is not a single number",
     base="dense", edit=attr("/", "format_version", np.array([1, 1])))
case("format-version-uint64-max", "spec", "format_version 2^64-1 (uint64)", VERSION, "is newer than this library reads",
     base="dense", edit=attr("/", "format_version", np.uint64(2**64 - 1)))
case("format-version-missing", "spec", "no format_version", FORMAT, "missing attribute 'format_version'", base="dense",
     edit=attr("/", "format_version", None))
case("format-other", "spec", "format \"autoencoder2\"", FORMAT, "not an autoencoder model file", base="dense",
     edit=attr("/", "format", "autoencoder2"))
case("kind-contradicts-spec", "spec", "root kind 'vae' on a dense model's spec", FORMAT,
     "the root attribute kind is 'vae' but the spec describes a dense model", base="dense", edit=attr("/", "kind", "vae"))
case("kind-missing", "spec", "no root kind attribute", FORMAT, "missing attribute 'kind'", base="vae",
     edit=attr("/", "kind", None))
case("units-attribute-lies", "spec", "a layer's units attribute 9 where the spec says 8", FORMAT,
     "encoder/00_dense: attribute units is 9 but the spec says 8", base="dense", edit=attr("encoder/00_dense", "units", 9))
case("units-attribute-float", "spec", "a layer's units attribute 8.0 (a float)", FORMAT,
     "attribute 'units' holds a floating-point number; expected an integer", base="dense",
     edit=attr("decoder/00_dense", "units", 8.0))
case("activation-attribute-lies", "spec", "a layer's activation attribute 'relu' where the spec says 'tanh'", FORMAT,
     "encoder/00_dense: attribute activation is 'relu' but the spec says 'tanh'", base="dense",
     edit=attr("encoder/00_dense", "activation", "relu"))
case("kernel-size-attribute-lies", "spec", "a conv layer's kernel_size attribute 5 where the spec says 3", FORMAT,
     "encoder/00_conv2d: attribute kernel_size is 5 but the spec says 3", base="conv",
     edit=attr("encoder/00_conv2d", "kernel_size", 5))
case("stride-attribute-lies", "spec", "a conv layer's stride attribute 1 where the spec says 2", FORMAT,
     "decoder/01_conv2d_transpose: attribute stride is 1 but the spec says 2", base="conv",
     edit=attr("decoder/01_conv2d_transpose", "stride", 1))
case("padding-attribute-lies", "spec", "a conv layer's padding attribute 0 where the spec says 1", FORMAT,
     "encoder/00_conv2d: attribute padding is 0 but the spec says 1", base="conv", edit=attr("encoder/00_conv2d", "padding", 0))
case("stride-attribute-missing", "spec", "a conv layer without its stride attribute", FORMAT, "missing attribute 'stride'",
     base="conv", edit=attr("encoder/00_conv2d", "stride", None))
case("extra-layer-group", "spec", "an extra encoder/02_dense group the spec does not name", FORMAT,
     "/encoder: holds 3 members; the spec implies 2 layer groups", base="dense",
     edit=lambda f, ctx: f.copy(f["encoder/01_dense"], "encoder/02_dense"))
case("extra-dataset-in-layer", "spec", "an extra dataset in a layer group", FORMAT,
     "encoder/00_dense: holds 3 members; the spec implies two datasets, kernel and bias", base="dense",
     edit=lambda f, ctx: f.create_dataset("encoder/00_dense/extra", data=np.zeros(3, np.float32)))
case("extra-dataset-in-preprocessing", "spec", "an extra dataset in /preprocessing", FORMAT,
     "preprocessing: holds 3 members; the spec implies two datasets, offset and scale", base="dense",
     edit=lambda f, ctx: f.create_dataset("preprocessing/mean", data=np.zeros(12, np.float32)))
case("missing-layer-group", "spec", "a decoder layer group deleted", FORMAT,
     "/decoder: holds 1 members; the spec implies 2 layer groups", base="dense", edit=delete("decoder/00_dense"))
case("renamed-layer-group", "spec", "a layer group renamed (00_dense to 00_conv2d)", FORMAT,
     "missing group 'encoder/00_dense'", base="dense", edit=rename("encoder/00_dense", "encoder/00_conv2d"))
case("missing-preprocessing", "spec", "no /preprocessing group", FORMAT, "missing group 'preprocessing'", base="dense",
     edit=delete("preprocessing"))
case("missing-kernel", "spec", "a kernel renamed to 'weights'", FORMAT, "missing dataset 'encoder/01_dense/kernel'",
     base="dense", edit=rename("encoder/01_dense/kernel", "encoder/01_dense/weights"))
case("spec-malformed", "spec", "spec JSON cut short", FORMAT, "the 'spec' attribute is not a valid model description",
     base="dense", edit=lambda f, ctx: f.attrs.__setitem__("spec", f.attrs["spec"][:-5]))
case("spec-10mb-garbage", "spec", "a 10 MB spec string of garbage", FORMAT,
     "the 'spec' attribute is not a valid model description", base="dense",
     edit=attr("/", "spec", "x" * (10 << 20)), fresh=True)
case("spec-10mb-padded", "spec", "a valid spec padded with 10 MB of spaces (within the 16 MiB cap)", OK, base="dense",
     edit=lambda f, ctx: f.attrs.__setitem__("spec", f.attrs["spec"] + " " * (10 << 20)), same_as_base=True, fresh=True)
case("spec-17mb", "spec", "a 17 MB spec string (variable length)", FORMAT,
     "attribute 'spec' holds a string longer than 16777216 bytes", base="dense", edit=attr("/", "spec", "x" * SPEC_LONG),
     fresh=True)
case("spec-fixed-length", "spec", "the spec stored as a fixed-length (not variable-length) string", OK, base="dense",
     edit=lambda f, ctx: f.attrs.__setitem__("spec", fixed_string(f.attrs["spec"])), same_as_base=True)
case("spec-deeply-nested", "spec", "a spec of 100000 nested JSON arrays", FORMAT,
     "the 'spec' attribute is not a valid model description", base="dense",
     edit=attr("/", "spec", "[" * 100000 + "]" * 100000))
case("spec-not-utf8", "spec", "a spec string with invalid UTF-8", FORMAT,
     "the 'spec' attribute is not a valid model description", base="dense",
     edit=attr("/", "spec", np.bytes_(b'{"kind": "\xff\xfe"}')))
case("spec-integer", "spec", "the spec stored as an integer", FORMAT, "attribute 'spec' is not a single string",
     base="dense", edit=attr("/", "spec", 7))
case("spec-units-2^40", "spec", "a layer of 2^40 units in the spec", FORMAT,
     "a size of 1099511627776 is too large (at most 2^31)", base="dense", edit=spec_layer("encoder", 0, units=2**40))
case("spec-2^31-weights", "spec", "a layer of 2^28 units (12 x 2^28 weights) in the spec", FORMAT,
     "encoder layer 0 is too large: more than 2147483648 weights", base="dense", edit=spec_layer("encoder", 0, units=2**28))
case("spec-units-negative", "spec", "a layer of -8 units", FORMAT, "layer 0 has -8 units; every layer needs at least 1",
     base="dense", edit=spec_layer("encoder", 0, units=-8))
case("spec-units-float", "spec", "units 8.5 in the spec", FORMAT, "the 'spec' attribute is not a valid model description",
     base="dense", edit=spec_layer("encoder", 0, units=8.5))
case("spec-input-width-negative", "spec", "inputWidth -12", FORMAT, "input width must be positive, got -12",
     base="dense", edit=spec(lambda s: s.update(inputWidth=-12)))
case("spec-conv-kernel-0", "spec", "a conv layer with kernel 0", FORMAT, "kernel 0x0 must be positive", base="conv",
     edit=spec_layer("encoder", 0, kernel=0))
case("spec-conv-stride-0", "spec", "a conv layer with stride 0", FORMAT, "stride must be at least 1, got 0", base="conv",
     edit=spec_layer("decoder", 1, stride=0))
case("spec-conv-padding-negative", "spec", "a conv layer with padding -1", FORMAT, "padding must be >= 0, got -1",
     base="conv", edit=spec_layer("encoder", 0, padding=-1))
case("spec-conv-padding-four-negative", "spec", "a conv layer padded [0, 0, 2, -1] (top, left, bottom, right)", FORMAT,
     "padding must be >= 0, got 0,0,2,-1", base="conv", edit=spec_layer("encoder", 0, padding=[0, 0, 2, -1]))
case("spec-conv-padding-three", "spec", "a conv layer with three paddings", FORMAT, "padding (2 or 4 sizes)",
     base="conv", edit=spec_layer("encoder", 0, padding=[1, 1, 1]))
case("spec-conv-padding-four-lies", "spec", "a conv layer padded [0, 0, 0, 0] where its shapes need 1 on a side", FORMAT,
     "map 4x4 to 1x1, not 2x2", base="conv", edit=spec_layer("encoder", 0, padding=[0, 0, 0, 0]))
case("spec-conv-kernel-2000", "spec", "a conv layer with kernel 2000", FORMAT,
     "a kernel, stride or padding of 2000 is too large (at most 1024)", base="conv", edit=spec_layer("encoder", 0, kernel=2000))
case("spec-conv-output-shape-lies", "spec", "a conv layer claiming a 1x1x8 output", FORMAT,
     "map 4x4 to 2x2, not 1x1", base="conv", edit=spec_layer("encoder", 0, outputShape=[1, 1, 8]))
case("spec-dense-with-kernel", "spec", "a dense layer with a kernel size", FORMAT, "a dense layer takes no kernel",
     base="dense", edit=spec_layer("encoder", 1, kernel=3))
case("spec-unknown-layer-type", "spec", "a layer of type 'lstm'", FORMAT, "unknown layer type 'lstm'", base="dense",
     edit=spec_layer("decoder", 0, type="lstm"))
case("spec-unknown-activation", "spec", "activation 'swish' in the spec", FORMAT,
     "the 'spec' attribute is not a valid model description", base="dense", edit=spec_layer("encoder", 0, activation="swish"))
case("spec-empty-decoder", "spec", "a spec with no decoder layers", FORMAT, "the decoder needs at least one layer",
     base="dense", edit=spec(lambda s: s.update(decoder=[])))
case("spec-decoder-width", "spec", "a decoder whose last layer has 11 units for 12 inputs", FORMAT,
     "the decoder's last layer has 11 units; it must reconstruct all 12 inputs", base="dense",
     edit=spec_layer("decoder", 1, units=11))
case("spec-bce-linear-output", "spec", "loss 'bce' with a linear output", FORMAT,
     "the bce loss needs a sigmoid output, got linear", base="dense", edit=spec(lambda s: s.update(loss="bce")))
case("spec-vae-head-odd", "spec", "a VAE head of 3 units (not 2 x latent)", FORMAT,
     "a VAE's last encoder layer must be a linear head of 2 x latent units, got 3 linear", base="vae",
     edit=spec_layer("encoder", 1, units=3))
case("spec-unknown-key", "spec", "an unknown key in the spec (no effect on the forward pass)", OK, base="dense",
     edit=spec(lambda s: s.update(comment="hello")), same_as_base=True)
case("cvae-classes-mismatch", "spec", "a cvae spec claiming 5 classes; the kernels hold 3", FORMAT,
     "dataset 'encoder/00_dense/kernel' holds float32 of shape (15, 8); the spec implies float32 of shape (17, 8)",
     base="cvae", edit=spec(lambda s: s.update(classes=5)))
case("cvae-classes-1", "spec", "a cvae with 1 class", FORMAT, "a conditional VAE needs at least 2 classes", base="cvae",
     edit=spec(lambda s: s.update(classes=1)))
case("cvae-classes-2^40", "spec", "a cvae with 2^40 classes", FORMAT, "a size of 1099511627776 is too large",
     base="cvae", edit=spec(lambda s: s.update(classes=2**40)))
case("dense-with-classes", "spec", "a dense model's spec with classes 3", FORMAT,
     "class labels and conditions belong to conditional VAEs", base="dense", edit=spec(lambda s: s.update(classes=3)))
case("likelihood-on-mse", "spec", "a likelihood group on an mse model", FORMAT,
     "a 'likelihood' group belongs to models with a gaussian output head; this one has none", base="dense",
     edit=lambda f, ctx: f.create_dataset("likelihood/gaussian/log_variance", data=np.zeros(12, np.float32)))
case("gaussian-missing-log-variance", "spec", "a gaussian model without its log_variance", FORMAT,
     "likelihood/gaussian: holds 0 members; the spec implies one dataset, log_variance", base="gauss",
     edit=delete("likelihood/gaussian/log_variance"))
case("gaussian-missing-likelihood", "spec", "a gaussian model without /likelihood", FORMAT,
     "missing group 'likelihood'", base="gauss", edit=delete("likelihood"))

# The determinism check runs these whole cases (building, opening, ae) twice.
DETERMINISM = ["external-fifo", "kernel-huge-extents", "spec-deeply-nested", "kernels-at-1e6-relu", "fifo",
               "truncated-resealed"]


# -- the session: base models, data, the probe ----------------------------------------------

@dataclass
class Context:
    folder: pathlib.Path
    bases: dict = field(default_factory=dict)  # name -> sealed model path
    csv: dict = field(default_factory=dict)  # name -> CSV for `ae eval`
    rows: dict = field(default_factory=dict)  # name -> (x.npy, labels.npy or None) for the probe
    eval_args: dict = field(default_factory=dict)  # name -> extra ae eval arguments
    fifo: Optional[pathlib.Path] = None
    probe: Optional[hf.Probe] = None
    launcher: Optional[hf.Launcher] = None
    base_results: dict = field(default_factory=dict)


def ae(ctx, *args, timeout=TIMEOUT) -> hf.Run:
    return ctx.launcher.run([AE, *args], timeout=timeout)


@pytest.fixture(scope="session")
def ctx(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    c = Context(folder, launcher=hf.Launcher())
    rng = np.random.default_rng(9)
    x = rng.normal(size=(64, 12)).astype(np.float32)
    images = rng.random((64, 16)).astype(np.float32)
    labels = rng.integers(0, 3, 64)

    def save_csv(name, table, header):
        path = folder / f"{name}.csv"
        np.savetxt(path, table, delimiter=",", header=",".join(header), comments="", fmt="%.7g")
        return path

    dense_csv = save_csv("x", x, [f"f{i}" for i in range(12)])
    image_csv = save_csv("images", images, [f"p{i}" for i in range(16)])
    label_csv = save_csv("labeled", np.column_stack([x, labels]), [f"f{i}" for i in range(12)] + ["label"])
    common = ["--epochs", "2", "--batch", "16", "--quiet", "--threads", "1"]
    trainings = {
        "dense": (["--layers", "8,4", "--activation", "tanh", "--loss", "mse", "--scale", "standard"], dense_csv, []),
        "vae": (["--model", "vae", "--layers", "8,2", "--loss", "mse", "--scale", "standard"], dense_csv, []),
        "cvae": (["--model", "cvae", "--layers", "8,2", "--loss", "mse", "--scale", "standard"], label_csv,
                 ["--label-column", "label"]),
        "conv": (["--arch", "conv2s2,dense3", "--image-shape", "4x4x1"], image_csv, []),
        "gauss": (["--layers", "8,4", "--activation", "relu", "--loss", "gaussian", "--scale", "standard"], dense_csv, []),
    }
    for name, (options, data, extra) in trainings.items():
        model = folder / f"{name}.h5"
        result = ae(c, "train", *options, *common, "--data", data, *extra, "--out", model, timeout=120)
        assert result.returncode == 0, result.describe()
        assert hf.is_sealed(model)
        os.chmod(model, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # cases copy it; none may change it
        c.bases[name], c.csv[name], c.eval_args[name] = model, data, extra
        rows = (images if name == "conv" else x)[:8]
        np.save(folder / f"{name}-x.npy", rows)
        label_path = None
        if name == "cvae":
            label_path = folder / "cvae-labels.npy"
            np.save(label_path, labels[:8].astype(np.int32))
        c.rows[name] = (folder / f"{name}-x.npy", label_path)
    c.fifo = folder / "fifo"
    os.mkfifo(c.fifo)
    c.probe = hf.Probe(dict(os.environ))
    yield c
    c.probe.close()
    c.launcher.close()


def build(case: Case, ctx: Context, tag: str):
    """The case's file (sealed) and, where it applies, the same file unsealed."""
    folder = ctx.folder / f"{case.id}-{tag}"
    folder.mkdir()
    path = folder / "model.h5"
    if case.make:
        return case.make(ctx, path), None
    copy_base(ctx, path, case.base)
    if case.edit is not None:
        with h5py.File(path, "r+", libver=("earliest", "v110")) as f:
            case.edit(f, ctx)
        hf.seal(path)
    unsealed = None
    if case.unsealed:
        unsealed = folder / "unsealed.h5"
        shutil.copy(path, unsealed)
        hf.unseal(unsealed)
    return path, unsealed


def observe(case: Case, ctx: Context, tag: str = "a") -> dict:
    """Everything a case does: library answers per mode, ae runs, peak memory."""
    path, unsealed = build(case, ctx, tag)
    base = case.base or ("dense" if case.make else None)
    x, labels = ctx.rows[base]
    modes = ["path", "memory"] if case.memory else ["path"]
    if case.unverified:
        modes += ["path_unverified", "memory_unverified"]
    job = {"path": str(path), "modes": modes, "data": str(x), "labels": str(labels) if labels else None}
    seen = {"path": str(path), "library": ctx.probe.ask(job, TIMEOUT, fresh=case.fresh)}
    if unsealed is not None:
        job = {"path": str(unsealed), "modes": ["path", "memory", "path_unverified", "memory_unverified"],
               "data": str(x), "labels": str(labels) if labels else None}
        seen["unsealed_path"] = str(unsealed)
        seen["unsealed"] = ctx.probe.ask(job, TIMEOUT)
    seen["inspect"] = ae(ctx, "inspect", path)
    seen["eval"] = ae(ctx, "eval", path, "--data", ctx.csv[base], *ctx.eval_args[base], "--threads", "1")
    if unsealed is not None:
        seen["unsealed_inspect"] = ae(ctx, "inspect", unsealed)
    return seen


def check_library(problems, where, answer, status, phrase, path=None, forbid=None):
    """One library answer: the status, a one-line message with the phrase (and the path)."""
    if answer is None:
        problems.append(f"{where}: no answer")
        return
    got = answer["status"]
    if got != status:
        problems.append(f"{where}: status {got} ({hf.STATUS.get(got, '?')}) '{answer.get('message', '')}', "
                        f"expected {status} ({hf.STATUS[status]})")
        return
    if status == OK:
        for name, result in answer.get("compute", {}).items():
            if result["status"] == 0 and not result["finite"]:
                problems.append(f"{where}: AE_OK, then {name} returned NaN or Inf (AE_OK)")
        return
    message = answer["message"]
    if phrase not in message:
        problems.append(f"{where}: message {message!r} lacks {phrase!r}")
    if "\n" in message:
        problems.append(f"{where}: message spans lines: {message!r}")
    if len(message) > 2000:
        problems.append(f"{where}: message is {len(message)} characters long")
    if path and path not in message:
        problems.append(f"{where}: message {message!r} does not name the file {path}")
    if forbid and forbid in message:
        problems.append(f"{where}: message {message!r} holds {forbid!r}")


def check_library_run(problems, where, outcome, expectations, forbid=None):
    """A probe job: no crash, no hang; then each mode against (status, phrase, path)."""
    if outcome.get("timed_out"):
        problems.append(f"{where}: the library did not return within {TIMEOUT} s (hang); answers before: "
                        f"{list(outcome['results'])}")
    if "crashed" in outcome:
        problems.append(f"{where}: the probe process died with {outcome['crashed']} (negative: signal) after "
                        f"{list(outcome['results'])}; stderr: {outcome['stderr'][-800:]}")
    for mode, (status, phrase, path) in expectations.items():
        if mode in outcome["results"] or not (outcome.get("timed_out") or "crashed" in outcome):
            check_library(problems, f"{where} {mode}", outcome["results"].get(mode), status, phrase, path, forbid)


def check_cli(problems, where, result: hf.Run, exit_status, phrase, path=None, forbid=None):
    if result.timed_out:
        problems.append(f"{where}: timed out after {TIMEOUT} s")
        return
    if result.returncode < 0:
        problems.append(f"{where}: killed by signal {-result.returncode}; stderr: {result.stderr[-500:]}")
        return
    if result.maxrss_mb > CLI_RSS_MB:
        problems.append(f"{where}: peak memory {result.maxrss_mb:.0f} MB > {CLI_RSS_MB} MB")
    if result.returncode != exit_status:
        problems.append(f"{where}: exit {result.returncode}, expected {exit_status}; stderr: {result.stderr[-500:]!r}")
        return
    if exit_status == 0:
        if result.stderr.strip():
            problems.append(f"{where}: exit 0 but stderr {result.stderr[-300:]!r}")
        return
    lines = result.stderr.splitlines()
    if len(lines) != 1 or not lines[0].startswith("error: "):
        problems.append(f"{where}: stderr is not one 'error:' line: {result.stderr[-600:]!r}")
    elif phrase not in lines[0]:
        problems.append(f"{where}: {lines[0]!r} lacks {phrase!r}")
    elif path and path not in lines[0]:
        problems.append(f"{where}: {lines[0]!r} does not name the file {path}")
    elif forbid and forbid in lines[0]:
        problems.append(f"{where}: {lines[0]!r} holds {forbid!r}")
    if len(result.stderr) > 2000:
        problems.append(f"{where}: stderr is {len(result.stderr)} characters long")
    if result.stdout.strip():
        problems.append(f"{where}: exit 1 but printed {result.stdout[:200]!r}")


def judge(case: Case, ctx: Context, seen: dict) -> list:
    problems = []
    path = seen["path"] if case.names_file else None
    mem_status = case.memory_status if case.memory_status is not None else case.status
    mem_phrase = case.memory_phrase or case.phrase
    expect = {"path": (case.status, case.phrase, path)}
    if case.memory:
        expect["memory"] = (mem_status, mem_phrase, None)
    if case.unverified:
        status, phrase = case.unverified
        expect["path_unverified"] = (status, phrase, path)
        expect["memory_unverified"] = (status, phrase, None)
    check_library_run(problems, "library", seen["library"], expect, case.forbid)
    results = seen["library"]["results"]
    if case.fresh and "maxrss_mb" in seen["library"] and seen["library"]["maxrss_mb"] > PROBE_RSS_MB:
        problems.append(f"library: peak memory {seen['library']['maxrss_mb']:.0f} MB > {PROBE_RSS_MB} MB")
    if case.same_as_base and case.status == OK:
        reference = base_reconstruction(case.base or "dense", ctx)
        for mode in expect:
            got = results.get(mode, {}).get("compute", {}).get("reconstruct", {}).get("values")
            if got is not None and reference is not None and not np.allclose(got, reference, rtol=1e-5, atol=1e-5):
                problems.append(f"library {mode}: reconstructions differ from the unchanged model's")
    if "unsealed" in seen:
        u = seen["unsealed_path"]
        check_library_run(problems, "unsealed library", seen["unsealed"], {
            "path": (UNVERIFIED, NO_CHECKSUM, u), "memory": (UNVERIFIED, NO_CHECKSUM, None),
            "path_unverified": (case.status, case.phrase, u if case.names_file else None),
            "memory_unverified": (mem_status, mem_phrase, None)}, case.forbid)
        check_cli(problems, "ae inspect (unsealed)", seen["unsealed_inspect"], 1, NO_CHECKSUM, u)
    cli_phrase = case.cli_phrase or case.phrase
    check_cli(problems, "ae inspect", seen["inspect"], case.cli_exit, cli_phrase, path, case.forbid)
    eval_exit, eval_phrase = case.eval_cli or (case.cli_exit, cli_phrase)
    check_cli(problems, "ae eval", seen["eval"], eval_exit, eval_phrase, path if case.eval_cli is None else None, case.forbid)
    if eval_exit == 0 and seen["eval"].returncode == 0:
        figures = json.loads(seen["eval"].stdout.strip().splitlines()[-1])
        if figures.get("objective") is None:
            problems.append(f"ae eval: the objective is not finite: {seen['eval'].stdout.strip()}")
    return problems


def base_reconstruction(name, ctx):
    if name not in ctx.base_results:
        x, labels = ctx.rows[name]
        answer = ctx.probe.ask({"path": str(ctx.bases[name]), "modes": ["path"], "data": str(x),
                                "labels": str(labels) if labels else None}, TIMEOUT)
        ctx.base_results[name] = answer["results"]["path"]["compute"]["reconstruct"]["values"]
    return ctx.base_results[name]


def params():
    for c in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else []
        yield pytest.param(c, id=c.id, marks=marks)


# -- the tests ----------------------------------------------------------------------------------

def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", list(params()))
def test_hostile_file(case, ctx):
    seen = observe(case, ctx)
    problems = judge(case, ctx, seen)
    if os.environ.get("HOSTILE_DUMP"):  # every answer, for reading the messages
        with open(os.environ["HOSTILE_DUMP"], "a") as dump:
            runs = {k: {"exit": v.returncode, "stderr": v.stderr, "stdout": v.stdout[:300], "rss": v.maxrss_mb}
                    for k, v in seen.items() if isinstance(v, hf.Run)}
            dump.write(json.dumps({"case": case.id, "library": seen["library"], "unsealed": seen.get("unsealed"),
                                   **runs}) + "\n")
    assert not problems, f"{case.id} ({case.what}):\n  " + "\n  ".join(problems)


def summary(seen: dict) -> dict:
    """What must be the same on a second run: statuses, messages, exit codes, stderr (paths
    replaced, since each run builds its own folder)."""
    def clean(text):
        return text.replace(seen["path"], "FILE").replace(seen.get("unsealed_path", "@"), "UNSEALED")

    out = {}
    for key in ("library", "unsealed"):
        if key in seen:
            results = seen[key]["results"]
            out[key] = {mode: (r["status"], clean(r["message"]), json.dumps(r.get("compute"), sort_keys=True))
                        for mode, r in results.items()}
            out[key + " fate"] = (seen[key].get("timed_out"), seen[key].get("crashed"))
    for key in ("inspect", "eval", "unsealed_inspect"):
        if key in seen:
            run = seen[key]
            out[key] = (run.returncode, run.timed_out, clean(run.stderr),
                        clean(run.stdout) if key != "inspect" else clean(run.stdout).split("history:")[0])
    return out


@pytest.mark.parametrize("case_id", DETERMINISM)
def test_cases_are_deterministic(case_id, ctx):
    case = next(c for c in CASES if c.id == case_id)
    first = summary(observe(case, ctx, "first"))
    second = summary(observe(case, ctx, "second"))
    assert first == second


# -- the documentation table -----------------------------------------------------------------

GROUPS = {"files": "Files", "storage": "Storage outside the file, links and filters",
          "sizes": "Declared sizes and types", "values": "Values", "spec": "Spec lies"}


def render_table() -> str:
    lines = []
    for group, title in GROUPS.items():
        lines += [f"### {title}", "",
                  "| Case | Input | Library (path / memory) | Message contains | `ae` exit | Unsealed copy |",
                  "|---|---|---|---|---|---|"]
        for c in (c for c in CASES if c.group == group):
            status = f"{hf.STATUS[c.status]} ({c.status})"
            if c.memory_status is not None and c.memory_status != c.status:
                status += f" / {hf.STATUS[c.memory_status]} ({c.memory_status})"
            elif not c.memory:
                status += " / -"
            phrases = [f"`{c.phrase}`"] if c.phrase else []
            if c.memory_phrase:
                phrases.append(f"memory: `{c.memory_phrase}`")
            if c.cli_phrase:
                phrases.append(f"ae: `{c.cli_phrase}`")
            if not c.phrase and c.status == OK:
                phrases.insert(0, "opens; finite outputs" + (", same as the unchanged model" if c.same_as_base else ""))
            name = f"`{c.id}`" + (" (known failure)" if c.xfail else "")
            unsealed = "12; unverified: same" if c.unsealed and not c.make else "-"
            if c.unverified:
                status_u, phrase_u = c.unverified
                unsealed = f"this file, unverified: {hf.STATUS[status_u]} ({status_u})" + (f", `{phrase_u}`" if phrase_u else "")
            cells = [name, c.what, status, "; ".join(phrases), str(c.cli_exit), unsealed]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        lines.append("")
    return "\n".join(lines)


BEGIN, END = "<!-- cases: generated by Tests/python/test_hostile_files.py -->\n", "<!-- cases: end -->\n"


def test_documentation_table_matches_the_cases():
    text = DOC.read_text()
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    expected = head + BEGIN + render_table() + END + tail
    if os.environ.get("HOSTILE_WRITE_DOC"):
        DOC.write_text(expected)
    assert text == expected, "docs/HOSTILE_INPUTS.md is out of date: rerun with HOSTILE_WRITE_DOC=1"
