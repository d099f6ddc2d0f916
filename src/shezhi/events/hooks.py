"""Events publishes its steps; the apps that react to them listen here.

Each committed step of the workflow (``services.perform``, and the report that
starts an event) is published as a ``StepDone`` after the step's writes. A
listener registers with ``on_step`` in its own ``AppConfig.ready()``:

- ``when="in_transaction"``: called inside the step's transaction, after its
  rows are written; what it writes commits or rolls back with the step, and an
  error it raises undoes the step. For what must be exactly-once with the step:
  the piece-rate points (``incentives.event_points``), the notifications the step
  writes (``notifications.listeners``; their delivery waits for the commit).
- ``when="on_commit"``: called once the step has committed, never for one that
  rolled back; an error is logged, not raised. For what must not hold the step
  up: the KPI sweep (``stats.listeners``).

``on_facts_moved`` listeners hear, after the commit, that events' KPI facts moved
without a step (the SLA scan found deadlines passed: due and overdue change).

Listeners run in the order they registered; events imports none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction

from .models import Event, EventTransition
from .notices import step_notices

logger = logging.getLogger("shezhi.events")

When = Literal["in_transaction", "on_commit"]


@dataclass(frozen=True)
class StepDone:
    """One step, as written: the event after it, its history row, who and whom."""

    event: Event
    action: str
    transition: EventTransition
    actor: Any
    # Whom the step tells (user ids, possibly repeated; the actor not yet left out).
    recipients: tuple[int, ...] = ()
    # The step happened in emergency mode (the event's, or its area's at the step
    # for a registration, which comes before the dispatch fixes ``event.emergency``).
    emergency: bool = False
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def last_handling(self) -> EventTransition | None:
        """The event's latest "handle" step (with its actor), or None."""
        if "handling" not in self._cache:
            self._cache["handling"] = (
                EventTransition.objects.filter(event=self.event, action="handle")
                .select_related("actor")
                .order_by("-at", "-pk")
                .first()
            )
        return self._cache["handling"]

    def notices(self) -> list:
        """What the step tells its recipients (``core.notices.Notice``), one per
        person, in events' words (``events.notices``)."""
        return step_notices(self.event, self.action, self.recipients, self.actor)


Listener = Callable[[StepDone], None]
_in_transaction: list[Listener] = []
_on_commit: list[Listener] = []
_facts_moved: list[Callable[[], None]] = []


def on_step(listener: Listener, *, when: When) -> Listener:
    """Call ``listener(step)`` for every step (see the module's docstring); once per listener."""
    if when not in ("in_transaction", "on_commit"):
        raise ValueError(f"when must be 'in_transaction' or 'on_commit', not {when!r}")
    listeners = _in_transaction if when == "in_transaction" else _on_commit
    if listener not in listeners:
        listeners.append(listener)
    return listener


def on_facts_moved(listener: Callable[[], None]) -> Callable[[], None]:
    """Call ``listener()`` after the commit of a write that moved KPI facts without a step."""
    if listener not in _facts_moved:
        _facts_moved.append(listener)
    return listener


def step_done(step: StepDone) -> None:
    """Publish ``step``: its in-transaction listeners now, the others after the commit."""
    for listener in _in_transaction:
        listener(step)
    for listener in _on_commit:
        transaction.on_commit(_later(listener, step), robust=True)


def facts_moved() -> None:
    """Publish, for after the commit, that KPI facts moved without a step."""
    for listener in _facts_moved:
        transaction.on_commit(listener, robust=True)


def _later(listener: Listener, step: StepDone) -> Callable[[], None]:
    # A closure, not functools.partial: Django names the callback in its log line.
    def call() -> None:
        listener(step)

    call.__qualname__ = getattr(listener, "__qualname__", "listener")
    return call
