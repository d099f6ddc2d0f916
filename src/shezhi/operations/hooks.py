"""Operations publishes its steps; the apps that react to them listen here.

- ``on_help_needed``: a door-to-door check found a household that needs help. Events
  listens (``events.operation_needs``, registered in ``EventsConfig.ready``) and reports
  an emergency event at the household's building with the operation as its source;
  the listener answers the event, and the check line keeps it (``CheckLine.need_event``).
- ``on_task_done``: a worker did a piece of an operation's work (a household's first
  recorded check, a roll-call report of being on duty, a hand-out signed for).
  Incentives listens (``incentives.operation_points``) and pays the ``emergency_task``
  rate into the emergency bucket, once per task.

Listeners are called inside the step's transaction: what they write commits or rolls
back with it, and an error they raise undoes the step (a need the events app refuses
to report leaves the check unrecorded, with the refusal as the answer). Listeners run
in the order they registered; operations imports none of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import CheckLine, Distribution, Operation, RollCall


@dataclass(frozen=True)
class HelpNeeded:
    """A check that found a household in need: where, which needs, the worker's notes."""

    operation: Operation
    line: CheckLine
    household: Any  # households.Household, with its building
    needs: tuple[str, ...]
    notes: str
    actor: Any
    at: dt.datetime


@dataclass(frozen=True)
class TaskDone:
    """One piece of work: ``kind`` is "check", "roll_call" or "distribution"; ``key``
    names it once ("line:12", "roll_call:3:45", "distribution:7")."""

    operation: Operation
    kind: str
    key: str
    user: Any
    area: Any  # areas.Area where the work was done (a micro-grid, or the worker's area)
    at: dt.datetime
    row: CheckLine | RollCall | Distribution


_help_needed: list[Callable[[HelpNeeded], Any]] = []
_task_done: list[Callable[[TaskDone], Any]] = []
# listener → its form for many tasks at once (``tasks_done``), where it has one.
_tasks_done: dict[Callable[[TaskDone], Any], Callable[[list[TaskDone]], Any]] = {}


def on_help_needed(listener: Callable[[HelpNeeded], Any]) -> Callable[[HelpNeeded], Any]:
    """Call ``listener(need)`` in the transaction of every check finding a need; once each."""
    if listener not in _help_needed:
        _help_needed.append(listener)
    return listener


def on_task_done(
    listener: Callable[[TaskDone], Any],
    *,
    many: Callable[[list[TaskDone]], Any] | None = None,
) -> Callable[[TaskDone], Any]:
    """Call ``listener(task)`` in the transaction of every task done; once each. ``many``,
    if given, does what ``listener`` does for each of a list of tasks (``tasks_done``)."""
    if listener not in _task_done:
        _task_done.append(listener)
    if many is not None:
        _tasks_done[listener] = many
    return listener


def help_needed(need: HelpNeeded) -> Any:
    """Publish ``need``; the first answer a listener gave (the event it raised), or None."""
    raised = None
    for listener in _help_needed:
        answer = listener(need)
        if raised is None:
            raised = answer
    return raised


def task_done(task: TaskDone) -> None:
    for listener in _task_done:
        listener(task)


def tasks_done(tasks: list[TaskDone]) -> None:
    """Publish ``tasks`` in their order, as ``task_done`` of each would: a listener with
    a form for many (``on_task_done(many=)``) hears them all in one call."""
    if not tasks:
        return
    for listener in _task_done:
        many = _tasks_done.get(listener)
        if many is not None:
            many(tasks)
        else:
            for task in tasks:
                listener(task)
