"""Points the event workflow itself awards (incentives.event_points, listening to events.hooks)."""

from __future__ import annotations

import pytest

from shezhi.events import hooks
from shezhi.events import services as event_services
from shezhi.incentives import selectors
from shezhi.incentives.models import PieceRateRule, Transfer
from tests.events.conftest import act, report
from tests.events.test_sla import DUE, T0, at

pytestmark = pytest.mark.django_db


def points_of(user) -> list[tuple[str, str, int, str]]:
    return list(
        Transfer.objects.filter(user=user)
        .order_by("pk")
        .values_list("kind", "rule", "points", "bucket")
    )


def handled(actors, when=T0, handle_at=None):
    event = report(actors.mg_worker, source="patrol", at=when)
    act(actors.community, event, "register", at=when)
    act(actors.community, event, "dispatch", data={"target": "worker"}, at=when)
    act(actors.mg_worker, event, "accept", at=when)
    return act(actors.mg_worker, event, "handle", data={"result": "已清运"}, at=handle_at or when)


def test_a_registered_patrol_report_earns_its_reporter_points_once(actors):
    event = report(actors.mg_worker, source="patrol", at=T0)
    assert points_of(actors.mg_worker) == []  # reported only: nothing yet
    act(actors.community, event, "register", at=T0)
    assert points_of(actors.mg_worker) == [("award", "event_registered", 2, "routine")]
    transfer = Transfer.objects.get(user=actors.mg_worker)
    assert (transfer.cause_type, transfer.cause_id, transfer.cause_ref) == (
        "event",
        str(event.pk),
        event.number,
    )
    assert transfer.area_id == event.area_id


def test_a_hotline_report_has_no_reporter_to_pay_and_a_voided_one_earns_nothing(actors):
    hotline = report(actors.community, source="hotline", at=T0)
    act(actors.community, hotline, "register", at=T0)
    voided = report(actors.resident, at=T0)
    act(actors.community, voided, "void", reason="无效", data={"void_kind": "invalid"}, at=T0)
    assert Transfer.objects.count() == 0


def test_a_registered_report_merged_as_a_duplicate_has_its_points_taken_back(actors):
    master = report(actors.resident2, at=T0, point=(104.07, 30.65))
    act(actors.community, master, "register", at=T0)
    dup = report(actors.resident, at=T0)
    act(actors.community, dup, "register", at=T0)
    act(actors.community, dup, "merge", data={"master": master.pk}, at=at(2, 10))
    assert points_of(actors.resident) == [
        ("award", "event_registered", 2, "routine"),
        ("reversal", "event_registered", -2, "routine"),
    ]
    assert selectors.balances(actors.resident).total == 0
    assert selectors.check_ledger().ok


def test_closing_on_time_pays_the_handler_once_and_rework_costs_points(actors):
    event = handled(actors)
    act(actors.community, event, "verify_fail", reason="没扫干净", at=at(2, 10))
    assert points_of(actors.mg_worker)[-1] == ("deduction", "event_reworked", -2, "routine")
    act(actors.mg_worker, event, "handle", data={"result": "已重新清扫"}, at=at(2, 11))
    act(actors.community, event, "verify_pass", at=at(2, 12))
    assert points_of(actors.mg_worker) == [
        ("award", "event_registered", 2, "routine"),
        ("deduction", "event_reworked", -2, "routine"),
        ("award", "event_closed_on_time", 5, "routine"),
    ]
    # Reopened and closed again: the case is paid once.
    act(actors.mg_worker, event, "reopen", reason="又堆了", at=at(2, 13))
    event.refresh_from_db()
    # (the reporter reopens; here the reporter is the worker's own patrol report)
    assert Transfer.objects.filter(user=actors.mg_worker, rule="event_closed_on_time").count() == 1


def test_a_late_handling_earns_nothing_for_closing(actors):
    event = handled(actors, handle_at=at(3, 16))  # after the 4 working hours
    assert at(3, 16) > DUE
    act(actors.community, event, "verify_pass", at=at(3, 17))
    assert not Transfer.objects.filter(rule="event_closed_on_time").exists()


def test_an_event_in_emergency_mode_earns_emergency_points(actors, territory):
    event_services.start_emergency(
        actor=actors.district, area=territory["community"], reason="汛期", at=at(1, 9)
    )
    event = report(actors.mg_worker, source="patrol", at=T0)
    act(actors.community, event, "register", at=T0)
    assert points_of(actors.mg_worker) == [("award", "event_registered", 2, "emergency")]


def test_a_district_rule_change_applies_to_later_work_only(actors, territory):
    first = report(actors.mg_worker, source="patrol", at=T0)
    act(actors.community, first, "register", at=T0)
    PieceRateRule.objects.create(
        district=territory["district"], kind="event_registered", bucket="other", points=7
    )
    second = report(actors.mg_worker, source="patrol", at=T0)
    act(actors.community, second, "register", at=T0)
    assert points_of(actors.mg_worker) == [
        ("award", "event_registered", 2, "routine"),
        ("award", "event_registered", 7, "other"),
    ]


def test_a_step_that_fails_leaves_no_points_behind(actors, monkeypatch):
    event = report(actors.mg_worker, source="patrol", at=T0)

    def boom(step):
        raise RuntimeError("notification outage")

    # A listener after the points' (in the step's transaction) fails: all of it rolls back.
    monkeypatch.setattr(hooks, "_in_transaction", [*hooks._in_transaction, boom])
    with pytest.raises(RuntimeError):
        act(actors.community, event, "register", at=T0)
    assert Transfer.objects.count() == 0
    assert selectors.balances(actors.mg_worker).total == 0
