"""Demands publishes its steps; the apps that react listen here.

- ``on_demand_collected(listener)``: called with a ``DemandCollected`` inside the
  demand's transaction, once per demand, when a worker or staff collected it (a
  resident's own submission is not "collected": nobody is paid for it). The piece rate
  ``demand_collected`` (``incentives.demand_points``) listens here.
- ``on_demand_closed(listener)``: called with a ``DemandClosed`` inside the closing
  transaction, so the submitter is told the outcome (notifications listens here) unless
  ``told``: closed by its needs-list item's delivery, whose own notice told them.
- ``on_groups_delivered(listener)``: called with a ``GroupsDelivered`` inside the
  transaction that delivered what the groups asked for. The step is published by the
  app above (lists: a needs-list item delivered), here where demands can hear it
  without importing its publisher; demands itself listens (``services.close_delivered``)
  and closes the groups' demands.

Listeners register in their own ``AppConfig.ready()``; demands imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Demand, DemandGroup


@dataclass(frozen=True)
class DemandCollected:
    demand: Demand
    collector: Any  # the worker or staff who collected it


@dataclass(frozen=True)
class DemandClosed:
    demand: Demand
    submitter: Any  # None: nobody to tell
    outcome: str
    # Already told: the delivery of the needs-list item behind it sent the one notice.
    told: bool = False


@dataclass(frozen=True)
class GroupsDelivered:
    groups: list[DemandGroup]
    outcome: str  # what was delivered, as the residents were told
    # The publisher told the residents behind the groups itself (one notice each).
    told: bool = True


_collected: list[Callable[[DemandCollected], Any]] = []
_closed: list[Callable[[DemandClosed], Any]] = []
_groups_delivered: list[Callable[[GroupsDelivered], Any]] = []


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


def on_groups_delivered(listener: Callable[[GroupsDelivered], Any]):
    if listener not in _groups_delivered:
        _groups_delivered.append(listener)
    return listener


def groups_delivered(done: GroupsDelivered) -> None:
    for listener in _groups_delivered:
        listener(done)
