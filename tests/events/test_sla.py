"""The SLA scan: reminders at 80 %, overdue notices, escalations, late report-ins, once each.

Times are real deadlines on the working calendar (09:00–12:00, 13:30–17:30):
an event of 0101 (4 working hours) dispatched on Monday 2 March 2026 at 09:00
is due at 14:30 and turns yellow at 13:42 (3 h 12 min = 80 %).
"""

from __future__ import annotations

import io
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.models import F
from django.utils import translation

from shezhi.events import selectors, services, sla
from shezhi.events.models import Category, Event, EventTransition, SlaNotice
from shezhi.notifications.models import Notification
from tests.events.conftest import IN_COMMUNITY2, IN_MICRO1, act, report

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
K = SlaNotice.Kind


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of March 2026 in Chengdu (2 March is a Monday)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)


T0 = at(2, 9)  # Monday 09:00
WARN = at(2, 13, 42)  # 80 % of 4 working hours after T0
DUE = at(2, 14, 30)  # 4 working hours after T0


def dispatched(actors, *, code="0101", point=IN_MICRO1, when=T0, **data) -> Event:
    """Reported, registered and dispatched at ``when`` (by default to micro1's worker)."""
    event = report(actors.resident, code=code, point=point, at=when)
    dispatcher = actors.community2 if point == IN_COMMUNITY2 else actors.community
    act(dispatcher, event, "register", at=when)
    return act(dispatcher, event, "dispatch", data=data or {"target": "worker"}, at=when)


def sla_notifications(**filters):
    return Notification.objects.filter(kind__in=[f"event.{k}" for k in K.values], **filters)


def recipients(kind: str, event: Event) -> set[str]:
    return set(
        Notification.objects.about(event)
        .filter(kind=f"event.{kind}")
        .values_list("user__username", flat=True)
    )


def counts(result) -> tuple[int, int, int, int, int]:
    return (
        result.reminders,
        result.overdue,
        result.escalated,
        result.report_in_overdue,
        result.skipped,
    )


# ---------------------------------------------------------------------------
# Reminders


def test_deadlines_are_real_working_time(actors):
    event = dispatched(actors)
    assert (event.warn_at, event.deadline_at) == (WARN, DUE)
    assert selectors.sla_colour(event, WARN - timedelta(seconds=1)) == "green"
    assert selectors.sla_colour(event, WARN) == "yellow"
    assert selectors.sla_colour(event, DUE) == "red"


def test_a_reminder_at_80_percent_to_the_handler_once(actors):
    event = dispatched(actors)

    assert counts(sla.scan(now=WARN - timedelta(minutes=1))) == (0, 0, 0, 0, 0)
    assert not SlaNotice.objects.exists()

    result = sla.scan(now=WARN)
    assert counts(result) == (1, 0, 0, 0, 0)
    assert result.notifications == 1
    notice = SlaNotice.objects.get()
    assert (notice.event_id, notice.kind, notice.deadline_at) == (event.pk, K.DUE_SOON, DUE)
    assert recipients(K.DUE_SOON, event) == {"mg_worker"}
    note = Notification.objects.get(kind="event.due_soon")
    assert note.url == f"/events/{event.pk}/"
    assert event.number in note.title
    assert "2026-03-02 14:30" in note.body

    # Later runs before the deadline send nothing more.
    assert counts(sla.scan(now=WARN + timedelta(minutes=20))) == (0, 0, 0, 0, 0)
    assert sla_notifications().count() == 1
    # Nobody outside the event is told anything.
    assert not Notification.objects.filter(
        kind__startswith="event.",
        user__in=[actors.community2, actors.other_district, actors.dept_zj, actors.resident2],
    ).exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"target": "community"}, {"community"}),
        ({"target": "department", "department": "zj"}, {"dept_zj"}),
    ],
)
def test_a_community_or_department_handler_is_reminded_through_its_staff(actors, data, expected):
    event = dispatched(actors, **data)
    assert sla.scan(now=WARN).reminders == 1
    assert recipients(K.DUE_SOON, event) == expected


