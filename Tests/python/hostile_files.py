"""Machinery for Tests/python/test_hostile_files.py: the checksum block, a probe that opens
model files with libautoencoder in a separate process (so a crash or a hang in the library
is observed, not suffered), and a runner for the `ae` tool that reports exit status, signal,
timeout and peak memory of each run.

Run as a script (`python hostile_files.py worker`) it is the probe: it reads one JSON job per
line on stdin and answers one JSON line per mode on stdout. It never imports h5py, so the only
libhdf5 in its address space is the one libautoencoder links. `python -S hostile_files.py
launcher` starts commands for `Launcher`.
"""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from typing import Optional

BLOCK = 512
MAGIC = b"autoencoder-checksum\n"

# ae_status values (include/autoencoder.h).
STATUS = {
    0: "AE_OK", 1: "AE_ERROR_INVALID_ARGUMENT", 2: "AE_ERROR_IO", 3: "AE_ERROR_FORMAT",
    4: "AE_ERROR_VERSION", 5: "AE_ERROR_DIMENSION", 6: "AE_ERROR_NON_FINITE", 7: "AE_ERROR_OVERFLOW",
    8: "AE_ERROR_OUT_OF_MEMORY", 9: "AE_ERROR_UNSUPPORTED", 10: "AE_ERROR_WORKSPACE", 11: "AE_ERROR_MISUSE",
    12: "AE_ERROR_UNVERIFIED", 99: "AE_ERROR_INTERNAL",
}
OK, IO, FORMAT, VERSION, UNVERIFIED = 0, 2, 3, 4, 12
AE_OPEN_UNVERIFIED = 1


# -- the checksum block (Sources/Store/Integrity.swift) -------------------------------------

def checksum_block(payload: bytes, crc: Optional[str] = None, length: Optional[str] = None) -> bytes:
    """The 512-byte user block `ae` writes for a file whose bytes after the block are `payload`;
    `crc` and `length` replace the true fields' text (to make a block that lies)."""
    crc = "%08x" % zlib.crc32(payload) if crc is None else crc
    length = str(len(payload)) if length is None else length
    text = MAGIC + f"crc32 {crc}\nlength {length}\n".encode()
    assert len(text) <= BLOCK
    return text.ljust(BLOCK, b"\0")


def seal(path, crc: Optional[str] = None, length: Optional[str] = None) -> None:
    """Give the file at `path` (which has a 512-byte HDF5 user block) a valid checksum block,
    as `ae` writes it, or one with the given lying fields."""
    with open(path, "r+b") as f:
        data = f.read()
        assert len(data) >= BLOCK, f"{path}: no user block to seal"
        f.seek(0)
        f.write(checksum_block(data[BLOCK:], crc, length))


def unseal(path) -> None:
    """Zero the user block: a file 'written by another tool', which carries no checksum."""
    with open(path, "r+b") as f:
        f.write(b"\0" * BLOCK)


def is_sealed(path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


# -- running ae -----------------------------------------------------------------------------

@dataclass
class Run:
    """One finished (or killed) process."""
    argv: list
    returncode: Optional[int]  # negative: killed by that signal; None: timed out
    stdout: str
    stderr: str
    timed_out: bool
    maxrss_mb: float
    seconds: float

    def describe(self) -> str:
        what = "timed out" if self.timed_out else f"exit {self.returncode}"
        return f"{' '.join(map(str, self.argv))}: {what}, {self.maxrss_mb:.0f} MB\nstdout: {self.stdout[-2000:]}\nstderr: {self.stderr[-2000:]}"


class Launcher:
    """Runs commands with a timeout and reports each one's peak memory.

    Linux carries a process's peak RSS across fork and exec, so a command started straight
    from pytest (hundreds of MB) would report pytest's peak as its own. The commands are
    started instead by a small long-lived Python (this file as `launcher`, without numpy),
    whose children start from its few MB; wait4 then gives each command's own peak."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-S", "-E", os.path.abspath(__file__), "launcher"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)

    def run(self, argv, timeout: float = 20) -> Run:
        with tempfile.NamedTemporaryFile() as out, tempfile.NamedTemporaryFile() as err:
            job = {"argv": [str(a) for a in argv], "timeout": timeout, "stdout": out.name, "stderr": err.name}
            self.process.stdin.write((json.dumps(job) + "\n").encode())
            answer = json.loads(self.process.stdout.readline())
            return Run(job["argv"], answer["returncode"], out.read().decode(errors="replace"),
                       err.read().decode(errors="replace"), answer["timed_out"], answer["maxrss_kb"] / 1024,
                       answer["seconds"])

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _launcher() -> None:
    """The launcher's side: one JSON job per line in, one JSON line out when it is over."""
    for line in sys.stdin:
        job = json.loads(line)
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the command: its own session, so a timeout kills all it started
            try:
                os.setsid()
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                os.dup2(os.open(job["stdout"], os.O_WRONLY | os.O_TRUNC), 1)
                os.dup2(os.open(job["stderr"], os.O_WRONLY | os.O_TRUNC), 2)
                os.execv(job["argv"][0], job["argv"])
            finally:
                os._exit(127)
        timed_out = False
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() - start > job["timeout"]:
                timed_out = True
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                done, status, usage = os.wait4(pid, 0)
                break
            time.sleep(0.002)
        print(json.dumps({"returncode": None if timed_out else os.waitstatus_to_exitcode(status),
                          "timed_out": timed_out, "maxrss_kb": usage.ru_maxrss,
                          "seconds": time.monotonic() - start}), flush=True)


# -- the library probe --------------------------------------------------------------------------

class Probe:
    """A long-lived worker process (this file as a script) that opens files with the library.
    A job that crashes or hangs the worker is reported as such, and the next job starts a new
    worker. `fresh=True` starts a new one first, so its peak memory belongs to that job."""

    def __init__(self, env):
        self.env = env
        self.process: Optional[subprocess.Popen] = None
        self.stderr = None
        self.pending = b""

    def _start(self):
        self.pending = b""
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.stderr, env=self.env, start_new_session=True,
                                        bufsize=0)

    def close(self):
        if self.process is not None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except Exception:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            self.process = None

    def _kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def ask(self, job: dict, timeout: float = 20, fresh: bool = False) -> dict:
        """Run one job: {"path": ..., "modes": [...], "data": npy, "labels": npy or None}.
        Returns {"results": {mode: {...}}, "maxrss_mb": ...} or {"crashed": signal or code,
        "stderr": ..., "results": partial} or {"timed_out": True, "results": partial}."""
        if fresh:
            self.close()
        if self.process is None:
            self._start()
        self.process.stdin.write((json.dumps(job) + "\n").encode())
        self.process.stdin.flush()
        results, deadline = {}, time.monotonic() + timeout
        fd = self.process.stdout.fileno()
        while True:
            while b"\n" not in self.pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                    self._kill()
                    return {"timed_out": True, "results": results}
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    code = self.process.wait()
                    self.stderr.seek(0)
                    tail = self.stderr.read().decode(errors="replace")[-3000:]
                    self.process = None
                    return {"crashed": code, "stderr": tail, "results": results}
                self.pending += chunk
            line, self.pending = self.pending.split(b"\n", 1)
            answer = json.loads(line)
            if "mode" in answer:
                results[answer["mode"]] = answer
            else:
                answer["results"] = results
                return answer


