"""Opening hours: validation with the day named, and open/closed at given local times."""

from __future__ import annotations

import pytest
from django.utils import translation

from shezhi.places import hours
from tests.places.conftest import MONDAY_10, MONDAY_13, MONDAY_19, OFFICE, SATURDAY_10, local


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_valid_hours_are_sorted_and_days_ordered():
    value = {"tue": [["14:00", "17:00"], ["08:30", "12:00"]], "mon": [["09:00", "24:00"]]}
    assert hours.validate(value) == {
        "mon": [["09:00", "24:00"]],
        "tue": [["08:30", "12:00"], ["14:00", "17:00"]],
    }
    assert hours.validate({}) == {} and hours.validate(None) == {}
    assert hours.validate({"sun": []}) == {}


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"mon": [["12:00", "08:00"]]}, ["Monday", "ends before it starts"]),
        ({"wed": [["08:00", "12:00"], ["11:00", "13:00"]]}, ["Wednesday", "overlap"]),
        ({"fri": [["8:00", "12:00"]]}, ["Friday", "8:00", "HH:MM"]),
        ({"sat": [["08:00", "25:00"]]}, ["Saturday", "25:00"]),
        ({"sun": [["08:00"]]}, ["Sunday", "interval 1"]),
        ({"sun": "08:00-12:00"}, ["Sunday", "list"]),
        ({"monday": [["08:00", "12:00"]]}, ["Unknown day monday"]),
        ({"thu": [["24:00", "24:00"]]}, ["Thursday", "24:00"]),
        ("08:00-12:00", ["object of days"]),
    ],
)
def test_bad_hours_name_the_day_and_the_problem(value, words):
    with pytest.raises(hours.HoursError) as info:
        hours.validate(value)
    for word in words:
        assert word in str(info.value)


def test_touching_intervals_are_not_an_overlap():
    assert hours.validate({"mon": [["08:00", "12:00"], ["12:00", "14:00"]]})


def test_text_form_round_trip():
    text = "mon-fri: 08:30-12:00, 14:00-17:30\nsat,sun: 9:00-12:00\n"
    parsed = hours.parse_text(text)
    assert parsed["wed"] == [["08:30", "12:00"], ["14:00", "17:30"]]
    assert parsed["sun"] == [["09:00", "12:00"]]
    assert hours.parse_text(hours.as_text(parsed)) == parsed
    assert hours.parse_text("") == {}
    for bad, word in [
        ("mon 08:00-12:00", "colon"),
        ("fri-mon: 08:00-12:00", "range"),
        ("mon: 08:00", "start-end"),
        ("mon: 08:00-12:00\nmon: 13:00-14:00", "twice"),
        ("xyz: 08:00-12:00", "unknown day"),
        ("tue: 12:00-08:00", "Tuesday"),
    ]:
        with pytest.raises(hours.HoursError) as info:
            hours.parse_text(bad)
        assert word in str(info.value), bad


def test_open_and_closed_at_given_times():
    assert hours.is_open(OFFICE, MONDAY_10)
    assert not hours.is_open(OFFICE, MONDAY_13)  # lunch break
    assert not hours.is_open(OFFICE, SATURDAY_10)
    assert not hours.is_open(OFFICE, local(2026, 11, 23, 12, 0))  # the end is exclusive
    assert hours.is_open(OFFICE, local(2026, 11, 23, 8, 30))

    state = hours.state(OFFICE, MONDAY_10)
    assert state.open and state.closes_at == local(2026, 11, 23, 12, 0)
    assert state.today == OFFICE["mon"]

    lunch = hours.state(OFFICE, MONDAY_13)
    assert not lunch.open and lunch.opens_at == local(2026, 11, 23, 14, 0)
    evening = hours.state(OFFICE, MONDAY_19)
    assert evening.opens_at == local(2026, 11, 24, 8, 30)
    weekend = hours.state(OFFICE, SATURDAY_10)
    assert weekend.today == [] and weekend.opens_at == local(2026, 11, 30, 8, 30)
    assert hours.state({}, MONDAY_10).opens_at is None


def test_time_is_local_whatever_the_input_zone():
    import datetime as dt

    utc_2am = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
    assert hours.is_open(OFFICE, utc_2am)
    assert hours.today_hours(OFFICE, utc_2am) == OFFICE["mon"]


def test_week_marks_today():
    week = hours.week(OFFICE, SATURDAY_10)
    assert [d["key"] for d in week] == list(hours.DAYS)
    assert [d["key"] for d in week if d["today"]] == ["sat"]
    assert hours.label([]) == "Closed"
    assert hours.label([["08:30", "12:00"]]) == "08:30–12:00"