def test_deferral_requested_is_still_on_the_clock_but_deferred_is_not(actors):
    waiting = dispatched(actors)
    act(actors.mg_worker, waiting, "accept", at=T0)
    act(actors.mg_worker, waiting, "request_deferral", reason="需要协调物业", at=T0)

    deferred = dispatched(actors, code="0103")  # also 4 working hours
    act(actors.mg_worker, deferred, "accept", at=T0)
    act(actors.mg_worker, deferred, "request_deferral", reason="等待材料", at=T0)
    deferred = act(actors.community, deferred, "approve_deferral", at=at(2, 10))
    assert deferred.state == Event.State.DEFERRED and deferred.deadline_at is None

    result = sla.scan(now=at(3, 9))  # a working day later: long past both deadlines
    assert (result.reminders, result.overdue) == (0, 1)
    assert set(SlaNotice.objects.values_list("event_id", flat=True)) == {waiting.pk}
    assert not (
        Notification.objects.about(deferred)
        .filter(kind__in=["event.overdue", "event.due_soon"])
        .exists()
    )


def test_a_re_dispatched_event_is_reminded_of_its_new_deadline(actors):
    event = dispatched(actors)
    assert sla.scan(now=WARN).reminders == 1

    act(actors.mg_worker, event, "return", reason="不属于本网格", at=at(2, 14))
    assert sla.scan(now=at(2, 16)).reminders == 0  # returned: off the clock
    event = act(actors.community, event, "dispatch", data={"target": "worker"}, at=at(3, 9))
    assert event.deadline_at == at(3, 14, 30)

    assert sla.scan(now=at(3, 13, 41)).reminders == 0
    assert sla.scan(now=at(3, 13, 42)).reminders == 1
    assert sorted(
        SlaNotice.objects.filter(event=event, kind=K.DUE_SOON).values_list("deadline_at", flat=True)
    ) == [DUE, at(3, 14, 30)]
    assert Notification.objects.about(event).filter(kind="event.due_soon").count() == 2


# ---------------------------------------------------------------------------
# Overdue and escalation


def test_overdue_notice_and_escalation_one_level_up_once(actors):
    event = dispatched(actors)
    assert event.owner_area.level == "general_grid"
    sla.scan(now=WARN)

    result = sla.scan(now=DUE)
    assert counts(result) == (0, 1, 1, 0, 0)
    # The handler and the level holding it (the grid's full-time worker) hear of it …
    assert recipients(K.OVERDUE, event) == {"mg_worker", "grid_worker"}
    # … and the event moves up to the community, which now sees it.
    event.refresh_from_db()
    assert event.owner_area.level == "community"
    assert event.escalation_count == 1
    assert event.state == Event.State.DISPATCHED  # the handler keeps working on it
    step = EventTransition.objects.get(event=event, action="escalate_overdue")
    assert step.actor is None
    assert step.at == DUE
    assert step.data["to_area"] == event.owner_area.code
    assert "community" in recipients("escalate_overdue", event)
    assert event in selectors.dispatcher_queue(actors.community, event.owner_area, "escalated")
    assert event in selectors.dispatcher_queue(actors.community, event.owner_area, "overdue", DUE)
    assert set(SlaNotice.objects.filter(event=event).values_list("kind", flat=True)) == {
        K.DUE_SOON,
        K.OVERDUE,
        K.ESCALATED,
    }

    # Nothing is sent or escalated twice: the street never gets it for this deadline.
    before = Notification.objects.count()
    assert counts(sla.scan(now=at(3, 9))) == (0, 0, 0, 0, 0)
    assert counts(sla.scan(now=at(4, 9))) == (0, 0, 0, 0, 0)
    assert Notification.objects.count() == before
    event.refresh_from_db()
    assert (event.owner_area.level, event.escalation_count) == ("community", 1)


def test_no_escalation_when_the_category_says_no(actors):
    Category.objects.filter(code="0101").update(escalate_when_overdue=False)
    event = dispatched(actors)
    version = event.version

    result = sla.scan(now=DUE)
    assert counts(result) == (0, 1, 0, 0, 0)
    event.refresh_from_db()
    assert event.owner_area.level == "general_grid"
    assert (event.escalation_count, event.version) == (0, version)
    assert not EventTransition.objects.filter(action="escalate_overdue").exists()
    assert not SlaNotice.objects.filter(kind=K.ESCALATED).exists()