def _worker() -> None:
    """The probe's side: see Probe.ask. One JSON line per mode as soon as it is done, so a
    crash leaves the modes before it on record."""
    import ctypes
    import resource

    import numpy as np

    import autoencoder
    from autoencoder import _lib

    open_v2 = _lib.lib.ae_model_open_v2
    open_v2.restype, open_v2.argtypes = ctypes.c_int, [ctypes.c_char_p, ctypes.c_uint, ctypes.POINTER(ctypes.c_void_p)]
    open_memory_v2 = _lib.lib.ae_model_open_memory_v2
    open_memory_v2.restype = ctypes.c_int
    open_memory_v2.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.POINTER(ctypes.c_void_p)]

    def peak_memory_mb() -> float:
        """This process's peak RSS since it started (VmHWM: unlike getrusage's ru_maxrss it
        does not carry over the peak of the process it was forked from)."""
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def finite(array) -> bool:
        return bool(np.all(np.isfinite(array)))

    def compute(model, x, labels) -> dict:
        """Run every compute call on sane rows; each must give finite values or a status."""
        calls = {
            "encode": lambda: model.encode(x, labels=labels),
            "reconstruct": lambda: model.reconstruct(x, labels=labels),
            "score": lambda: model.score(x, labels=labels),
            "decode": lambda: model.decode(np.zeros((len(x), model.latent_dim), np.float32), labels=labels),
        }
        if model.can_sample:
            calls["sample"] = lambda: model.sample(len(x), seed=1, label=0 if model.classes else None)
        if model.can_sample and not model.classes:
            calls["encode_distribution"] = lambda: np.concatenate(model.encode_distribution(x), axis=1)
        out = {}
        for name, call in calls.items():
            try:
                values = call()
                out[name] = {"status": 0, "finite": finite(values)}
                if name == "reconstruct":
                    out[name]["values"] = np.asarray(values, np.float64).round(5).tolist()
            except autoencoder.AutoencoderError as error:
                out[name] = {"status": error.status, "message": error.message}
        return out

    def with_flag(opener, target) -> dict:
        handle = ctypes.c_void_p()
        status = opener(target, AE_OPEN_UNVERIFIED, ctypes.byref(handle))
        answer = {"status": status, "message": _lib.ae_last_error().decode(errors="replace") if status else ""}
        if status == 0:
            answer["kind"] = _lib.ae_model_kind(handle).decode()
            _lib.ae_model_close(handle)
        return answer

    for line in sys.stdin:
        job = json.loads(line)
        x = np.load(job["data"]) if job.get("data") else None
        labels = np.load(job["labels"]) if job.get("labels") else None
        data = None
        for mode in job["modes"]:
            if mode.startswith("memory") and data is None:
                with open(job["path"], "rb") as f:
                    data = f.read()
            try:
                if mode == "path_unverified":
                    answer = with_flag(lambda t, fl, h: open_v2(os.fsencode(t), fl, h), job["path"])
                elif mode == "memory_unverified":
                    answer = with_flag(lambda t, fl, h: open_memory_v2(t, len(t), fl, h), data)
                else:
                    model = autoencoder.Model(job["path"]) if mode == "path" else autoencoder.Model(data=data)
                    with model:
                        answer = {"status": 0, "message": "", "kind": model.kind}
                        if x is not None:
                            answer["compute"] = compute(model, x, labels if model.classes else None)
            except autoencoder.AutoencoderError as error:
                answer = {"status": error.status, "message": error.message}
            answer["mode"] = mode
            print(json.dumps(answer), flush=True)
        print(json.dumps({"maxrss_mb": peak_memory_mb()}), flush=True)


if __name__ == "__main__" and sys.argv[1:] == ["worker"]:
    _worker()
elif __name__ == "__main__" and sys.argv[1:] == ["launcher"]:
    _launcher()
