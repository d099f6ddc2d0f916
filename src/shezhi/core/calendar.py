"""The working calendar (工作日历): working days and working hours for deadlines.

A day is a working day when, in this order:

1. a :class:`~shezhi.core.models.CalendarOverride` names it: the override wins;
2. the State Council moved work onto it (a 调休 working weekend, from
   ``holidays.China(...).weekend_workdays``): working;
3. otherwise it is a working day when it falls Monday to Friday and is not a
   public holiday or a substituted day off (``holidays.China(years=...)``).

Each working day has the same working periods, ``settings.SHEZHI_WORKING_HOURS``
(default ``(("09:00", "12:00"), ("13:30", "17:30"))``, 7 hours), as wall-clock
times in ``settings.TIME_ZONE``. A period is half-open: 09:00 is inside working
time, 12:00 is not. Durations are measured in wall-clock time of that zone
(exact for Asia/Shanghai, which has had no daylight-saving time since 1991).

Speed: the public holidays of a year are computed once per process
(``functools.lru_cache``). The overrides are read from the database once and
kept in the process under a version token stored in Django's cache
(``shezhi:calendar-version``); saving or deleting an override bumps the token
(signals on the model), and every process compares its token with the cache at
most once every ``VERSION_CHECK_INTERVAL`` seconds, so an admin's edit reaches
every app server within that time (at once in the process that saved it).
Overrides written with ``QuerySet.update()`` or raw SQL send no signal: call
:func:`overrides_changed` after them. Long spans are crossed a whole day at a
time (adding) or counted arithmetically (measuring), never second by second.
"""

from __future__ import annotations

import functools
import threading
import time as _time
import uuid
from datetime import date, datetime, time, timedelta, tzinfo

import holidays
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

__all__ = [
    "DEFAULT_WORKING_HOURS",
    "VERSION_CACHE_KEY",
    "add_working_time",
    "clear_cache",
    "deadline_seconds",
    "is_working_day",
    "overrides_changed",
    "working_day_seconds",
    "working_seconds_between",
]

DEFAULT_WORKING_HOURS = (("09:00", "12:00"), ("13:30", "17:30"))
VERSION_CACHE_KEY = "shezhi:calendar-version"
# How often (seconds) a process asks the shared cache whether the overrides changed.
VERSION_CHECK_INTERVAL = 1.0

_US = 1_000_000  # microseconds per second: all internal arithmetic is in integer µs
_DAY = timedelta(days=1)


# ---------------------------------------------------------------------------
# Working hours


@functools.lru_cache(maxsize=16)
def _parse_periods(raw: tuple) -> tuple[tuple[tuple[int, int], ...], int]:
    """Working periods as ``((start_µs, end_µs), ...)`` from midnight, and their total."""
    periods = []
    for pair in raw:
        if len(pair) != 2:
            raise ValueError(f"SHEZHI_WORKING_HOURS: {pair!r} is not a (start, end) pair")
        bounds = []
        for value in pair:
            t = value if isinstance(value, time) else time.fromisoformat(str(value))
            if t.tzinfo is not None or t.microsecond:
                raise ValueError(f"SHEZHI_WORKING_HOURS: {value!r} must be a plain HH:MM[:SS]")
            bounds.append(((t.hour * 60 + t.minute) * 60 + t.second) * _US)
        periods.append(tuple(bounds))
    if not periods:
        raise ValueError("SHEZHI_WORKING_HOURS must name at least one working period")
    previous_end = -1
    for start, end in periods:
        if not start < end or start < previous_end:
            raise ValueError(
                "SHEZHI_WORKING_HOURS: periods must be ordered, non-empty and not overlap"
            )
        previous_end = end
    return tuple(periods), sum(end - start for start, end in periods)


def _periods() -> tuple[tuple[tuple[int, int], ...], int]:
    raw = getattr(settings, "SHEZHI_WORKING_HOURS", DEFAULT_WORKING_HOURS)
    return _parse_periods(tuple(tuple(pair) for pair in raw))


def working_day_seconds() -> int:
    """Length of one working day in seconds (25200, i.e. 7 h, by default)."""
    return _periods()[1] // _US