def test_an_event_the_district_holds_is_noticed_but_has_nowhere_to_go(actors, territory):
    event = dispatched(actors)
    Event.objects.filter(pk=event.pk).update(
        owner_area=territory["district"], owner_path=territory["district"].path
    )
    result = sla.scan(now=DUE)
    assert (result.overdue, result.escalated) == (1, 0)
    assert recipients(K.OVERDUE, event) == {"mg_worker", "district"}


def test_a_grid_without_its_own_staff_tells_its_community(actors):
    # lng 104.02, lat 30.75 lies in grid 2 of the community, where nobody holds a role.
    event = dispatched(
        actors, code="0101", point=(104.02, 30.75), target="department", department="zj"
    )
    assert event.owner_area.code == "510113001001002"
    sla.scan(now=DUE)
    assert recipients(K.OVERDUE, event) == {"dept_zj", "community"}


def test_an_escalation_someone_beats_is_skipped_and_tried_next_round(actors, monkeypatch):
    event = dispatched(actors)
    real = sla._escalation_candidates

    def raced(now):
        found = real(now)
        # Somebody acts on the event between the scan's read and its transition.
        Event.objects.filter(pk=event.pk).update(version=F("version") + 1)
        return found

    monkeypatch.setattr(sla, "_escalation_candidates", raced)
    result = sla.scan(now=DUE)
    assert counts(result) == (0, 1, 0, 0, 1)
    assert result.skipped_events == [event.pk]
    assert not SlaNotice.objects.filter(kind=K.ESCALATED).exists()  # claim rolled back
    assert not EventTransition.objects.filter(action="escalate_overdue").exists()

    monkeypatch.setattr(sla, "_escalation_candidates", real)
    result = sla.scan(now=DUE + timedelta(minutes=1))
    assert counts(result) == (0, 0, 1, 0, 0)  # the overdue notice is not repeated
    event.refresh_from_db()
    assert event.owner_area.level == "community"


def test_an_event_handled_in_time_is_never_overdue(actors):
    event = dispatched(actors)
    act(actors.mg_worker, event, "accept", at=T0)
    act(actors.mg_worker, event, "handle", data={"result": "已清运"}, at=at(2, 11))
    assert counts(sla.scan(now=at(3, 9))) == (0, 0, 0, 0, 0)


# ---------------------------------------------------------------------------
# Emergency mode


def test_an_emergency_deadline_goes_red_after_four_working_hours_a_normal_one_does_not(
    actors, territory
):
    # 0102 积存垃圾渣土: 1 working day normally, 4 working hours in emergency mode.
    services.start_emergency(
        actor=actors.street, area=territory["community"], reason="暴雨", at=at(2, 8)
    )
    urgent = dispatched(actors, code="0102")
    normal = dispatched(actors, code="0102", point=IN_COMMUNITY2, target="community")
    assert (urgent.emergency, normal.emergency) == (True, False)
    assert urgent.deadline_at == DUE
    assert normal.deadline_at == at(2, 17, 30)  # one working day: the end of Monday

    result = sla.scan(now=DUE)
    assert (result.overdue, result.escalated) == (1, 1)
    assert selectors.sla_colour(urgent, DUE) == "red"
    assert selectors.sla_colour(normal, DUE) == "green"
    assert set(SlaNotice.objects.values_list("event_id", flat=True)) == {urgent.pk}


# ---------------------------------------------------------------------------
# Report-in


def whistled(actors, *, departments=("cg", "zj"), when=T0) -> Event:
    event = report(actors.resident, at=when)
    act(actors.community, event, "register", at=when)
    act(actors.community, event, "escalate", reason="网格无法解决", at=when)
    return act(
        actors.community,
        event,
        "whistle",
        reason="需要城管和住建到场",
        data={"departments": list(departments)},
        at=when,
    )


