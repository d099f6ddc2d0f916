"""Small, rarely written tables read on hot paths, kept per process for a moment.

A submission needs the category list and the boundary revision on every
request; asking the database each time cost more than writing the event. A
``Snapshot`` keeps the loaded value for ``SHEZHI_SNAPSHOT_SECONDS`` (default 2 s).
Writes in this process clear it at once (the owning app connects ``clear`` to
its model's signals); other processes see a change within those seconds, which
is the price of not asking the database on every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings

T = TypeVar("T")

_all: list[Snapshot] = []


def seconds() -> float:
    return float(getattr(settings, "SHEZHI_SNAPSHOT_SECONDS", 2.0))


class Snapshot(Generic[T]):
    """``get()`` returns ``load()``'s value, reloaded when older than ``seconds()``."""

    def __init__(self, load: Callable[[], T], name: str):
        self._load = load
        self.name = name
        self._value: tuple[float, T] | None = None
        self._lock = threading.Lock()
        _all.append(self)

    def get(self) -> T:
        held = self._value
        now = time.monotonic()
        if held is not None and now < held[0]:
            return held[1]
        with self._lock:
            held = self._value
            if held is not None and now < held[0]:
                return held[1]
            value = self._load()
            self._value = (time.monotonic() + seconds(), value)
            return value

    def clear(self, *args, **kwargs) -> None:
        """Forget the value (signature fits a signal receiver)."""
        self._value = None


def clear_all() -> None:
    """Forget every snapshot and the API token cache (tests; after restoring a database)."""
    from .auth import clear_token_cache

    for snap in _all:
        snap.clear()
    clear_token_cache()