def _worked_before(offset: int, periods) -> int:
    """Working µs of a working day that lie before ``offset`` µs after midnight."""
    total = 0
    for start, end in periods:
        if offset <= start:
            break
        total += min(offset, end) - start
    return total


# ---------------------------------------------------------------------------
# Working days


@functools.cache
def _public_calendar(year: int) -> dict[date, bool]:
    """The days of ``year`` whose status differs from the Monday–Friday rule.

    Weekdays that are public holidays or substituted days off map to False,
    调休 weekends to True. (``holidays`` also lists holidays falling on a
    weekend; they are off anyway and are left out.)
    """
    china = holidays.China(years=year)
    days: dict[date, bool] = {day: False for day in china if day.year == year and day.weekday() < 5}
    # ``weekend_workdays`` also carries a few cross-year dates of other years.
    for day in china.weekend_workdays:
        if day.year == year and day.weekday() >= 5:
            days[day] = True
    return days


class _Overrides:
    """The overrides of one version, and each year's exceptions merged with them."""

    def __init__(self, version, overrides: dict[date, bool]) -> None:
        self.version = version
        self.checked_at = _time.monotonic()
        self.by_year: dict[int, dict[date, bool]] = {}
        for day, working in overrides.items():
            self.by_year.setdefault(day.year, {})[day] = working
        self._merged: dict[int, dict[date, bool]] = {}

    def exceptions(self, year: int) -> dict[date, bool]:
        """Every day of ``year`` that is not simply "working iff Monday–Friday"."""
        merged = self._merged.get(year)
        if merged is None:
            merged = {**_public_calendar(year), **self.by_year.get(year, {})}
            self._merged[year] = merged
        return merged

    def is_working(self, day: date) -> bool:
        working = self.exceptions(day.year).get(day)
        return day.weekday() < 5 if working is None else working


_state: _Overrides | None = None
_lock = threading.Lock()


def _load() -> _Overrides:
    """The current overrides, reloading them when another process changed them."""
    global _state
    state = _state
    if state is not None and _time.monotonic() - state.checked_at < VERSION_CHECK_INTERVAL:
        return state
    version = cache.get(VERSION_CACHE_KEY)
    if state is not None and state.version == version:
        state.checked_at = _time.monotonic()
        return state
    with _lock:
        from .models import CalendarOverride

        rows = dict(CalendarOverride.objects.values_list("date", "working"))
        state = _Overrides(version, rows)
        _state = state
    return state


def _bump_version() -> None:
    cache.set(VERSION_CACHE_KEY, uuid.uuid4().hex, None)


def overrides_changed(using: str | None = None) -> None:
    """Tell every process the overrides changed (the model's signals call this).

    The version is bumped at once (so this process and the current transaction
    see the change) and again when the transaction commits, so a process that
    reloaded in between, still reading the old rows, reloads once more.
    """
    global _state
    _bump_version()
    _state = None
    transaction.on_commit(_bump_version, using=using)


def clear_cache() -> None:
    """Forget everything cached in this process (tests; after editing holiday data)."""
    global _state
    _state = None
    _public_calendar.cache_clear()
    _parse_periods.cache_clear()


def is_working_day(d: date) -> bool:
    """True when ``d`` is a working day.

    An override decides; else a 调休 weekend works; else Monday–Friday works
    unless it is a public holiday or a substituted day off.
    """
    if isinstance(d, datetime):
        raise TypeError("is_working_day() takes a date; pass dt.astimezone(tz).date()")
    return _load().is_working(d)


def _count_working_days(first: date, last: date, state: _Overrides) -> int:
    """Working days from ``first`` to ``last`` inclusive, without visiting each day."""
    if first > last:
        return 0
    days = (last - first).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = first.weekday()
    count += sum(1 for i in range(rest) if (weekday + i) % 7 < 5)
    for year in range(first.year, last.year + 1):
        for day, working in state.exceptions(year).items():
            if first <= day <= last:
                count += int(working) - int(day.weekday() < 5)
    return count


# ---------------------------------------------------------------------------
# Instants


