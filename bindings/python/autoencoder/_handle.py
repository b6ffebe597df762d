"""What every wrapper of a C handle shares: closed once, by close(), a with block or garbage
collection."""
from __future__ import annotations

from typing import Any


class Handle:
    """A C handle in `_handle` (None once closed); subclasses free it in `close()`."""

    _handle: Any = None

    def close(self) -> None:  # pragma: no cover - every subclass has its own
        raise NotImplementedError

    @property
    def closed(self) -> bool:
        """True once close() has run; calls then raise MisuseError."""
        return self._handle is None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # a half-made object, or interpreter shutdown
            pass
