"""The transition table and the one service that performs it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from shezhi.core.errors import BadInput, Conflict, Forbidden, NotAllowed
from shezhi.events import selectors, services
from shezhi.events.models import Event, EventFollower, EventTransition, Whistle, WhistleSummons
from shezhi.events.workflow import ACTIONS
from shezhi.notifications.models import Notification
from tests.events.conftest import IN_MICRO2, act, report, run_to_closed

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def test_the_whole_loop_writes_every_step(actors):
    event = report(actors.resident)
    assert event.state == "reported"
    assert event.area.code == "510113001001001001"
    assert event.owner_area.code == "510113001001001"  # the general grid dispatches first
    event = run_to_closed(actors, event)
    event = act(actors.resident, event, "rate", data={"rating": "satisfied", "comment": "很快"})
    steps = list(
        event.transitions.values_list("action", "from_state", "to_state", "actor__username")
    )
    assert steps == [
        ("report", "", "reported", "resident"),
        ("register", "reported", "registered", "community"),
        ("dispatch", "registered", "dispatched", "community"),
        ("accept", "dispatched", "accepted", "mg_worker"),
        ("handle", "accepted", "handled", "mg_worker"),
        ("verify_pass", "handled", "closed", "resident"),
        ("rate", "closed", "closed", "resident"),
    ]
    assert event.rating == "satisfied"
    assert event.closed_at is not None and event.deadline_at is None
    assert event.version == 6


def test_every_action_in_the_table_has_parties_and_sources():
    for name, action in ACTIONS.items():
        assert action.sources, name
        assert action.parties, name
        assert action.target is None or action.target in Event.State.values


# ---------------------------------------------------------------------------
# Refusals


def test_transition_not_allowed_from_state_writes_nothing(actors):
    event = report(actors.resident)
    with pytest.raises(NotAllowed) as err:
        act(actors.mg_worker, event, "handle", data={"result": "done"})
    assert err.value.status == 409
    event.refresh_from_db()
    assert event.state == "reported" and event.version == 0
    assert EventTransition.objects.filter(event=event).count() == 1


def test_transition_by_the_wrong_actor_is_forbidden(actors):
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    with pytest.raises(Forbidden):
        act(actors.mg_worker2, event, "accept")  # not the handler
    with pytest.raises(Forbidden):
        act(actors.resident, event, "accept")


def test_only_the_reporter_rates(actors):
    event = run_to_closed(actors, report(actors.resident))
    with pytest.raises(Forbidden):
        act(actors.community, event, "rate", data={"rating": "satisfied"})
    with pytest.raises(Forbidden):
        act(actors.resident2, event, "rate", data={"rating": "satisfied"})
    with pytest.raises(BadInput) as err:
        act(actors.resident, event, "rate", data={"rating": "great"})
    assert err.value.field == "rating"
    event.refresh_from_db()
    assert event.rating == "" and event.rated_at is None
    act(actors.resident, event, "rate", data={"rating": "unsatisfied"})
    with pytest.raises(NotAllowed):
        act(actors.resident, event, "rate", data={"rating": "satisfied"})


def test_unknown_action_and_missing_reason(actors):
    event = report(actors.resident)
    with pytest.raises(BadInput):
        act(actors.community, event, "explode")
    with pytest.raises(BadInput) as err:
        act(actors.community, event, "void")
    assert err.value.field == "reason"
    assert Event.objects.get(pk=event.pk).state == "reported"


def test_stale_version_is_a_conflict(actors):
    event = report(actors.resident)
    first = Event.objects.get(pk=event.pk)
    second = Event.objects.get(pk=event.pk)
    services.perform(actor=actors.community, event=first, action="register")
    with pytest.raises(Conflict) as err:
        services.perform(actor=actors.street, event=second, action="void", reason="无效")
    assert err.value.status == 409
    assert Event.objects.get(pk=event.pk).state == "registered"
    assert EventTransition.objects.filter(event=event).count() == 2


def test_the_handler_does_not_verify_their_own_work(actors):
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    act(actors.mg_worker, event, "handle", data={"result": "清理完毕"})
    with pytest.raises((Forbidden, NotAllowed)):
        act(actors.mg_worker, event, "verify_pass")
    act(actors.grid_worker, event, "verify_pass")
    assert Event.objects.get(pk=event.pk).state == "closed"


# ---------------------------------------------------------------------------
# Side paths


def test_rework_is_counted_and_returns_to_the_handler(actors):
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    for _round in range(2):
        act(actors.mg_worker, event, "handle", data={"result": "清理"})
        act(actors.resident, event, "verify_fail", reason="还有垃圾")
    event.refresh_from_db()
    assert event.state == "accepted" and event.rework_count == 2


def test_a_department_bounce_and_a_redispatch_are_counted(actors):
    event = report(actors.resident, code="0301")  # 施工扰民 → 住建 zj
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "department", "department": "cg"})
    act(actors.dept_cg, event, "return", reason="不属于城管职责")
    event.refresh_from_db()
    assert event.state == "returned" and event.bounce_count == 1
    assert event.deadline_at is None
    with pytest.raises(BadInput):
        act(actors.community, event, "dispatch", data={"target": "department", "department": "x"})
    act(actors.community, event, "dispatch", data={"target": "department"})  # default: zj
    event.refresh_from_db()
    assert event.handler_department == actors.zj
    assert event.dispatch_count == 2 and event.redispatch_count == 1


def test_deferral_pauses_and_resumes_the_clock(actors):
    event = report(actors.resident, code="0102")  # 1 working day
    act(actors.community, event, "register", at=at(2026, 11, 23, 9))
    act(actors.community, event, "dispatch", data={"target": "worker"}, at=at(2026, 11, 23, 9))
    act(actors.mg_worker, event, "accept", at=at(2026, 11, 23, 10))
    act(actors.mg_worker, event, "request_deferral", reason="等待材料", at=at(2026, 11, 23, 11))
    act(actors.community, event, "approve_deferral", at=at(2026, 11, 23, 11))
    event.refresh_from_db()
    assert event.state == "deferred" and event.deadline_at is None
    assert event.sla_used_seconds == 2 * 3600  # 09:00–11:00 used
    act(actors.community, event, "resume", at=at(2026, 11, 25, 9))
    event.refresh_from_db()
    # 5 working hours left from Wed 09:00: 09–12 (3 h) + 13:30–15:30 (2 h).
    assert event.deadline_at == at(2026, 11, 25, 15, 30)


def test_deferral_can_be_refused(actors):
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    act(actors.mg_worker, event, "request_deferral", reason="下雨")
    with pytest.raises(Forbidden):
        act(actors.mg_worker, event, "approve_deferral")
    act(actors.community, event, "reject_deferral", reason="不影响清运")
    assert Event.objects.get(pk=event.pk).state == "accepted"


def test_reopen_within_the_window_then_rate_again(actors, settings):
    event = run_to_closed(actors, report(actors.resident))
    act(actors.resident, event, "rate", data={"rating": "unsatisfied"})
    act(actors.resident, event, "reopen", reason="又堆起来了")
    event.refresh_from_db()
    assert event.state == "registered" and event.reopen_count == 1 and event.rating == ""
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    act(actors.mg_worker, event, "handle", data={"result": "再次清运"})
    act(actors.resident, event, "verify_pass")
    act(actors.resident, event, "rate", data={"rating": "basically_satisfied"})
    event.refresh_from_db()
    assert event.rating == "basically_satisfied"
    assert list(event.transitions.filter(action="rate").values_list("data__rating", flat=True)) == [
        "unsatisfied",
        "basically_satisfied",
    ]


def test_reopen_after_the_window_is_refused(actors):
    event = report(actors.resident)
    long_ago = at(2026, 1, 5, 9)
    act(actors.community, event, "register", at=long_ago)
    act(actors.community, event, "dispatch", data={"target": "worker"}, at=long_ago)
    act(actors.mg_worker, event, "accept", at=long_ago)
    act(actors.mg_worker, event, "handle", data={"result": "ok"}, at=long_ago)
    act(actors.resident, event, "verify_pass", at=long_ago)
    with pytest.raises(NotAllowed) as err:
        act(actors.resident, event, "reopen", reason="again")
    assert "7" in err.value.message


def test_merge_makes_the_duplicates_reporter_follow_the_master(actors):
    master = report(actors.resident)
    duplicate = report(actors.resident2, point=IN_MICRO2)
    act(actors.community, duplicate, "merge", data={"master": master.pk})
    duplicate.refresh_from_db()
    master.refresh_from_db()
    assert duplicate.state == "merged" and duplicate.master == master
    assert EventFollower.objects.filter(event=master, user=actors.resident2, kind="me_too").exists()
    assert master.me_too_count == 1
    assert selectors.get_event(actors.resident2, master.pk) == master
    with pytest.raises(BadInput):
        act(actors.community, report(actors.resident), "merge", data={"master": 999999})


def test_me_too_from_another_resident(actors):
    event = report(actors.resident)
    act(actors.resident2, event, "me_too")
    event.refresh_from_db()
    assert event.me_too_count == 1
    with pytest.raises(NotAllowed):
        act(actors.resident2, event, "me_too")


def test_void_needs_a_kind_and_a_reason(actors):
    event = report(actors.resident)
    with pytest.raises(BadInput):
        act(actors.community, event, "void", reason="重复", data={"void_kind": "boring"})
    act(actors.community, event, "void", reason="重复上报", data={"void_kind": "duplicate"})
    assert Event.objects.get(pk=event.pk).state == "voided"
    assert EventTransition.objects.get(event=event, action="void").data == {
        "void_kind": "duplicate"
    }


def test_escalation_climbs_the_tree_to_the_district(actors):
    event = report(actors.mg_worker, source="patrol")
    act(actors.mg_worker, event, "escalate", reason="网格内无法解决")
    event.refresh_from_db()
    assert event.owner_area.level == "community"
    with pytest.raises(NotAllowed):
        act(actors.mg_worker, event, "escalate", reason="again")  # it left the grid
    act(actors.community, event, "escalate", reason="需街道协调")
    act(actors.street, event, "escalate", reason="需区级协调")
    event.refresh_from_db()
    assert event.owner_area.level == "district" and event.escalation_count == 3
    with pytest.raises(NotAllowed):
        act(actors.district, event, "escalate", reason="no higher")
    data = list(event.transitions.filter(action="escalate").values_list("data", flat=True))
    assert [d["to_area"] for d in data] == ["510113001001", "510113001", "510113"]


def test_whistle_report_in_and_rating(actors):
    event = report(actors.resident, code="0301")
    act(actors.community, event, "register", at=at(2026, 11, 25, 9))
    act(actors.community, event, "escalate", reason="需要部门", at=at(2026, 11, 25, 9))
    act(actors.community, event, "whistle", reason="施工噪音屡禁不止",
        data={"departments": ["zj", "cg"]}, at=at(2026, 11, 25, 9, 10))  # fmt: skip
    event.refresh_from_db()
    assert event.state == "dispatched" and event.handler_department == actors.zj
    whistle = Whistle.objects.get(event=event)
    assert whistle.area.level == "community"
    summonses = {s.department.code: s for s in whistle.summonses.all()}
    assert summonses["zj"].due_at == at(2026, 11, 25, 9, 40)
    act(actors.dept_zj, event, "report_in", data={"note": "已到场"}, at=at(2026, 11, 25, 9, 30))
    act(actors.dept_cg, event, "report_in", at=at(2026, 11, 25, 10, 0))
    on_time = {s.department.code: s.on_time for s in WhistleSummons.objects.all()}
    assert on_time == {"zj": True, "cg": False}
    with pytest.raises(NotAllowed):
        act(actors.dept_cg, event, "report_in")
    act(actors.dept_zj, event, "accept")
    act(actors.dept_zj, event, "handle", data={"result": "已责令停工整改"})
    act(actors.resident, event, "verify_pass")
    whistle.refresh_from_db()
    assert whistle.closed_at is not None  # 事不完、人不撤: open until the event closed
    zj = summonses["zj"]
    with pytest.raises(Forbidden):
        act(actors.community2, event, "rate_whistle", data={"summons": zj.pk, "rating": 4})
    act(actors.community, event, "rate_whistle", data={"summons": zj.pk, "rating": 4})
    zj.refresh_from_db()
    assert zj.rating == 4


def test_a_whistle_over_a_grid_event_is_blown_by_its_community(actors):
    event = report(actors.resident)
    act(actors.community, event, "register")
    with pytest.raises(Forbidden):  # a grid worker does not summon departments
        act(actors.grid_worker, event, "whistle", reason="x", data={"departments": ["cg"]})
    with pytest.raises(BadInput):
        act(actors.community, event, "whistle", reason="x", data={"departments": []})
    with pytest.raises(BadInput):
        act(actors.community, event, "whistle", reason="x",
            data={"departments": ["cg"], "report_in_minutes": 0})  # fmt: skip
    assert not Whistle.objects.exists()
    act(actors.community, event, "whistle", reason="需城管执法", data={"departments": ["cg"]})
    event.refresh_from_db()
    assert event.owner_area.level == "community"
    assert Whistle.objects.get(event=event).area == event.owner_area


def test_a_grid_worker_dispatches_only_inside_the_grid(actors):
    event = report(actors.mg_worker, source="patrol")
    act(actors.mg_worker, event, "register")
    with pytest.raises(Forbidden):
        act(actors.mg_worker, event, "dispatch", data={"target": "department"})
    act(actors.mg_worker, event, "dispatch", data={"target": "worker"})
    event.refresh_from_db()
    assert event.handler_user == actors.mg_worker  # 小事不出网格


# ---------------------------------------------------------------------------
# Deadlines


def test_deadline_and_warning_on_the_working_calendar(actors):
    event = report(actors.resident)  # 0101: 4 working hours
    act(actors.community, event, "register", at=at(2026, 11, 25, 10))
    act(actors.community, event, "dispatch", data={"target": "worker"}, at=at(2026, 11, 25, 10))
    event.refresh_from_db()
    assert event.deadline_at == at(2026, 11, 25, 15, 30)  # 10–12, then 13:30–15:30
    assert event.warn_at == at(2026, 11, 25, 14, 42)  # 80 % = 3 h 12 min
    assert selectors.sla_colour(event, at(2026, 11, 25, 14, 0)) == "green"
    assert selectors.sla_colour(event, at(2026, 11, 25, 15, 0)) == "yellow"
    assert selectors.sla_colour(event, at(2026, 11, 25, 16, 0)) == "red"
    row = selectors.with_sla(Event.objects.filter(pk=event.pk), at(2026, 11, 25, 15, 0)).get()
    assert row.sla == "yellow"


def test_a_deadline_over_a_holiday(actors):
    event = report(actors.resident, code="0102")  # 1 working day = 7 h
    friday = at(2026, 9, 30, 16, 0)  # before the National Day holiday
    act(actors.community, event, "register", at=friday)
    act(actors.community, event, "dispatch", data={"target": "worker"}, at=friday)
    event.refresh_from_db()
    # 1.5 h on 30 Sep, holidays 1–8 Oct, 10 Oct (Sat) is a 调休 working day? Check
    # by the calendar's own rule: the next working day after 30 Sep.
    from shezhi.core import calendar

    nxt = dt.date(2026, 10, 1)
    while not calendar.is_working_day(nxt):
        nxt += dt.timedelta(days=1)
    assert nxt > dt.date(2026, 10, 7)
    # 5.5 h left on that day: 09–12 (3 h) + 13:30–16:00 (2.5 h).
    assert event.deadline_at == dt.datetime.combine(nxt, dt.time(16, 0), tzinfo=SH)


def test_emergency_mode_uses_the_emergency_deadline(actors, territory):
    services.start_emergency(actor=actors.street, area=territory["street1"], reason="暴雨",
                             at=at(2026, 11, 25, 8))  # fmt: skip
    event = report(actors.resident, code="0102")  # emergency deadline: 4 working hours
    act(actors.community, event, "register", at=at(2026, 11, 25, 9))
    act(actors.community, event, "dispatch", data={"target": "worker"}, at=at(2026, 11, 25, 9))
    event.refresh_from_db()
    assert event.emergency
    assert event.deadline_at == at(2026, 11, 25, 14, 30)  # 9–12 + 13:30–14:30
    with pytest.raises(NotAllowed):
        services.start_emergency(actor=actors.street, area=territory["street1"], reason="again")
    with pytest.raises(Forbidden):
        services.start_emergency(actor=actors.community, area=territory["community"], reason="x")


# ---------------------------------------------------------------------------
# Who sees what


def test_visibility(actors, territory):
    event = report(actors.resident)
    for user in (actors.resident, actors.community, actors.street, actors.district,
                 actors.mg_worker, actors.grid_worker):  # fmt: skip
        assert selectors.get_event(user, event.pk) == event
    for user in (actors.resident2, actors.community2, actors.other_district, actors.nobody,
                 actors.dept_cg, actors.mg_worker2):  # fmt: skip
        with pytest.raises(Http404):
            selectors.get_event(user, event.pk)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "department", "department": "cg"})
    assert selectors.get_event(actors.dept_cg, event.pk) == event
    with pytest.raises(Http404):
        selectors.get_event(actors.dept_zj, event.pk)


def test_anonymous_reporter_is_hidden_from_staff_in_the_timeline(actors):
    event = report(actors.resident, anonymous=True)
    rows = selectors.timeline(actors.community, event)
    assert rows[0].actor_hidden
    assert not selectors.timeline(actors.resident, event)[0].actor_hidden


def test_notifications_go_to_the_handler_and_the_reporter(actors):
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    assert Notification.objects.about(event).filter(user=actors.mg_worker).exists()
    assert Notification.objects.about(event).filter(user=actors.resident).exists()
    # Nobody is notified of their own step.
    assert not Notification.objects.about(event).filter(user=actors.community).exists()


def test_inbox_and_queue(actors, territory):
    event = report(actors.resident)
    assert list(selectors.dispatcher_queue(actors.community, territory["community"],
                                           "to_register")) == [event]  # fmt: skip
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    inbox = list(selectors.handler_inbox(actors.mg_worker))
    assert inbox == [event] and inbox[0].sla == "green"
    assert list(selectors.handler_inbox(actors.mg_worker2)) == []
    assert list(selectors.my_reports(actors.resident)) == [event]
    assert list(selectors.my_reports(actors.resident2)) == []