def _zone() -> tzinfo:
    return timezone.get_default_timezone()


def _split(moment: datetime, zone: tzinfo) -> tuple[date, int]:
    """``moment`` as (local date, µs after local midnight) in ``zone``."""
    if timezone.is_naive(moment):
        raise ValueError("the working calendar needs timezone-aware datetimes")
    local = moment.astimezone(zone)
    offset = ((local.hour * 60 + local.minute) * 60 + local.second) * _US + local.microsecond
    return local.date(), offset


def _join(day: date, offset: int, zone: tzinfo) -> datetime:
    naive = datetime.combine(day, time()) + timedelta(microseconds=offset)
    return naive.replace(tzinfo=zone)


def add_working_time(start: datetime, seconds: float) -> datetime:
    """The moment ``seconds`` of working time have elapsed after ``start``.

    Counting begins at ``start`` when it lies inside a working period (periods
    are half-open: 09:00 is inside, 12:00 is not), otherwise at the start of
    the next working period. The result is the *first* moment at which the
    time is used up, so:

    * ``seconds == 0`` gives that beginning: ``start`` itself inside working
      time, else the next working period's start (Friday 18:00 → Monday 09:00
      when Monday is a working day);
    * a result that falls exactly on a period's end is that end (one hour
      from 11:00 is 12:00 the same day, not 13:30).

    Seconds are kept to the microsecond. Returns an aware datetime in
    ``settings.TIME_ZONE``. Raises ValueError when ``seconds`` is negative
    (or not finite) or ``start`` is naive.
    """
    if not seconds >= 0 or seconds == float("inf"):
        raise ValueError(f"seconds must be a finite number >= 0, not {seconds!r}")
    zone = _zone()
    periods, day_length = _periods()
    state = _load()
    left = round(seconds * _US)
    day, offset = _split(start, zone)

    # The rest of the first day, from ``offset``.
    if state.is_working(day):
        for period_start, period_end in periods:
            if offset < period_end:
                begin = max(offset, period_start)
                if left <= period_end - begin:
                    return _join(day, begin + left, zone)
                left -= period_end - begin
    # Then whole working days, and the period of the last one where ``left`` runs out.
    while True:
        day += _DAY
        if not state.is_working(day):
            continue
        if left > day_length:
            left -= day_length
            continue
        for period_start, period_end in periods:
            if left <= period_end - period_start:
                return _join(day, period_start + left, zone)
            left -= period_end - period_start


def working_seconds_between(start: datetime, end: datetime) -> float:
    """Working seconds elapsed from ``start`` to ``end`` (0 when ``end <= start``).

    The inverse of :func:`add_working_time`: for any ``start`` inside working
    time, ``working_seconds_between(start, add_working_time(start, x)) == x``
    (to the microsecond).
    """
    if end <= start:
        if timezone.is_naive(start) or timezone.is_naive(end):
            raise ValueError("the working calendar needs timezone-aware datetimes")
        return 0.0
    zone = _zone()
    periods, day_length = _periods()
    state = _load()
    first_day, first_offset = _split(start, zone)
    last_day, last_offset = _split(end, zone)
    if first_day == last_day:
        if not state.is_working(first_day):
            return 0.0
        worked = _worked_before(last_offset, periods) - _worked_before(first_offset, periods)
        return worked / _US
    worked = 0
    if state.is_working(first_day):
        worked += day_length - _worked_before(first_offset, periods)
    if state.is_working(last_day):
        worked += _worked_before(last_offset, periods)
    worked += day_length * _count_working_days(first_day + _DAY, last_day - _DAY, state)
    return worked / _US


def deadline_seconds(value: int, unit: str) -> int:
    """Working seconds of a deadline: "hours" → value × 3600, "days" → value working days.

    Raises ValueError for any other unit or a negative value.
    """
    if value < 0:
        raise ValueError(f"a deadline cannot be negative: {value!r}")
    if unit == "hours":
        return value * 3600
    if unit == "days":
        return value * working_day_seconds()
    raise ValueError(f"unknown deadline unit {unit!r} (expected 'hours' or 'days')")
