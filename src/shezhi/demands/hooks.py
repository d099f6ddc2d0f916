"""Demands publishes its steps; the apps that react listen here.

- ``on_demand_collected(listener)``: called with a ``DemandCollected`` inside the
  demand's transaction, once per demand, when a worker or staff collected it (a
  resident's own submission is not "collected": nobody is paid for it). The piece rate
  ``demand_collected`` (``incentives.demand_points``) listens here.
- ``on_demand_closed(listener)``: called with a ``DemandClosed`` inside the closing
  transaction, so the submitter is told the outcome (notifications listens here).

Listeners register in their own ``AppConfig.ready()``; demands imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Demand


@dataclass(frozen=True)
class DemandCollected:
    demand: Demand
    collector: Any  # the worker or staff who collected it


@dataclass(frozen=True)
class DemandClosed:
    demand: Demand
    submitter: Any  # None: nobody to tell
    outcome: str


_collected: list[Callable[[DemandCollected], Any]] = []
_closed: list[Callable[[DemandClosed], Any]] = []


def on_demand_collected(listener: Callable[[DemandCollected], Any]):
    if listener not in _collected:
        _collected.append(listener)
    return listener


def on_demand_closed(listener: Callable[[DemandClosed], Any]):
    if listener not in _closed:
        _closed.append(listener)
    return listener


def demand_collected(done: DemandCollected) -> None:
    for listener in _collected:
        listener(done)


def demand_closed(done: DemandClosed) -> None:
    for listener in _closed:
        listener(done)
