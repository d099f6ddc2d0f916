"""KPIs on hand-built histories with known answers (each event's story in its docstring line)."""

from __future__ import annotations

from datetime import date

import pytest

from shezhi.events.models import Event
from shezhi.stats import kpis as k
from shezhi.stats import services
from shezhi.stats.models import DailyRollup, EventFact

from .conftest import FEBRUARY, MARCH, closed, dispatched, t

pytestmark = pytest.mark.django_db

EXPECTED_MARCH = {
    "reported": 8,
    "registration_rate": 7 / 8,
    # due: A B D E F I (C is deferred, H voided); D and I are open past their deadlines.
    "completion_rate": 4 / 6,
    "on_time_rate": 2 / 6,
    "overdue_rate": 4 / 6,  # D and I open, E and F late
    "rework_rate": 1 / 4,  # handled: A B E F
    "accurate_dispatch_rate": 6 / 7,
    "bounces": 1,
    "response_rate": 1.0,
    "resolution_rate": 3 / 4,  # B was reopened
    "satisfaction_rate": (2 + 0.9) / 4,  # A, B (its latest rating), E basically, F not
    "in_grid_rate": 3 / 4,  # E was whistled
    # Handling: A 1 h, B 0.5 h, E 5 h 10 min, F 2 h 20 min.
    "handling_hours_mean": (3600 + 1800 + 18600 + 8400) / 4 / 3600,
    "handling_hours_median": 2.0,  # bands [0.5,1) [1,2) [2,3) [4,6): the 2nd ends at 2 h
    "handling_hours_p90": 4 + 2 * 0.6,  # 3.6th of 4: 60 % into the [4,6) band
}


def assert_kpis(found: k.Kpis, expected: dict) -> None:
    for name, value in expected.items():
        assert getattr(found, name) == pytest.approx(value), name


def test_the_march_cohort_of_a_grid(history, territory):
    result = k.area_kpis(territory["grid"], MARCH)
    assert_kpis(result.kpis, EXPECTED_MARCH)
    assert result.kpis.totals["emergency"] == 1
    # The score: the default weights over the rates above.
    expected = 25 * 4 / 6 + 20 * 2 / 6 + 20 * 0.725 + 10 * 1.0 + 10 * 6 / 7 + 10 * 0.75 + 5 * 0.75
    assert result.kpis.score == pytest.approx(expected)
    assert result.kpis.grade == "C"  # 66.1
    micro1 = {c.code: kp for c, kp in result.children}[territory["micro1"].code]
    assert micro1.reported == 8


def test_a_district_from_daily_sums_agrees_with_the_facts(history, territory):
    district = k.area_kpis(territory["district"], MARCH)
    assert_kpis(district.kpis, EXPECTED_MARCH)
    streets = {area.code: kp for area, kp in district.children}
    assert streets[territory["street1"].code].reported == 8
    empty = streets[territory["street2"].code]
    assert empty.reported == 0 and empty.completion_rate is None and empty.score is None
    # One row per community and day with reports: 27 February, 2 and 3 March.
    assert DailyRollup.objects.filter(path=territory["community"].path).count() == 3


def test_the_february_cohort_holds_the_event_closed_in_march(history, territory):
    feb = k.area_kpis(territory["district"], FEBRUARY).kpis
    assert feb.reported == 1
    assert (feb.completion_rate, feb.on_time_rate) == (1.0, 0.0)
    # 16:10–17:30 on Friday, the working Saturday's 7 hours and 09:00–09:30 on Monday.
    assert feb.handling_hours_mean == pytest.approx(8 + 50 / 60)


