"""Keeping the KPI facts current: the sweep that recomputes the facts of stale events.

Every step of an event marks it stale (``events.services``), as does a deadline
passing (the SLA scan); once that write has committed, ``sync_facts`` is enqueued
for the sweep's window (``core.sweeps``). Registered in ``StatsConfig.ready``
with events' hooks, after the commit: a sweep that ran before it would not see
the write.
"""

from __future__ import annotations

from shezhi.core import sweeps

from . import tasks


def sweep_after_step(step) -> None:
    """A step has committed: bring the KPI facts up to date soon."""
    sweeps.soon(tasks.sync_facts)


def sweep_facts() -> None:
    """KPI facts moved without a step (deadlines passed) and that has committed."""
    sweeps.soon(tasks.sync_facts)
