"""Each thread's scratch workspace for one model: made on the thread's first call, freed when the
thread ends or the model closes, whichever comes first, and never freed twice.

A thread finds its workspace through a `threading.local` owned by the Model, holding a
`_ThreadWorkspace`. When the thread ends, Python drops that thread's entry, and the object's
finalizer frees the C workspace in the ending thread. close() frees every workspace still
registered. Both go through `Workspaces.release`, which frees a workspace only if it is still
registered (under a lock), so whichever comes second does nothing.

Reentrant lock: a finalizer may run inside the locked section of the same thread (a garbage
collection triggered by an allocation there), and must not deadlock.

A thread that calls after close() is stopped by the model's own check first; one that races
close() hands C a freed workspace handle, which C refuses with AE_ERROR_MISUSE (the handle is a
tagged slot that stays readable): never a use after free.
"""
from __future__ import annotations

import ctypes
import itertools
import threading
from typing import Dict

from . import _lib
from ._errors import MisuseError, check


class Workspaces:
    """The registry of one model's live C workspaces (token -> handle)."""

    def __init__(self, rows: int):
        self.rows = rows
        self._lock = threading.RLock()
        self._live: Dict[int, int] = {}
        self._tokens = itertools.count()
        self._closed = False

    def create(self, model_handle, local: threading.local) -> "_ThreadWorkspace":
        """A new workspace for the calling thread (one thread of its own: see `_ThreadWorkspace.threads`),
        stored in `local` (the model's threading.local)."""
        handle = ctypes.c_void_p()
        check(_lib.ae_workspace_create(model_handle, self.rows, ctypes.byref(handle)))
        with self._lock:
            closed = self._closed
            if not closed:
                token = next(self._tokens)
                self._live[token] = handle.value
        if closed:  # close() ran while this thread was making its workspace
            _lib.ae_workspace_free(handle.value)
            raise MisuseError("the model is closed")
        workspace = _ThreadWorkspace(self, token, handle.value)
        local.workspace = workspace
        return workspace

    def release(self, token: int) -> None:
        """Free the workspace registered under `token`, if it still is."""
        with self._lock:
            handle = self._live.pop(token, None)
            if handle is not None:
                _lib.ae_workspace_free(handle)

    def close(self) -> None:
        """Free every registered workspace; later `create` calls free theirs and raise."""
        with self._lock:
            self._closed = True
            handles, self._live = list(self._live.values()), {}
            for handle in handles:
                _lib.ae_workspace_free(handle)

    def count(self) -> int:
        """How many workspaces are live (for tests)."""
        with self._lock:
            return len(self._live)


class _ThreadWorkspace:
    """One thread's workspace; frees it when the thread's local storage lets go of it.

    `threads` is the count last set with ae_workspace_set_threads (1 as created). Only the
    owning thread sets it, before a call (Model._workspace compares it with the model's
    setting): a workspace belongs to one thread at a time, so setting it from another thread
    could meet a call in flight (AE_ERROR_MISUSE)."""
    __slots__ = ("owner", "token", "handle", "threads")

    def __init__(self, owner: Workspaces, token: int, handle: int):
        self.owner, self.token, self.handle, self.threads = owner, token, handle, 1

    def __del__(self):
        try:
            self.owner.release(self.token)
        except Exception:  # interpreter shutdown: the module's globals may be gone already
            pass
