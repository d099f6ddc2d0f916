"""The handling clock: an event's deadline and warning time on the working calendar, paused
and resumed by the steps, and whether its area is in emergency mode."""

from __future__ import annotations

from datetime import datetime

from shezhi.areas.models import Area
from shezhi.core import calendar

from ..models import EmergencyPeriod, Event

WARN_SHARE = 0.8  # yellow from 80 % of the handling time used


def in_emergency(area: Area, at: datetime) -> bool:
    """True while the area or one of its ancestors is in emergency mode."""
    return (
        EmergencyPeriod.objects.filter(area__path__in=Area.lineage(area.path), started_at__lte=at)
        .exclude(ended_at__lte=at)
        .exists()
    )


def _budget(event: Event) -> int:
    cat = event.category
    if event.emergency:
        return calendar.deadline_seconds(cat.emergency_deadline_value, cat.emergency_deadline_unit)
    return calendar.deadline_seconds(cat.deadline_value, cat.deadline_unit)


def _start_clock(event: Event, now: datetime, *, fresh: bool) -> None:
    """Set deadline and warning time from ``now``; ``fresh`` restarts the budget."""
    if fresh:
        event.emergency = in_emergency(event.area, now)
        event.sla_budget_seconds = _budget(event)
        event.sla_used_seconds = 0
    budget, used = event.sla_budget_seconds, event.sla_used_seconds
    event.deadline_at = calendar.add_working_time(now, max(budget - used, 0))
    event.warn_at = calendar.add_working_time(now, max(budget * WARN_SHARE - used, 0))


def _pause_clock(event: Event, now: datetime) -> None:
    if event.deadline_at is None:
        return
    left = calendar.working_seconds_between(now, event.deadline_at)
    event.sla_used_seconds = int(max(event.sla_budget_seconds - left, 0))
    event.deadline_at = None
    event.warn_at = None


def _clock_used(event: Event, now: datetime) -> int:
    """Working seconds the handling clock has run since the (last) dispatch, pauses excluded."""
    if event.deadline_at is None:
        return int(event.sla_used_seconds)
    if now <= event.deadline_at:
        left = calendar.working_seconds_between(now, event.deadline_at)
    else:
        left = -calendar.working_seconds_between(event.deadline_at, now)
    return int(max(event.sla_budget_seconds - left, 0))


def _since_dispatch(event: Event, now: datetime) -> int | None:
    if event.dispatched_at is None:
        return None
    return int(calendar.working_seconds_between(event.dispatched_at, now))


def _stop_clock(event: Event) -> None:
    event.deadline_at = None
    event.warn_at = None