def test_a_step_moves_the_sums_once(history, territory):
    a = history
    ev_d = Event.objects.get(state=Event.State.ACCEPTED, handler_user=a.mg_worker, rework_count=0,
                             bounce_count=0, redispatch_count=0)  # fmt: skip
    assert ev_d.stats_stale is False
    closed(a, ev_d, t("03-03", "13:10"), t("03-03", "13:20"), "satisfied")
    assert Event.objects.get(pk=ev_d.pk).stats_stale is True
    services.sync_facts()
    services.sync_facts()  # nothing left: no double counting
    march = k.area_kpis(territory["district"], MARCH).kpis
    assert march.totals["closed"] == 5 and march.totals["due"] == 6
    assert march.satisfaction_rate == pytest.approx((3 + 0.9) / 5)
    # The sums equal the facts, counter by counter.
    facts = EventFact.objects.filter(reported_on__gte=MARCH.start, reported_on__lt=MARCH.end)
    for name in ("reported", "closed", "due", "on_time", "overdue", "rated", "handling_seconds"):
        assert march.totals[name] == sum(getattr(f, name) for f in facts), name


def test_rebuilding_gives_the_same_numbers(history, territory):
    before = k.area_kpis(territory["district"], MARCH).kpis.totals
    services.rebuild_facts()
    assert k.area_kpis(territory["district"], MARCH).kpis.totals == before


def test_a_deadline_passing_is_counted_after_the_scan(actors, time_machine, territory):
    from shezhi.events import sla

    ev = dispatched(actors)
    time_machine.move_to(t("03-02", "10:00"), tick=False)
    services.sync_facts()
    assert k.area_kpis(territory["grid"], MARCH).kpis.totals["due"] == 0
    time_machine.move_to(t("03-02", "15:00"), tick=False)  # deadline 14:50
    sla.scan()
    assert Event.objects.get(pk=ev.pk).stats_stale is True
    services.sync_facts()
    kp = k.area_kpis(territory["grid"], MARCH).kpis
    assert (kp.totals["due"], kp.overdue_rate) == (1, 1.0)


def test_nothing_to_judge_is_none_not_zero():
    empty = k.Kpis.empty()
    assert empty.reported == 0
    assert all(getattr(empty, name) is None for name in k.RATES)
    assert empty.handling_hours_median is None and empty.score is None and empty.grade is None


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "A"), (90, "A"), (89.99, "B"), (75, "B"), (60, "C"), (40, "D"), (39.9, "E"), (0, "E")],
)
def test_grades(score, grade):
    assert k.grade_of(score) == grade


def test_weights_and_the_basically_satisfied_weight_are_settings(settings):
    totals = dict.fromkeys(k.COUNTERS, 0) | {"rated": 2, "satisfied": 1, "basically_satisfied": 1}
    settings.SHEZHI_KPI_BASICALLY_SATISFIED_WEIGHT = 0.5
    settings.SHEZHI_KPI_WEIGHTS = {"satisfaction_rate": 1}
    kp = k.Kpis(totals)
    assert kp.satisfaction_rate == 0.75 and kp.score == 75 and kp.grade == "B"
    settings.SHEZHI_KPI_WEIGHTS = {"happiness": 1}
    with pytest.raises(ValueError, match="happiness"):
        k.Kpis(totals)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-13-01", "", "不是形如 2026-01-31 的日期"),
        ("2026-03-10", "2026-03-01", "结束早于开始"),
        ("2020-01-01", "2026-01-01", "最长为三年"),
    ],
)
def test_bad_periods_are_refused_with_a_reason(start, end, message):
    with pytest.raises(ValueError, match=message):
        k.Period.of(start, end, today=date(2026, 3, 5))


def test_the_default_period_is_this_year_so_far():
    assert k.Period.of(None, None, today=date(2026, 3, 5)) == k.Period(
        date(2026, 1, 1), date(2026, 3, 6)
    )


def test_the_command_syncs_and_rebuilds(history, territory):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("stats_sync", stdout=out)
    assert out.getvalue().startswith("synced the facts of 0 events")
    before = k.area_kpis(territory["district"], MARCH).kpis.totals
    call_command("stats_sync", "--rebuild", stdout=out)
    assert "rebuilt the facts of 9 events" in out.getvalue()
    assert k.area_kpis(territory["district"], MARCH).kpis.totals == before
    with pytest.raises(CommandError, match="at least 1"):
        call_command("stats_sync", "--batch", "0")
