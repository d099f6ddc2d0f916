"""Visits publishes what a recorded visit found; the apps that react to it listen here.

- ``on_visit_recorded(listener)``: called with a ``VisitRecorded`` inside the visit's
  transaction, after its rows are written: what a listener writes commits or rolls
  back with the visit, and an error it raises undoes the visit. A retried submission
  (the same idempotency key) is not published again. The piece-rate points
  (``incentives.visit_points``: ``household_visit``, exactly once per visit, under its
  daily cap, into the emergency bucket while the area is in emergency mode) listen here.
- ``on_need_found(listener)``: called once per need ticked on the checklist
  (``checklist.NEEDS``) with a ``NeedFound``, in the same transaction. Nobody listens
  yet: the participation module (demands, issue 16) registers here to turn a need into
  a demand, keyed on (visit, need) so it is made once. A listener must not be slow.

Listeners register in their own ``AppConfig.ready()``; visits imports none of them and
they run in the order they registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Visit


@dataclass(frozen=True)
class VisitRecorded:
    visit: Visit
    household: Any  # households.Household
    worker: Any


@dataclass(frozen=True)
class NeedFound:
    visit: Visit
    household: Any
    need: str  # a ``checklist`` code of the needs group
    label: str
    notes: str  # the visit's notes (personal data: the demand keeps it protected)


_recorded: list[Callable[[VisitRecorded], Any]] = []
_needs: list[Callable[[NeedFound], Any]] = []


def on_visit_recorded(listener: Callable[[VisitRecorded], Any]):
    if listener not in _recorded:
        _recorded.append(listener)
    return listener


def on_need_found(listener: Callable[[NeedFound], Any]):
    if listener not in _needs:
        _needs.append(listener)
    return listener


def visit_recorded(done: VisitRecorded) -> None:
    for listener in _recorded:
        listener(done)


def need_found(found: NeedFound) -> None:
    for listener in _needs:
        listener(found)
