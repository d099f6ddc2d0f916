"""events.permissions: who may do what with events, each role inside and outside its scope.

The cast (tests/factories.Cast) over the shared territory: an event reported by
``resident`` in micro-grid ``micro1`` (grid ``grid``, community ``community``, street
``street1``, district 510113). Each table below names who may and who may not.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from shezhi.events import permissions
from shezhi.events.models import Event, EventFollower
from shezhi.events.services import effects
from shezhi.events.workflow import ACTIONS, Action
from tests.factories import EventFactory, EventFollowerFactory, WhistleFactory
from tests.factories import WhistleSummonsFactory as SummonsFactory

pytestmark = pytest.mark.django_db

EVERYONE = (
    "root", "resident", "resident2", "outsider_resident", "mg_worker", "mg_worker2",
    "grid_worker", "community", "community2", "street", "other_street", "district",
    "other_district", "dept_cg", "dept_zj", "nobody",
)  # fmt: skip


def split(cast, yes):
    """(users who may, users who may not): ``yes`` named, everyone else in the cast."""
    return [getattr(cast, n) for n in yes], [getattr(cast, n) for n in EVERYONE if n not in yes]


def assert_only(cast, yes, check):
    allowed, refused = split(cast, yes)
    assert [u.username for u in allowed if not check(u)] == []
    assert [u.username for u in refused if check(u)] == []


@pytest.fixture
def event(cast, territory) -> Event:
    """Reported by ``resident`` (who follows it) in micro1, held by micro1 itself."""
    cast.assemble(*EVERYONE)
    event = EventFactory(area=territory["micro1"], submitted_by=cast.resident)
    EventFollowerFactory(event=event, user=cast.resident, kind=EventFollower.Kind.REPORTER)
    return event


def reload(event: Event) -> Event:
    return Event.objects.select_related("area", "owner_area", "category").get(pk=event.pk)


# ---------------------------------------------------------------------------
# view: can and scope agree


SEES_MICRO1 = ("root", "resident", "mg_worker", "grid_worker", "community", "street", "district")


def test_view_inside_and_outside_scope(cast, event):
    assert_only(cast, SEES_MICRO1, lambda u: permissions.can(u, "view", event))
    assert not permissions.can(AnonymousUser(), "view", event)


def test_the_view_scope_filters_the_same_events(cast, event):
    for name in EVERYONE:
        user = getattr(cast, name)
        q = permissions.scope(user, "view")
        if name == "root":
            assert q is None  # no limit
            continue
        seen = Event.objects.filter(q).filter(pk=event.pk).exists()
        assert seen == (name in SEES_MICRO1), name
    assert not Event.objects.filter(permissions.scope(AnonymousUser())).exists()


def test_a_follower_a_department_dispatched_to_and_one_summoned_see_it(cast, event, territory):
    EventFollowerFactory(event=event, user=cast.resident2)
    assert permissions.can(cast.resident2, "view", event)
    Event.objects.filter(pk=event.pk).update(
        handler_kind=Event.HandlerKind.DEPARTMENT, handler_department=cast.cg
    )
    assert permissions.can(cast.dept_cg, "view", event)
    assert not permissions.can(cast.dept_zj, "view", event)
    whistle = WhistleFactory(event=event, area=territory["community"])
    SummonsFactory(whistle=whistle, department=cast.zj)
    assert permissions.can(cast.dept_zj, "view", event)
    assert not permissions.can(cast.outsider_resident, "view", event)


# ---------------------------------------------------------------------------
# Workflow actions: state, party, refusal


def test_register_and_dispatch_are_for_its_dispatchers_and_grid(cast, event):
    yes = ("root", "community", "street", "district", "mg_worker", "grid_worker")
    assert_only(cast, yes, lambda u: permissions.can(u, "register", event))
    # Voiding is the dispatchers' alone (the grid only registers and takes on).
    yes = ("root", "community", "street", "district")
    assert_only(cast, yes, lambda u: permissions.can(u, "void", event))
    # Not from this state: nobody.
    assert_only(cast, (), lambda u: permissions.can(u, "accept", event))


def test_the_handler_takes_it_on(cast, event, territory):
    Event.objects.filter(pk=event.pk).update(
        state=Event.State.DISPATCHED,
        handler_kind=Event.HandlerKind.WORKER,
        handler_user=cast.mg_worker,
    )
    event = reload(event)
    assert_only(cast, ("mg_worker",), lambda u: permissions.can(u, "accept", event))
    assert permissions.allowed_actions(cast.mg_worker, event)[:2] == ["accept", "return"]
    # A community's staff handle what is dispatched to their community.
    Event.objects.filter(pk=event.pk).update(
        handler_kind=Event.HandlerKind.COMMUNITY,
        handler_user=None,
        handler_area=territory["community"],
    )
    event = reload(event)
    # A superuser holds every community (``holds_role_over``).
    assert_only(cast, ("root", "community"), lambda u: permissions.can(u, "accept", event))


def test_me_too_is_for_residents_not_following_yet(cast, event):
    # Residents and others with no staff part; not its reporter (already following).
    yes = (
        "resident2", "outsider_resident", "mg_worker2", "community2", "other_street",
        "other_district", "dept_cg", "dept_zj", "nobody",
    )  # fmt: skip
    assert_only(cast, yes, lambda u: permissions.can(u, "me_too", event))
    assert permissions.refusal(cast.resident, event, "me_too") == "您已关注此事件。"
    assert permissions.refusal(cast.community, event, "me_too") is not None
    assert permissions.refusal(None, event, "me_too") is None  # the platform


def test_verification_and_rating_refuse_the_handlers_own_work(cast, event):
    Event.objects.filter(pk=event.pk).update(
        state=Event.State.HANDLED,
        handler_kind=Event.HandlerKind.WORKER,
        handler_user=cast.mg_worker,
    )
    event = reload(event)
    # Verifiers: its grid, its reporter, its dispatchers; never the handler.
    yes = ("root", "resident", "grid_worker", "community", "street", "district")
    assert_only(cast, yes, lambda u: permissions.can(u, "verify_pass", event))
    assert "verify_pass" not in permissions.allowed_actions(cast.mg_worker, event)


# ---------------------------------------------------------------------------
# The other actions


def test_report_pages_by_source(cast):
    page = {
        "resident": EVERYONE,
        "patrol": ("root", "mg_worker", "mg_worker2", "grid_worker", "community", "community2",
                   "street", "other_street", "district", "other_district"),
        "hotline": ("root", "community", "community2", "street", "other_street", "district",
                    "other_district"),
        "assigned": ("root", "street", "other_street", "district", "other_district"),
    }  # fmt: skip
    cast.assemble(*EVERYONE)
    for source, yes in page.items():
        assert_only(cast, yes, lambda u, s=source: permissions.can(u, "report", s))
        assert not permissions.can(AnonymousUser(), "report", source)


def test_reporting_at_a_place_needs_a_role_over_it(cast, territory):
    cast.assemble(*EVERYONE)
    micro1 = territory["micro1"]
    patrol = ("root", "mg_worker", "grid_worker", "community", "street", "district")
    assert_only(cast, patrol, lambda u: permissions.can(u, "report", ("patrol", micro1)))
    staff = ("root", "community", "street", "district")
    for source in ("hotline", "assigned"):
        assert_only(cast, staff, lambda u, s=source: permissions.can(u, "report", (s, micro1)))
    # A resident's report and the API's: anyone, anywhere.
    assert_only(cast, EVERYONE, lambda u: permissions.can(u, "report", ("resident", micro1)))


def test_spot_handling_is_for_grid_workers_in_their_own_grid(cast, territory):
    cast.assemble(*EVERYONE)
    grid = ("mg_worker", "mg_worker2", "grid_worker")  # a superuser works no grid
    assert_only(cast, grid, lambda u: permissions.can(u, "spot_handle"))
    micro1 = territory["micro1"]
    assert_only(
        cast, ("mg_worker", "grid_worker"), lambda u: permissions.can(u, "spot_handle", micro1)
    )


def test_inbox_queue_department_and_emergency_gates(cast, territory):
    cast.assemble(*EVERYONE)
    handlers = ("root", "mg_worker", "mg_worker2", "grid_worker", "community", "community2",
                "dept_cg", "dept_zj")  # fmt: skip
    assert_only(cast, handlers, lambda u: permissions.can(u, "see_inbox"))
    assert not permissions.can(AnonymousUser(), "see_inbox")
    community = territory["community"]
    queue = ("root", "community", "street", "district")
    assert_only(cast, queue, lambda u: permissions.can(u, "see_queue", community))
    grid_queue = (*queue, "grid_worker")
    assert_only(cast, grid_queue, lambda u: permissions.can(u, "see_queue", territory["grid"]))
    assert_only(cast, ("dept_cg", "dept_zj"), lambda u: permissions.can(u, "see_department"))
    senior = ("root", "street", "district")
    assert_only(cast, senior, lambda u: permissions.can(u, "declare_emergency", community))
    assert_only(
        cast,
        ("root", "other_street", "district"),
        lambda u: permissions.can(u, "declare_emergency", territory["street2"]),
    )


def test_rating_a_summons_is_for_the_level_that_blew_the_whistle(cast, event, territory):
    whistle = WhistleFactory(event=event, area=territory["community"])
    summons = SummonsFactory(whistle=whistle, department=cast.cg)
    yes = ("root", "community", "street", "district")
    assert_only(cast, yes, lambda u: permissions.can(u, "rate_summons", summons))


def test_who_may_be_dispatched_an_event_as_its_worker(cast, event):
    yes = ("root", "mg_worker", "grid_worker", "community")
    assert_only(cast, yes, lambda u: permissions.can(u, "be_dispatched", event))


def test_the_handle_scope_is_what_is_dispatched_to_the_user(cast, event, territory):
    def handles(user) -> bool:
        return Event.objects.filter(permissions.scope(user, "handle"), pk=event.pk).exists()

    Event.objects.filter(pk=event.pk).update(
        handler_kind=Event.HandlerKind.WORKER, handler_user=cast.mg_worker
    )
    assert_only(cast, ("mg_worker",), handles)
    Event.objects.filter(pk=event.pk).update(
        handler_kind=Event.HandlerKind.COMMUNITY,
        handler_user=None,
        handler_area=territory["community"],
    )
    assert_only(cast, ("community",), handles)
    Event.objects.filter(pk=event.pk).update(
        handler_kind=Event.HandlerKind.DEPARTMENT, handler_area=None, handler_department=cast.zj
    )
    assert_only(cast, ("dept_zj",), handles)


def test_held_areas_name_where_a_page_works(cast, territory):
    assert permissions.held_areas(cast.mg_worker, "spot_handle") == [territory["micro1"]]
    assert permissions.held_areas(cast.mg_worker, "work_grid") == [territory["micro1"]]
    assert permissions.held_areas(cast.community, "own_queue") == [territory["community"]]
    assert permissions.held_areas(cast.mg_worker, "own_queue") == []
    assert permissions.held_areas(cast.resident, "report", "resident") == [territory["micro1"]]
    assert permissions.held_areas(cast.resident, "report", "patrol") == []


def test_an_unknown_action_fails_loudly(cast):
    for ask in (
        lambda: permissions.can(cast.root, "veiw"),
        lambda: permissions.scope(cast.root, "edit"),
        lambda: permissions.held_areas(cast.root, "anything"),
    ):
        with pytest.raises(ValueError):
            ask()


# ---------------------------------------------------------------------------
# The table, its effects and its refusals


def test_every_workflow_action_has_exactly_one_effect():
    with_effect = set(effects.EFFECTS)
    assert with_effect | effects.EFFECT_FREE == set(ACTIONS)
    assert not with_effect & effects.EFFECT_FREE
    effects.check()


def test_a_row_without_its_effect_fails_loudly(monkeypatch):
    row = Action("polish", "Polish", frozenset({Event.State.REPORTED}), None, ("dispatcher",))
    monkeypatch.setitem(ACTIONS, "polish", row)
    with pytest.raises(ImproperlyConfigured, match="polish"):
        effects.check()
    with pytest.raises(ImproperlyConfigured, match="dispatch"):
        effects.effect("dispatch")(lambda step: [])


def test_refusals_name_only_actions_of_the_table():
    assert set(permissions.REFUSALS) <= set(ACTIONS)


# ---------------------------------------------------------------------------
# A page's buttons: every row decided as one event at a time, in a fixed number of queries


def _every_kind_of_row(cast, territory) -> list[Event]:
    """Events in every state, each as the worker's, the community's, a department's and
    nobody's yet, with the parts a row's rules read: "me too"s, open whistles summoning
    a department (reported in or not, rated or not), on-the-spot handlings, ratings,
    escalated ones held by the street and the district."""
    now = timezone.now()
    cast.assemble(*EVERYONE)
    handlers = [
        {},
        {"handler_kind": Event.HandlerKind.WORKER, "handler_user": cast.mg_worker},
        {"handler_kind": Event.HandlerKind.COMMUNITY, "handler_area": territory["community"]},
        {"handler_kind": Event.HandlerKind.DEPARTMENT, "handler_department": cast.cg},
    ]
    events = []
    for i, state in enumerate(Event.State.values):
        for j, handler in enumerate(handlers):
            variant = (i + j) % 4
            fields = {"state": state, **handler}
            if state == Event.State.CLOSED:
                fields["closed_at"] = now - dt.timedelta(days=2 if variant else 30)
                if variant == 2:
                    fields["rated_at"] = now
            if state == Event.State.HANDLED and variant in (1, 2):
                fields["on_spot"] = True
                fields["spot_check"] = variant == 2
            if variant == 3:
                held = territory["street1"] if j % 2 else territory["district"]
                fields.update(owner_area=held, owner_path=held.path, escalation_count=1)
            area = territory["micro1" if (i + j) % 3 else "micro2"]
            event = EventFactory(area=area, submitted_by=cast.resident, created_at=now, **fields)
            EventFollowerFactory(event=event, user=cast.resident, kind=EventFollower.Kind.REPORTER)
            if variant == 1:
                EventFollowerFactory(event=event, user=cast.resident2)
            if variant in (1, 2):
                whistle = WhistleFactory(event=event, area=territory["community"])
                SummonsFactory(
                    whistle=whistle,
                    department=cast.zj,
                    reported_in_at=now if variant == 2 else None,
                    rating=3 if variant == 2 else None,
                )
            if variant == 3:
                whistle = WhistleFactory(event=event, area=territory["community"], closed_at=now)
                SummonsFactory(whistle=whistle, department=cast.cg)
            events.append(event)
    return events


def test_a_pages_buttons_are_each_rows_allowed_actions(cast, territory):
    events = _every_kind_of_row(cast, territory)
    for name in EVERYONE:
        user = getattr(cast, name)
        page = list(Event.objects.filter(pk__in=[e.pk for e in events]).order_by("id"))
        on_page = permissions.allowed_actions_for_page(user, page)
        one_by_one = {e.pk: permissions.allowed_actions(user, reload(e)) for e in events}
        assert on_page == one_by_one, name
    # Somebody is offered each of the actions a person takes.
    offered = {
        a
        for name in EVERYONE
        for actions in permissions.allowed_actions_for_page(getattr(cast, name), events).values()
        for a in actions
    }
    assert offered == set(ACTIONS) - {"escalate_overdue"}


def test_a_pages_buttons_cost_a_fixed_number_of_queries(cast, territory):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    events = _every_kind_of_row(cast, territory)
    for name in ("community", "dept_cg", "resident2", "district", "root", "mg_worker"):
        counts = []
        for rows in (events[::9], events):  # 5 rows of several states, then all 44
            user = get_user_model().objects.get(pk=getattr(cast, name).pk)  # nothing cached
            page = list(Event.objects.filter(pk__in=[e.pk for e in rows]).order_by("id"))
            with CaptureQueriesContext(connection) as ctx:
                permissions.allowed_actions_for_page(user, page)
            counts.append(len(ctx.captured_queries))
        # Roles, departments; areas, categories, the community handlers' areas; summonses,
        # follows, unrated responses, pending report-ins: each once at most.
        assert counts[0] == counts[1] <= 11, (name, counts)
