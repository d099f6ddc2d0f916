"""Time: when staff and residents act, and the demo's year."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from shezhi.core import calendar
from shezhi.events.models import Event

from .figures import TAIL_DAYS, YEAR_DAYS


def _local(day: dt.date, hours: float) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hours)
    return timezone.make_aware(naive)


class Clock:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def work(self, t: dt.datetime, lo: float, hi: float) -> dt.datetime:
        """``lo``–``hi`` working minutes after ``t``: staff at their desks."""
        return calendar.add_working_time(t, 60 * self.rng.uniform(lo, hi))

    def awake(self, t: dt.datetime, lo: float, hi: float) -> dt.datetime:
        """``lo``–``hi`` minutes after ``t``, the next morning if that falls at night."""
        out = t + dt.timedelta(minutes=self.rng.uniform(lo, hi))
        local = timezone.localtime(out)
        if local.hour >= 22 or local.hour < 7:
            day = local.date() + dt.timedelta(days=1 if local.hour >= 22 else 0)
            out = _local(day, 7.5 + self.rng.uniform(0, 2.5))
        return out

    def handle(self, t: dt.datetime, ev: Event, *, late: bool) -> dt.datetime:
        """Most within the deadline (green or yellow), a few after it (red)."""
        rng = self.rng
        if ev.deadline_at is None:
            return self.work(t, 60, 420)
        left = calendar.working_seconds_between(t, ev.deadline_at)
        share = rng.uniform(1.15, 2.5) if late else rng.betavariate(2.0, 3.0) * 0.95
        return calendar.add_working_time(t, max(share * left, 300))


def demo_end(now: dt.datetime) -> dt.datetime:
    """Where the history stops: the start of ``now``'s local day.

    Steps after it are not taken, so the history depends on it; a moment to the second
    (the time the demo happens to run) gave a few steps more or fewer from one run to
    the next. Anchored to the day, every run on one day makes the same history (the
    next day's is that day's: its calendar of working days differs).
    """
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def demo_year(end: dt.datetime) -> tuple[dt.date, dt.date]:
    """The demo's year: its first and last day, the 365 days ending two weeks before ``end``.

    The article's figures hold over it (``Planner.calibrate``); the two weeks
    after it are still moving.
    """
    last = timezone.localtime(end).date() - dt.timedelta(days=TAIL_DAYS)
    return last - dt.timedelta(days=YEAR_DAYS - 1), last