def test_report_in_overdue_tells_the_whistle_blower_and_the_late_department(actors):
    event = whistled(actors)
    due = T0 + timedelta(minutes=30)
    act(actors.dept_zj, event, "report_in", data={"note": "马上到"}, at=T0 + timedelta(minutes=10))

    assert sla.scan(now=due - timedelta(minutes=1)).report_in_overdue == 0
    result = sla.scan(now=due)
    assert counts(result) == (0, 0, 0, 1, 0)
    notice = SlaNotice.objects.get(kind=K.REPORT_IN_OVERDUE)
    assert (notice.event_id, notice.deadline_at) == (event.pk, due)
    # Two summonses share one due time and one notice; only 城管 is late.
    assert recipients(K.REPORT_IN_OVERDUE, event) == {"community", "dept_cg"}
    note = Notification.objects.filter(kind="event.report_in_overdue").first()
    assert actors.cg.name in note.body and actors.zj.name not in note.body

    assert sla.scan(now=due + timedelta(hours=1)).report_in_overdue == 0
    assert Notification.objects.filter(kind="event.report_in_overdue").count() == 2


def test_two_whistles_of_one_event_are_two_notices_even_one_per_batch(actors):
    event = whistled(actors, departments=("cg",))
    act(
        actors.community,
        event,
        "whistle",
        reason="再次吹哨",
        data={"departments": ["zj"], "report_in_minutes": 10},
        at=T0 + timedelta(minutes=5),
    )
    result = sla.scan(now=T0 + timedelta(hours=1), batch=1)
    assert result.report_in_overdue == 2
    assert sorted(
        SlaNotice.objects.filter(kind=K.REPORT_IN_OVERDUE).values_list("deadline_at", flat=True)
    ) == [T0 + timedelta(minutes=15), T0 + timedelta(minutes=30)]
    assert recipients(K.REPORT_IN_OVERDUE, event) == {"community", "dept_cg", "dept_zj"}


def test_report_in_on_time_or_a_closed_whistle_sends_nothing(actors):
    on_time = whistled(actors, departments=("zj",))
    act(actors.dept_zj, on_time, "report_in", at=T0 + timedelta(minutes=5))
    closed = whistled(actors, departments=("cg",))
    closed.whistles.update(closed_at=T0 + timedelta(minutes=20))
    assert sla.scan(now=T0 + timedelta(hours=1)).report_in_overdue == 0
    assert not SlaNotice.objects.filter(kind=K.REPORT_IN_OVERDUE).exists()


# ---------------------------------------------------------------------------
# The command


