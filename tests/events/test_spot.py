"""当场处置: a grid worker's on-the-spot handling, in one step, with the full history."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from shezhi.core.errors import BadInput, Forbidden, KeyReused, NotAllowed
from shezhi.events import selectors, services, spot
from shezhi.events.facts import transition_facts
from shezhi.events.models import Category, Event, EventPhoto, EventTransition
from shezhi.incentives.models import Transfer
from shezhi.notifications.models import Notification
from shezhi.stats import counters
from shezhi.stats import kpis as k
from shezhi.stats import services as stats_services
from tests.events.conftest import IN_MICRO1, IN_MICRO2, act, jpeg, report

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # Monday 09:00
MARCH = k.Period(date(2026, 3, 1), date(2026, 4, 1))
FULL_HISTORY = ["report", "register", "dispatch", "accept", "handle"]


@pytest.fixture
def no_spot_checks(settings):
    settings.SHEZHI_SPOT_CHECK_SHARE = 0


@pytest.fixture
def every_spot_checked(settings):
    settings.SHEZHI_SPOT_CHECK_SHARE = 1


def on_spot(actor, *, point=IN_MICRO1, code="0101", at=T0, **kw) -> Event:
    kw.setdefault("description", "单元门口暴露垃圾一堆")
    kw.setdefault("result", "已当场清扫装袋，送至垃圾房")
    kw.setdefault("after_photos", [jpeg(name="after.jpg", color=(40, 140, 60))])
    kw.setdefault("before_photos", [jpeg(name="before.jpg")])
    done = spot.handle_on_spot(actor=actor, category=code, lng=point[0], lat=point[1], at=at, **kw)
    return Event.objects.get(pk=done.event.pk)


def steps(event) -> list[tuple[str, str, str, str]]:
    return list(
        event.transitions.order_by("at", "id").values_list(
            "action", "from_state", "to_state", "actor__username"
        )
    )


def points_of(user) -> list[tuple[str, int]]:
    return list(Transfer.objects.filter(user=user).order_by("pk").values_list("rule", "points"))


def nothing_written(settings) -> None:
    assert Event.objects.count() == 0
    assert EventTransition.objects.count() == 0
    assert EventPhoto.objects.count() == 0
    assert Transfer.objects.count() == 0
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


# ---------------------------------------------------------------------------
# The one step


def test_one_step_writes_the_whole_history_and_closes(actors, no_spot_checks):
    event = on_spot(actors.mg_worker)
    assert event.state == Event.State.CLOSED
    assert steps(event) == [
        ("report", "", "reported", "mg_worker"),
        ("register", "reported", "registered", "mg_worker"),
        ("dispatch", "registered", "dispatched", "mg_worker"),
        ("accept", "dispatched", "accepted", "mg_worker"),
        ("handle", "accepted", "handled", "mg_worker"),
        ("close_on_spot", "handled", "closed", "mg_worker"),
    ]
    assert event.source == Event.Source.PATROL and event.reporter == actors.mg_worker
    assert event.handler_kind == Event.HandlerKind.WORKER
    assert event.handler_user == actors.mg_worker
    assert (event.on_spot, event.spot_check) == (True, False)
    assert event.result == "已当场清扫装袋，送至垃圾房"
    assert event.registered_at == event.dispatched_at == event.handled_at == event.closed_at == T0
    assert event.deadline_at is None  # the clock stopped at closing
    handle = event.transitions.get(action="handle")
    assert handle.data["on_spot"] is True and handle.data["spot_check"] is False
    assert handle.data["within_deadline"] is True and handle.data["working_seconds"] == 0
    dispatch = event.transitions.get(action="dispatch")
    assert dispatch.data["handler_kind"] == "worker"
    assert dispatch.data["handler_user"] == actors.mg_worker.pk
    stages = sorted(event.photos.values_list("stage", "transition__action"))
    assert stages == [("report", "report"), ("result", "handle")]
    # Nobody else is told of a matter closed on the spot.
    assert not Notification.objects.exclude(user=actors.mg_worker).exists()


def test_the_worker_does_not_rate_their_own_handling(actors, no_spot_checks):
    # The worker is the event's reporter; a rating would be theirs of their own work.
    event = on_spot(actors.mg_worker)
    assert "rate" not in services.allowed_actions(actors.mg_worker, event)
    with pytest.raises(NotAllowed):
        act(actors.mg_worker, event, "rate", data={"rating": "satisfied"})


def test_the_deadline_comes_from_the_working_calendar(actors, no_spot_checks):
    # Sunday evening: the budget (4 working hours) only starts on Monday morning.
    sunday = datetime(2026, 3, 1, 20, 0, tzinfo=TZ)
    event = on_spot(actors.mg_worker, at=sunday)
    dispatch = event.transitions.get(action="dispatch")
    handle = event.transitions.get(action="handle")
    assert dispatch.at == handle.at == sunday
    assert handle.data["within_deadline"] is True
    assert event.state == Event.State.CLOSED


def test_points_are_the_normal_paths(actors, no_spot_checks):
    event = on_spot(actors.mg_worker)
    assert points_of(actors.mg_worker) == [("event_registered", 2), ("event_closed_on_time", 5)]
    assert set(Transfer.objects.values_list("cause_id", flat=True)) == {str(event.pk)}


def test_a_full_time_grid_worker_may_handle_on_the_spot_in_their_grid(actors, no_spot_checks):
    event = on_spot(actors.grid_worker, point=IN_MICRO2)
    assert event.state == Event.State.CLOSED
    assert event.handler_user == actors.grid_worker


# ---------------------------------------------------------------------------
# The KPIs read it right


def test_it_counts_as_completed_on_time_and_solved_in_the_micro_grid(actors, no_spot_checks):
    event = on_spot(actors.mg_worker)
    history = [transition_facts(t) for t in event.transitions.order_by("at", "id")]
    facts = counters.counts(event, history, T0)
    for name in ("reported", "registered", "dispatched", "handled", "due", "closed", "on_time",
                 "in_grid", "resolved", "accurate", "responded", "handling_count"):  # fmt: skip
        assert facts[name] == 1, name
    assert facts["overdue"] == 0 and facts["reworked"] == 0
    # A normal patrol find in the same micro-grid, sent to a department: not in the grid.
    other = report(actors.mg_worker, source="patrol", at=T0, point=(104.021, 30.62))
    act(actors.community, other, "register", at=T0)
    act(actors.community, other, "dispatch", data={"target": "department", "department": "cg"},
        at=T0)  # fmt: skip
    act(actors.dept_cg, other, "accept", at=T0)
    act(actors.dept_cg, other, "handle", data={"result": "已清理"}, at=T0)
    act(actors.community, other, "verify_pass", at=T0)
    stats_services.sync_facts()
    kpis = k.area_kpis(actors.mg_worker.role_assignments.get().area, MARCH).kpis
    assert kpis.totals["closed"] == 2 and kpis.totals["in_grid"] == 1
    assert kpis.completion_rate == 1.0 and kpis.on_time_rate == 1.0
    assert kpis.in_grid_rate == 0.5


# ---------------------------------------------------------------------------
# The spot check


def test_a_spot_check_waits_for_the_community_and_tells_its_staff(actors, every_spot_checked):
    event = on_spot(actors.mg_worker)
    assert event.state == Event.State.HANDLED
    assert (event.on_spot, event.spot_check) == (True, True)
    assert [s[0] for s in steps(event)] == FULL_HISTORY
    told = Notification.objects.filter(kind="event.spot_check")
    assert list(told.values_list("user__username", flat=True)) == ["community"]
    assert "抽查" in told.get().title
    assert points_of(actors.mg_worker) == [("event_registered", 2)]
    # In the community's verification queue, not offered to the grid's other workers.
    community_area = actors.community.role_assignments.get().area
    queue = selectors.dispatcher_queue(actors.community, community_area, "to_verify")
    assert list(queue.values_list("pk", flat=True)) == [event.pk]
    assert "verify_pass" in services.allowed_actions(actors.community, event)
    assert "verify_pass" not in services.allowed_actions(actors.grid_worker, event)
    assert "verify_pass" not in services.allowed_actions(actors.mg_worker, event)
    assert "close_on_spot" not in services.allowed_actions(actors.mg_worker, event)
    with pytest.raises(NotAllowed):
        act(actors.grid_worker, event, "verify_pass")
    with pytest.raises(NotAllowed):
        act(actors.mg_worker, event, "close_on_spot")
    # Another community's staff do not even see it.
    with pytest.raises(Http404):
        selectors.get_event(actors.community2, event.pk)
    # The community passes it: closed, paid, solved in the grid.
    event = act(actors.community, event, "verify_pass", at=T0.replace(hour=10))
    assert event.state == Event.State.CLOSED
    assert points_of(actors.mg_worker) == [("event_registered", 2), ("event_closed_on_time", 5)]
    history = [transition_facts(t) for t in event.transitions.all()]
    facts = counters.counts(event, history, T0)
    assert facts["in_grid"] == facts["on_time"] == facts["closed"] == 1


def test_a_failed_spot_check_is_rework_verified_again_by_the_community(actors, every_spot_checked):
    event = on_spot(actors.mg_worker)
    event = act(actors.community, event, "verify_fail", reason="现场仍有垃圾", at=T0)
    assert event.state == Event.State.ACCEPTED and event.rework_count == 1
    assert ("event_reworked", -2) in points_of(actors.mg_worker)
    event = act(actors.mg_worker, event, "handle", data={"result": "已彻底清理"}, at=T0)
    assert event.spot_check is True and event.on_spot is False
    # The community (not the grid's other workers) verifies the rework, and is told of it.
    assert Notification.objects.filter(user=actors.community, kind="event.handle").exists()
    assert not Notification.objects.filter(user=actors.grid_worker, kind="event.handle").exists()
    with pytest.raises(NotAllowed):
        act(actors.grid_worker, event, "verify_pass")
    with pytest.raises(NotAllowed):
        act(actors.mg_worker, event, "close_on_spot")
    event = act(actors.community, event, "verify_pass", at=T0)
    assert event.state == Event.State.CLOSED


def test_the_draw_is_deterministic_per_event_and_follows_the_share(settings):
    settings.SHEZHI_SPOT_CHECK_SHARE = 0.1
    drawn = [services.drawn_for_spot_check(i) for i in range(1, 2001)]
    assert drawn == [services.drawn_for_spot_check(i) for i in range(1, 2001)]
    assert 150 <= sum(drawn) <= 250  # about one in ten
    settings.SHEZHI_SPOT_CHECK_SHARE = 0
    assert not any(services.drawn_for_spot_check(i) for i in range(1, 200))
    settings.SHEZHI_SPOT_CHECK_SHARE = 1
    assert all(services.drawn_for_spot_check(i) for i in range(1, 200))


def test_the_draw_decides_between_closing_and_checking(actors, settings):
    settings.SHEZHI_SPOT_CHECK_SHARE = 0.5
    events = [on_spot(actors.mg_worker, point=(104.02 + i / 1000, 30.62)) for i in range(8)]
    for event in events:
        expected = Event.State.HANDLED if services.drawn_for_spot_check(event.pk) else "closed"
        assert event.state == expected


# ---------------------------------------------------------------------------
# Refusals: a named field, nothing written


def test_no_after_photo_is_refused(actors, settings):
    with pytest.raises(BadInput) as err:
        on_spot(actors.mg_worker, after_photos=[])
    assert err.value.field == "after_photos"
    nothing_written(settings)


def test_a_bad_after_photo_is_refused(actors, settings):
    junk = SimpleUploadedFile("after.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(BadInput) as err:
        on_spot(actors.mg_worker, after_photos=[junk])
    assert err.value.field == "after_photos"
    nothing_written(settings)


def test_a_category_that_needs_a_department_is_refused(actors, settings):
    assert Category.objects.get(code="0101").allows_spot_handling
    assert not Category.objects.get(code="0501").allows_spot_handling  # road collapse
    with pytest.raises(BadInput) as err:
        on_spot(actors.mg_worker, code="0501")
    assert err.value.field == "category"
    nothing_written(settings)


def test_outside_the_workers_own_grid_is_refused(actors, settings):
    with pytest.raises(BadInput) as err:
        on_spot(actors.mg_worker, point=IN_MICRO2)
    assert err.value.field == "location"
    assert "当场处置仅限本人网格内" in err.value.message
    nothing_written(settings)


def test_outside_the_grid_by_a_photos_location_is_refused_too(actors, settings):
    with pytest.raises(BadInput) as err:
        on_spot(
            actors.mg_worker,
            point=(None, None),
            before_photos=[jpeg(gps=IN_MICRO2, name="before.jpg")],
        )
    assert err.value.field == "location"
    nothing_written(settings)


def test_a_photos_location_inside_the_grid_serves(actors, no_spot_checks):
    event = on_spot(actors.mg_worker, point=(None, None), before_photos=[jpeg(gps=IN_MICRO1)])
    assert event.state == Event.State.CLOSED
    assert event.area.code == "510113001001001001"


def test_staff_who_are_no_grid_workers_are_refused(actors, settings):
    for user in (actors.resident, actors.community, actors.district):
        with pytest.raises(Forbidden):
            on_spot(user)
    nothing_written(settings)


def test_no_result_is_refused(actors, settings):
    with pytest.raises(BadInput) as err:
        on_spot(actors.mg_worker, result="  ")
    assert err.value.field == "result"
    nothing_written(settings)


def test_close_on_spot_never_closes_an_ordinary_handling(actors):
    event = report(actors.mg_worker, source="patrol", at=T0)
    act(actors.mg_worker, event, "register", at=T0)
    act(actors.mg_worker, event, "dispatch", data={"target": "worker"}, at=T0)
    act(actors.mg_worker, event, "accept", at=T0)
    event = act(actors.mg_worker, event, "handle", data={"result": "已清理"}, at=T0)
    assert "close_on_spot" not in services.allowed_actions(actors.mg_worker, event)
    with pytest.raises(NotAllowed):
        act(actors.mg_worker, event, "close_on_spot")
    # Nor can a request's data make a handling "on the spot".
    event = act(actors.community, event, "verify_fail", reason="未清理", at=T0)
    event = act(actors.mg_worker, event, "handle", data={"result": "x", "on_spot": True}, at=T0)
    assert event.on_spot is False
    with pytest.raises(NotAllowed):
        act(actors.mg_worker, event, "close_on_spot")


# ---------------------------------------------------------------------------
# Retries


def test_a_retry_with_the_same_key_returns_the_first_event(actors, no_spot_checks):
    first = on_spot(actors.mg_worker, idempotency_key="k-1")
    again = on_spot(actors.mg_worker, idempotency_key="k-1")
    assert (again.pk, Event.objects.count()) == (first.pk, 1)


def test_the_same_key_with_another_description_is_refused(actors, no_spot_checks):
    on_spot(actors.mg_worker, idempotency_key="k-1")
    with pytest.raises(KeyReused) as err:
        on_spot(actors.mg_worker, idempotency_key="k-1", description="另一处垃圾")
    assert err.value.field == "idempotency_key"
    assert err.value.status == 422
    assert Event.objects.count() == 1


def test_a_key_used_for_another_submission_is_refused(actors):
    report(actors.mg_worker, source="patrol", idempotency_key="k-2")
    with pytest.raises(KeyReused) as err:
        on_spot(actors.mg_worker, idempotency_key="k-2")
    assert err.value.field == "idempotency_key"
    assert Event.objects.count() == 1
