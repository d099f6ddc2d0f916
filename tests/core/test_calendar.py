"""The working calendar: China's 2026 holidays, working hours, overrides, deadlines.

Expected values come from the State Council's 2026 holiday notice (国办发明电〔2025〕7号)
and from counting working hours by hand; the default working day is
09:00–12:00 and 13:30–17:30 (7 h = 25 200 s) in Asia/Shanghai.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from shezhi.core import calendar
from shezhi.core.calendar import (
    add_working_time,
    deadline_seconds,
    is_working_day,
    working_day_seconds,
    working_seconds_between,
)
from shezhi.core.models import CalendarOverride

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=0, minute=0, second=0, microsecond=0) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=SH)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # Test transactions roll back without post_delete signals: start and end clean.
    calendar.clear_cache()
    yield
    calendar.clear_cache()


# -- working days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 1), False),  # 元旦, Thursday
        (date(2026, 1, 2), False),  # Friday, day off moved from Sunday 4 January
        (date(2026, 1, 3), False),  # Saturday
        (date(2026, 1, 4), True),  # Sunday, 调休 working day
        (date(2026, 1, 5), True),  # an ordinary Monday
        (date(2026, 2, 13), True),  # the Friday before the Spring Festival
        (date(2026, 2, 14), True),  # Saturday, 调休 working day
        (date(2026, 2, 15), False),  # Sunday, first day of the break
        (date(2026, 2, 16), False),
        (date(2026, 2, 17), False),
        (date(2026, 2, 18), False),
        (date(2026, 2, 19), False),
        (date(2026, 2, 20), False),
        (date(2026, 2, 21), False),
        (date(2026, 2, 22), False),
        (date(2026, 2, 23), False),  # Monday, last day of the break
        (date(2026, 2, 24), True),  # back to work
        (date(2026, 2, 28), True),  # Saturday, 调休 working day
        (date(2026, 3, 1), False),  # an ordinary Sunday
        (date(2026, 3, 7), False),  # an ordinary Saturday
        (date(2026, 5, 9), True),  # Saturday, 调休 for Labour Day
        (date(2026, 10, 8), True),  # Thursday after National Day
    ],
)
def test_working_days_of_2026(day, working):
    assert is_working_day(day) is working


def test_a_datetime_is_not_a_day():
    with pytest.raises(TypeError):
        is_working_day(at(2026, 3, 2, 10))


def test_working_day_seconds_default():
    assert working_day_seconds() == 25200


# -- adding working time --------------------------------------------------------------------


def test_three_working_days_from_friday_afternoon_before_spring_festival():
    # Fri 13 Feb 15:00 → 17:30: 2.5 h; Sat 14 Feb (调休): 7 h; 15–23 Feb off;
    # Tue 24 Feb: 7 h (16.5 h so far); Wed 25 Feb: 3 h in the morning, 1.5 h after
    # 13:30 → 15:00.
    start = at(2026, 2, 13, 15)
    deadline = add_working_time(start, deadline_seconds(3, "days"))
    assert deadline == at(2026, 2, 25, 15)
    assert working_seconds_between(start, deadline) == 75600


@pytest.mark.parametrize(
    ("start", "seconds", "expected"),
    [
        # inside the morning period
        (at(2026, 3, 2, 10), 1800, at(2026, 3, 2, 10, 30)),
        # ends exactly at the end of the morning: 12:00, not 13:30
        (at(2026, 3, 2, 11), 3600, at(2026, 3, 2, 12)),
        # across the lunch break: 1 h before 12:00, 1 h after 13:30
        (at(2026, 3, 2, 11), 7200, at(2026, 3, 2, 14, 30)),
        # starting in the lunch break counts from 13:30
        (at(2026, 3, 2, 12, 30), 3600, at(2026, 3, 2, 14, 30)),
        # zero inside working time is the start itself
        (at(2026, 3, 2, 10, 15, 7, 123), 0, at(2026, 3, 2, 10, 15, 7, 123)),
        # zero at 12:00 (periods are half-open) is the afternoon's start
        (at(2026, 3, 2, 12), 0, at(2026, 3, 2, 13, 30)),
        # zero before the day starts is 09:00
        (at(2026, 3, 2, 7), 0, at(2026, 3, 2, 9)),
        # zero on Friday evening is Monday 09:00
        (at(2026, 3, 6, 18), 0, at(2026, 3, 9, 9)),
        # 1 h from Friday 17:00: 30 min on Friday, 30 min on Monday
        (at(2026, 3, 6, 17), 3600, at(2026, 3, 9, 9, 30)),
        # a full working day from Monday 09:00 ends Monday 17:30
        (at(2026, 3, 2, 9), 25200, at(2026, 3, 2, 17, 30)),
        # from New Year's Eve 17:00: 30 min, then 1–3 Jan off, Sunday 4 Jan works
        (at(2025, 12, 31, 17), 3600, at(2026, 1, 4, 9, 30)),
        # microseconds are kept
        (at(2026, 3, 2, 9), 0.25, at(2026, 3, 2, 9, 0, 0, 250000)),
        # 4 working hours (a "hours" deadline) from Thursday 16:00
        (at(2026, 3, 5, 16), 4 * 3600, at(2026, 3, 6, 11, 30)),
    ],
)
def test_add_working_time(start, seconds, expected):
    assert add_working_time(start, seconds) == expected


def test_add_working_time_answers_in_the_time_zone_whatever_the_input_zone():
    start = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
    result = add_working_time(start, 7200)
    assert result == at(2026, 3, 2, 14, 30)
    assert result.tzinfo == SH
    assert result.utcoffset() == timedelta(hours=8)


def test_add_working_time_refuses_bad_input():
    with pytest.raises(ValueError):
        add_working_time(at(2026, 3, 2, 10), -1)
    with pytest.raises(ValueError):
        add_working_time(at(2026, 3, 2, 10), float("nan"))
    with pytest.raises(ValueError):
        add_working_time(datetime(2026, 3, 2, 10), 60)  # naive


# -- measuring working time -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # over the lunch break: 11:00–12:00 and 13:30–14:00
        (at(2026, 3, 2, 11), at(2026, 3, 2, 14), 5400),
        # wholly inside the lunch break
        (at(2026, 3, 2, 12, 5), at(2026, 3, 2, 13, 25), 0),
        # a whole working day, midnight to midnight
        (at(2026, 3, 2), at(2026, 3, 3), 25200),
        # Friday 17:00 → Monday 10:00: 30 min + 1 h
        (at(2026, 3, 6, 17), at(2026, 3, 9, 10), 5400),
        # Friday 17:00 before the Spring Festival → Tue 24 Feb 10:00:
        # 30 min + Saturday 14 Feb 7 h + 1 h
        (at(2026, 2, 13, 17), at(2026, 2, 24, 10), 30600),
        # a whole holiday
        (at(2026, 2, 15), at(2026, 2, 24), 0),
        # end before start, and equal
        (at(2026, 3, 2, 14), at(2026, 3, 2, 11), 0),
        (at(2026, 3, 2, 10), at(2026, 3, 2, 10), 0),
        # the whole of 2026: 261 weekdays − 19 weekday holidays + 6 调休 weekends
        # = 248 working days
        (at(2026, 1, 1), at(2027, 1, 1), 248 * 25200),
    ],
)
def test_working_seconds_between(start, end, expected):
    assert working_seconds_between(start, end) == expected


def test_a_year_of_working_days_ends_on_new_years_eve_at_half_past_five():
    assert add_working_time(at(2026, 1, 1), 248 * 25200) == at(2026, 12, 31, 17, 30)


# -- deadlines ------------------------------------------------------------------------------


def test_deadline_seconds():
    assert deadline_seconds(4, "hours") == 14400
    assert deadline_seconds(3, "days") == 75600
    assert deadline_seconds(0, "days") == 0


@pytest.mark.parametrize("unit", ["weeks", "day", "HOURS", ""])
def test_deadline_seconds_refuses_other_units(unit):
    with pytest.raises(ValueError):
        deadline_seconds(1, unit)


def test_deadline_seconds_refuses_negative_values():
    with pytest.raises(ValueError):
        deadline_seconds(-1, "hours")


# -- overrides ------------------------------------------------------------------------------


def test_override_turns_a_weekday_off_and_a_sunday_on():
    typhoon, sunday = date(2026, 3, 11), date(2026, 3, 15)
    assert is_working_day(typhoon)
    assert not is_working_day(sunday)
    version = cache.get(calendar.VERSION_CACHE_KEY)

    CalendarOverride.objects.create(date=typhoon, working=False, note="台风停工")
    assert cache.get(calendar.VERSION_CACHE_KEY) != version
    assert not is_working_day(typhoon)
    # Tue 10 Mar 17:00 + 1 h: 30 min on Tuesday, Wednesday off, 30 min on Thursday
    assert add_working_time(at(2026, 3, 10, 17), 3600) == at(2026, 3, 12, 9, 30)
    assert working_seconds_between(at(2026, 3, 10), at(2026, 3, 13)) == 2 * 25200

    CalendarOverride.objects.create(date=sunday, working=True, note="集中整治")
    assert is_working_day(sunday)
    # Saturday 10:00 counts from Sunday 09:00
    assert add_working_time(at(2026, 3, 14, 10), 3600) == at(2026, 3, 15, 10)
    # Mon 9 Mar – Sun 15 Mar: 5 weekdays − Wednesday + Sunday = 5 days
    assert working_seconds_between(at(2026, 3, 9), at(2026, 3, 16)) == 5 * 25200

    CalendarOverride.objects.filter(date=typhoon).delete()
    assert is_working_day(typhoon)
    override = CalendarOverride.objects.get(date=sunday)
    override.working = False
    override.save()
    assert not is_working_day(sunday)


def test_override_beats_the_national_calendar():
    CalendarOverride.objects.create(date=date(2026, 2, 14), working=False)  # a 调休 Saturday
    CalendarOverride.objects.create(date=date(2026, 2, 18), working=True)  # Spring Festival
    assert not is_working_day(date(2026, 2, 14))
    assert is_working_day(date(2026, 2, 18))
    # Fri 13 Feb 17:00 + 1 h: 30 min on Friday, then Wednesday 18 Feb 09:30
    assert add_working_time(at(2026, 2, 13, 17), 3600) == at(2026, 2, 18, 9, 30)


def test_another_server_sees_an_override_through_the_shared_version(monkeypatch):
    day = date(2026, 3, 11)
    assert is_working_day(day)  # this process now holds the overrides in memory
    # Another app server saved it: this process got no signal, only the new version.
    CalendarOverride.objects.bulk_create([CalendarOverride(date=day, working=False)])
    assert is_working_day(day)  # still the cached answer
    cache.set(calendar.VERSION_CACHE_KEY, "bumped-by-another-server", None)
    monkeypatch.setattr(calendar, "VERSION_CHECK_INTERVAL", 0)
    assert not is_working_day(day)


def test_override_str():
    override = CalendarOverride(date=date(2026, 3, 11), working=False)
    assert str(override).startswith("2026-03-11 · ")


# -- settings -------------------------------------------------------------------------------


def test_working_hours_come_from_settings(settings):
    settings.SHEZHI_WORKING_HOURS = (("08:30", "12:00"), ("14:00", "18:00"))
    assert working_day_seconds() == 27000  # 3.5 h + 4 h
    assert deadline_seconds(2, "days") == 54000
    # 11:00 + 2 h: 1 h before 12:00, 1 h after 14:00
    assert add_working_time(at(2026, 3, 2, 11), 7200) == at(2026, 3, 2, 15)
    assert add_working_time(at(2026, 3, 2, 8), 0) == at(2026, 3, 2, 8, 30)
    assert working_seconds_between(at(2026, 3, 2, 11), at(2026, 3, 2, 14)) == 3600
    assert working_seconds_between(at(2026, 3, 6, 17), at(2026, 3, 9, 9)) == 5400


def test_bad_working_hours_are_refused(settings):
    settings.SHEZHI_WORKING_HOURS = (("13:00", "12:00"),)
    with pytest.raises(ValueError):
        working_day_seconds()
    settings.SHEZHI_WORKING_HOURS = (("09:00", "12:00"), ("11:00", "17:00"))
    with pytest.raises(ValueError):
        working_day_seconds()
    settings.SHEZHI_WORKING_HOURS = ()
    with pytest.raises(ValueError):
        working_day_seconds()


# -- speed ----------------------------------------------------------------------------------


def test_a_year_away_is_fast():
    start, year = at(2026, 1, 1), 248 * 25200
    add_working_time(start, year)  # warm the per-year caches
    working_seconds_between(start, at(2027, 1, 1))
    best = float("inf")
    for _ in range(5):
        began = time.perf_counter()
        add_working_time(start, year)
        working_seconds_between(start, at(2027, 1, 1))
        best = min(best, time.perf_counter() - began)
    assert best < 0.010


# -- properties -----------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(SH)
)
# Up to about two years of working time, with sub-second parts.
amounts = st.floats(min_value=0, max_value=500 * 25200, allow_nan=False, allow_infinity=False)
property_settings = hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@property_settings
@given(start=moments, seconds=amounts)
def test_measuring_undoes_adding(start, seconds):
    end = add_working_time(start, seconds)
    assert end >= start
    assert abs(working_seconds_between(start, end) - seconds) <= 1e-6
    inside = add_working_time(start, 0)  # the first working instant
    assert abs(working_seconds_between(inside, end) - seconds) <= 1e-6


@property_settings
@given(start=moments, a=amounts, b=amounts)
def test_adding_is_monotonic(start, a, b):
    low, high = sorted((a, b))
    assert add_working_time(start, low) <= add_working_time(start, high)


@property_settings
@given(a=moments, b=moments, seconds=amounts)
def test_later_start_never_gives_earlier_end(a, b, seconds):
    early, late = sorted((a, b))
    assert add_working_time(early, seconds) <= add_working_time(late, seconds)


@property_settings
@given(a=moments, b=moments, c=moments)
def test_measuring_is_additive_and_monotonic(a, b, c):
    first, middle, last = sorted((a, b, c))
    whole = working_seconds_between(first, last)
    assert (
        abs(whole - working_seconds_between(first, middle) - working_seconds_between(middle, last))
        <= 1e-6
    )
    assert working_seconds_between(first, middle) <= whole