def run(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("sla_scan", *args, stdout=out)
    return out.getvalue().strip()


def test_the_command_prints_one_line_and_dry_run_writes_nothing(actors):
    event = dispatched(actors)
    before = (Notification.objects.count(), event.version)

    line = run("--now", "2026-03-02T14:30", "--dry-run")
    assert line.startswith(
        "reminders 0, overdue 1, escalated 1, report-in overdue 0, skipped on conflict 0,"
    )
    assert line.endswith("(dry run: nothing written)")
    assert "\n" not in line
    event.refresh_from_db()
    assert not SlaNotice.objects.exists()
    assert (Notification.objects.count(), event.version) == before

    line = run("--now", "2026-03-02T13:50+08:00")
    assert line.startswith("reminders 1, overdue 0, escalated 0, report-in overdue 0,")
    assert line.endswith(" s")
    assert run("--now", "2026-03-02 14:30").startswith("reminders 0, overdue 1, escalated 1,")
    assert run("--now", "2026-03-02 14:30").startswith("reminders 0, overdue 0, escalated 0,")


def test_a_backlog_of_escalations_is_worked_off_a_bounded_number_per_run(actors):
    late = [dispatched(actors, when=T0 + timedelta(minutes=i)) for i in range(3)]

    line = run("--now", "2026-03-02T16:00", "--max-escalations", "2", "--dry-run")
    assert line.startswith("reminders 0, overdue 3, escalated 2 (1 left for the next runs),")
    line = run("--now", "2026-03-02T16:00", "--max-escalations", "2")
    assert line.startswith("reminders 0, overdue 3, escalated 2 (1 left for the next runs),")
    # Oldest deadline first; the overdue notices were not held back.
    escalated = set(
        EventTransition.objects.filter(action="escalate_overdue").values_list("event_id", flat=True)
    )
    assert escalated == {late[0].pk, late[1].pk}
    assert SlaNotice.objects.filter(kind=K.OVERDUE).count() == 3

    line = run("--now", "2026-03-02T16:01", "--max-escalations", "2")
    assert line.startswith("reminders 0, overdue 0, escalated 1,")
    assert "left" not in line
    assert EventTransition.objects.filter(action="escalate_overdue").count() == 3


def test_escalating_stops_when_its_time_is_up(actors):
    late = [dispatched(actors) for _ in range(2)]
    result = sla.scan(now=DUE, escalation_seconds=0)
    assert (result.overdue, result.escalated, result.escalations_left) == (2, 0, 2)
    assert not SlaNotice.objects.filter(kind=K.ESCALATED).exists()
    result = sla.scan(now=DUE)
    assert (result.overdue, result.escalated, result.escalations_left) == (0, 2, 0)
    assert {e.pk for e in late} == set(
        EventTransition.objects.filter(action="escalate_overdue").values_list("event_id", flat=True)
    )


def test_the_command_refuses_a_negative_escalation_limit(actors):
    dispatched(actors)
    with pytest.raises(CommandError, match="cannot be negative"):
        run("--now", "2026-03-02T16:00", "--max-escalations", "-1")
    assert not SlaNotice.objects.exists()
    with pytest.raises(ValueError, match="cannot be negative"):
        sla.scan(now=DUE, max_escalations=-1)


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T09:00", ""])
def test_the_command_refuses_a_bad_time_and_writes_nothing(actors, value):
    dispatched(actors)
    with pytest.raises(CommandError, match="ISO date and time"):
        run("--now", value)
    assert not SlaNotice.objects.exists()
    assert not sla_notifications().exists()


def test_scan_refuses_a_naive_time(actors):
    with pytest.raises(ValueError, match="timezone-aware"):
        sla.scan(now=datetime(2026, 3, 2, 14, 30))


def test_the_task_runs_the_scan(actors, time_machine):
    from shezhi.events.tasks import sla_scan

    dispatched(actors)
    time_machine.move_to(WARN + timedelta(minutes=1), tick=False)
    outcome = sla_scan.call()
    assert outcome["reminders"] == 1 and outcome["overdue"] == 0
    assert SlaNotice.objects.filter(kind=K.DUE_SOON).count() == 1


# ---------------------------------------------------------------------------
# Two scans at once


def test_two_scans_in_a_row_in_small_batches_send_each_notice_once(actors):
    events = [dispatched(actors) for _ in range(5)]
    first = sla.scan(now=WARN, batch=2)
    second = sla.scan(now=WARN, batch=2)
    assert (first.reminders, second.reminders) == (5, 0)
    assert Notification.objects.filter(kind="event.due_soon").count() == 5
    assert {n.subject_id for n in Notification.objects.filter(kind="event.due_soon")} == {
        e.pk for e in events
    }


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_the_same_moment_send_each_notice_exactly_once(actors):
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite serialises writers (BEGIN IMMEDIATE) and the in-memory test database is "
            "shared across threads; PostgreSQL (DATABASE_URL) runs this"
        )
    events = [dispatched(actors) for _ in range(30)]
    late = whistled(actors)
    barrier = threading.Barrier(2)
    results = []
    errors = []

    def scan_once():
        try:
            barrier.wait()
            results.append(sla.scan(now=at(3, 9), batch=7))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan_once) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # The whistled event went to 城管 at T0 with the same 4 hours: overdue too.
    assert sum(r.overdue for r in results) == 31
    assert sum(r.escalated for r in results) == 31
    assert sum(r.report_in_overdue for r in results) == 1
    assert sum(r.skipped for r in results) == 0
    assert SlaNotice.objects.filter(kind=K.OVERDUE).count() == 31
    assert SlaNotice.objects.filter(kind=K.ESCALATED).count() == 31
    for event in events:
        assert recipients(K.OVERDUE, event) == {"mg_worker", "grid_worker"}
        assert Notification.objects.about(event).filter(kind="event.overdue").count() == 2
        assert EventTransition.objects.filter(event=event, action="escalate_overdue").count() == 1
        event.refresh_from_db()
        assert event.escalation_count == 1
    assert Notification.objects.about(late).filter(kind="event.report_in_overdue").count() == 3
