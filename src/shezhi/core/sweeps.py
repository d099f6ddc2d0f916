"""Background sweeps that catch up on recent writes, enqueued at most once per window.

A sweep (announce new reports, bring KPI facts up to date) handles everything
written since it last ran, so a busy process need not enqueue one per write:
``soon(task)`` enqueues the task to run ``SHEZHI_SWEEP_SECONDS`` (default
2 s) from now, unless this process already has one pending for that window.
Call it once the write has committed (``transaction.on_commit``): a sweep that
ran before the commit would not see the write. A backend that cannot defer a
task (the immediate one in tests) gets the task at once, every time.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

_pending: dict[str, float] = {}  # task name → monotonic time its pending run starts
_lock = threading.Lock()


def window() -> float:
    return float(getattr(settings, "SHEZHI_SWEEP_SECONDS", 2.0))


def soon(task) -> None:
    """Enqueue ``task`` (no arguments) for the end of the current window, once per window."""
    if not task.get_backend().supports_defer:
        task.enqueue()
        return
    now = time.monotonic()
    with _lock:
        if now < _pending.get(task.name, 0.0):
            return
        seconds = window()
        _pending[task.name] = now + seconds
    task.using(run_after=timezone.now() + timedelta(seconds=seconds)).enqueue()


def soon_after_commit(task) -> None:
    """``soon(task)`` once the current transaction has committed (at once outside one)."""
    transaction.on_commit(lambda: soon(task), robust=True)


def reset() -> None:
    """Forget pending runs (tests)."""
    with _lock:
        _pending.clear()
