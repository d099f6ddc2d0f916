"""The lists publish their steps; the apps that react listen here.

- ``on_item_published(listener)``: called with an ``ItemPublished`` inside the
  transaction that publishes an item (its list published, or an item added to a
  published list).
- ``on_item_changed(listener)``: called with an ``ItemChanged`` inside the move's
  transaction, for every move of a published item (claimed, in delivery, delivered,
  evaluated, released). Notifications listens here to tell the residents behind it.
- ``on_project_delivered(listener)``: called with a ``ProjectDelivered`` when an item's
  project is delivered (after its ``ItemChanged``): participation, cases, stats.

Listeners register in their own ``AppConfig.ready()``; the lists import none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import ListProject, NeedItem


@dataclass(frozen=True)
class ItemPublished:
    item: NeedItem
    actor: Any


@dataclass(frozen=True)
class ItemChanged:
    item: NeedItem
    from_status: str
    to_status: str
    actor: Any
    note: str


@dataclass(frozen=True)
class ProjectDelivered:
    project: ListProject
    actor: Any


_published: list[Callable[[ItemPublished], Any]] = []
_changed: list[Callable[[ItemChanged], Any]] = []
_delivered: list[Callable[[ProjectDelivered], Any]] = []


def _add(registry: list, listener):
    if listener not in registry:
        registry.append(listener)
    return listener


def on_item_published(listener: Callable[[ItemPublished], Any]):
    return _add(_published, listener)


def on_item_changed(listener: Callable[[ItemChanged], Any]):
    return _add(_changed, listener)


def on_project_delivered(listener: Callable[[ProjectDelivered], Any]):
    return _add(_delivered, listener)


def item_published(done: ItemPublished) -> None:
    for listener in _published:
        listener(done)


def item_changed(done: ItemChanged) -> None:
    for listener in _changed:
        listener(done)


def project_delivered(done: ProjectDelivered) -> None:
    for listener in _delivered:
        listener(done)
