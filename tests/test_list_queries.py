"""A list's queries do not grow with its rows (issue 14).

Each case builds rows for one list (a page or an API), asks for it as the role whose
work it is, and counts the queries; it does so with 5 rows and again with 50, and the
two counts must be the same: whatever a row shows (its area's name, its cause, "signed
up") is read for the whole page at once, never per row.

To add a list: a ``ListCase`` (who asks, the URL, how to add ``n`` rows, how to count
the rows it shows) in a block of its own below, and its name in the block's list.
work it is, and counts the queries with 5 rows and again with 50: the two counts must
be the same. Whatever a row shows is read for the whole page at once, never per row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shezhi.areas.models import Area
from tests.factories import (
    NotificationFactory,
    PersonFactory,
    ServicePostFactory,
    SignupFactory,
    TransferFactory,
    VolunteerActivityFactory,
)

pytestmark = pytest.mark.django_db

FEW, MANY = 5, 50


@dataclass(frozen=True)
class ListCase:
    """One list: ``role`` (an actor of ``tests.factories.Cast``) asks for ``url`` (a
    function of the cast and the territory); ``build(cast, territory, n)`` adds ``n``
    rows to it; ``shown(response)`` says how many rows the answer shows."""

    name: str
    role: str
    url: Callable[[object, dict], str]
    build: Callable[[object, dict, int], None]
    shown: Callable[[object], int]


def html_rows(marker: str) -> Callable[[object], int]:
    """Rows of a page: how many times ``marker`` (a row's own attribute) appears."""
    return lambda response: len(re.findall(marker, response.content.decode()))


def json_rows(key: str = "items") -> Callable[[object], int]:
    def count(response) -> int:
        body = response.json()
        return len(body if key == "" else body[key])

    return count


def queries_for(client, cast, territory, case: ListCase, n: int) -> tuple[int, int]:
    """Add ``n`` rows to the case's list, ask for it as its role (once to warm the
    session and the per-process caches, then counted): (queries, rows shown)."""
    case.build(cast, territory, n)
    client.force_login(getattr(cast, case.role))
    url = case.url(cast, territory)
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (case.name, response.content[:300])
    return len(ctx.captured_queries), case.shown(response)


def assert_flat(client, cast, territory, case: ListCase) -> None:
    few, few_rows = queries_for(client, cast, territory, case, FEW)
    many, many_rows = queries_for(client, cast, territory, case, MANY - FEW)
    # (The audit log also lists the cast's own role: a row or two beyond the five.)
    assert FEW <= few_rows < many_rows, (case.name, few_rows, many_rows)
    assert many == few, f"{case.name}: {few} queries for {few_rows} rows, {many} for {many_rows}"


# ---------------------------------------------------------------------------
# People, notifications, points, posts, activities, the audit log


def _people(cast, territory, n):
    for i in range(n):
        PersonFactory(area=territory["micro1" if i % 2 else "micro2"], name=f"人员{i:03d}")


def _notifications(cast, territory, n):
    area_type = ContentType.objects.get_for_model(Area)
    for i in range(n):
        NotificationFactory(
            user=cast.resident,
            url=f"/areas/{i}/",
            subject_type=area_type if i % 2 else None,
            subject_id=territory["micro1"].pk if i % 2 else None,
            read_at=timezone.now() if i % 3 else None,
        )


def _visited_households(cast, territory, n):
    """``n`` households in micro1, each with two residents and a visit by the worker that
    met one of them (a hazard and a need ticked)."""
    from tests.factories import HouseholdFactory, ResidentFactory, VisitFactory

    micro = territory["micro1"]
    for _i in range(n):
        h = HouseholdFactory(building__micro_grid=micro, building__area_path=micro.path,
                             building__compound__community=territory["community"])  # fmt: skip
        met = ResidentFactory(household=h, tags=",lives_alone,")
        ResidentFactory(household=h)
        v = VisitFactory(household=h, worker=cast.mg_worker, outcome="met",
                         checklist=",gas,medical,")  # fmt: skip
        v.met.add(met)


def _transfers(user_attr: str):
    def build(cast, territory, n):
        user = getattr(cast, user_attr)
        for i in range(n):
            if i % 2:
                TransferFactory(user=user, area=territory["micro1"])
            else:
                TransferFactory(
                    user=user,
                    area=territory["micro2"],
                    kind="event_registered",
                    cause_type="event",
                    cause_id=str(1000 + i + n * 100),
                    cause_ref=f"E{i}",
                )

    return build


def _posts(cast, territory, n):
    for i in range(n):
        ServicePostFactory(
            area=territory["micro1" if i % 2 else "micro2"],
            responsible=cast.post_keeper if i % 3 else None,
        )


def _community_hub(territory):
    from shezhi.places.models import ServiceHub
    from tests.factories import ServiceHubFactory

    hub = ServiceHub.objects.filter(tier="community").first()
    return hub or ServiceHubFactory(area=territory["community"], name="凤凰社区社治码头")


def _compound_hubs(cast, territory, n):
    """A community hub and ``n`` compound hubs below it, each compound with a building in
    micro1 or micro2 and a person on its roster (the rows' figures and names)."""
    from tests.factories import (
        BuildingFactory,
        CompoundFactory,
        HubDutyFactory,
        ServiceHubFactory,
    )

    _community_hub(territory)
    for i in range(n):
        micro = territory["micro1" if i % 2 else "micro2"]
        compound = CompoundFactory(community=territory["community"])
        BuildingFactory(compound=compound, micro_grid=micro, area_path=micro.path)
        HubDutyFactory(hub=ServiceHubFactory(compound=compound))


def _hub_url(suffix: str):
    return lambda cast, t: f"/{suffix}".replace("<id>", str(_community_hub(t).pk))


def _activities(when: str):
    def build(cast, territory, n):
        post = ServicePostFactory(area=territory["micro1"], responsible=cast.post_keeper)
        now = timezone.now()
        for i in range(n):
            starts = now + dt.timedelta(days=2, hours=i) if when == "upcoming" else None
            if when == "past":
                starts = now - dt.timedelta(days=2, hours=i)
            activity = VolunteerActivityFactory(
                post=post, starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
            )
            if i % 2:
                SignupFactory(activity=activity, user=cast.resident)

    return build


def _bindings(cast, territory, n):
    """``n`` pending binding requests for households of micro1, each with two residents."""
    from tests.factories import (
        BindingRequestFactory,
        CompoundFactory,
        HouseholdFactory,
        ResidentFactory,
    )

    micro = territory["micro1"]
    compound = CompoundFactory(community=territory["community"])
    for _ in range(n):
        household = HouseholdFactory(
            building__compound=compound, building__micro_grid=micro, building__area_path=micro.path
        )
        matched = ResidentFactory(household=household)
        ResidentFactory(household=household)
        BindingRequestFactory(household=household, resident=matched)


def _audit(cast, territory, n):
    # Each new person is an entry of the log, in the district.
    for i in range(n):
        PersonFactory(area=territory["micro1"], name=f"审计{i:03d}")


def _operation(territory):
    from shezhi.operations.models import Operation
    from tests.factories import OperationFactory

    return Operation.objects.first() or OperationFactory(area=territory["micro1"])


def _check_lines(cast, territory, n):
    from tests.factories import CheckLineFactory

    op = _operation(territory)
    for i in range(n):
        checked = {"outcome": "reached", "checked_by": cast.mg_worker,
                   "checked_at": timezone.now()} if i % 2 else {}  # fmt: skip
        CheckLineFactory(operation=op, rank=i % 3 and 1, **checked)


OTHER_LISTS = [
    ListCase(
        "operation check list page",
        "mg_worker",
        lambda cast, t: f"/operations/{_operation(t).pk}/check/",
        _check_lines,
        html_rows(r'<li class="op-line'),
    ),
    ListCase(
        "operation lines API",
        "mg_worker",
        lambda cast, t: f"/api/v1/operations/{_operation(t).pk}/lines?limit=50",
        _check_lines,
        json_rows(),
    ),
    ListCase(
        "people page",
        "community",
        lambda cast, t: f"/people/area/{t['community'].code}/",
        _people,
        html_rows(r"<tr data-person="),
    ),
    ListCase(
        "people API",
        "community",
        lambda cast, t: f"/api/v1/people?area={t['community'].code}&limit=50",
        _people,
        json_rows(),
    ),
    ListCase(
        "notifications page",
        "resident",
        lambda cast, t: "/notifications/",
        _notifications,
        html_rows(r'data-notification="'),
    ),
    ListCase(
        "notifications API",
        "resident",
        lambda cast, t: "/api/v1/notifications?limit=50",
        _notifications,
        json_rows(),
    ),
    ListCase(
        "points: my statement",
        "mg_worker",
        lambda cast, t: "/points/",
        _transfers("mg_worker"),
        html_rows(r'data-testid="statement-line"'),
    ),
    ListCase(
        "points: a person's statement",
        "district",
        lambda cast, t: f"/points/people/{cast.mg_worker.pk}/",
        _transfers("mg_worker"),
        html_rows(r'data-testid="statement-line"'),
    ),
    ListCase(
        "points API statement",
        "resident",
        lambda cast, t: "/api/v1/points/statement",
        _transfers("resident"),
        json_rows("lines"),
    ),
    ListCase(
        "posts API",
        "resident",
        lambda cast, t: f"/api/v1/posts?area={t['district'].code}&limit=50",
        _posts,
        json_rows(),
    ),
    ListCase(
        "posts registry page",
        "district",
        lambda cast, t: "/posts/manage/",
        _posts,
        html_rows(r"<tr data-post="),
    ),
    ListCase(
        "posts registry API",
        "district",
        lambda cast, t: "/api/v1/posts/manage",
        _posts,
        json_rows(),
    ),
    ListCase(
        "hub page: its child hubs with their figures",
        "resident",
        _hub_url("hubs/<id>/"),
        _compound_hubs,
        html_rows(r"<tr data-hub="),
    ),
    ListCase(
        "hub API: its child hubs",
        "resident",
        _hub_url("api/v1/hubs/<id>"),
        _compound_hubs,
        json_rows("children"),
    ),
    ListCase(
        "hub figures API: the children's figures",
        "resident",
        _hub_url("api/v1/hubs/<id>/figures"),
        _compound_hubs,
        json_rows("children"),
    ),
    ListCase(
        "hubs API",
        "resident",
        lambda cast, t: "/api/v1/hubs?limit=100",
        _compound_hubs,
        json_rows(),
    ),
    ListCase(
        "hubs registry page",
        "district",
        lambda cast, t: "/hubs/manage/",
        _compound_hubs,
        html_rows(r"<tr data-hub="),
    ),
    ListCase(
        "activities page",
        "resident",
        lambda cast, t: "/volunteering/",
        _activities("upcoming"),
        html_rows(r'<li class="vol-card" data-activity='),
    ),
    ListCase(
        "activities API",
        "resident",
        lambda cast, t: "/api/v1/volunteering/activities",
        _activities("upcoming"),
        json_rows(""),
    ),
    ListCase(
        "activities managed, past",
        "district",
        lambda cast, t: "/volunteering/manage/?when=past",
        _activities("past"),
        html_rows(r"<tr data-activity="),
    ),
    ListCase(
        "households with their last visit",
        "mg_worker",
        lambda cast, t: "/households/",
        lambda cast, t, n: _visited_households(cast, t, n),
        html_rows(r'<li class="hh-card" data-household='),
    ),
    ListCase(
        "my visits",
        "mg_worker",
        lambda cast, t: "/visits/",
        lambda cast, t, n: _visited_households(cast, t, n),
        html_rows(r"data-visit="),
    ),
    ListCase(
        "visits of my area",
        "community",
        lambda cast, t: "/visits/?all=1",
        lambda cast, t, n: _visited_households(cast, t, n),
        html_rows(r"data-visit="),
    ),
    ListCase(
        "visits API",
        "community",
        lambda cast, t: "/api/v1/visits?limit=100",
        lambda cast, t, n: _visited_households(cast, t, n),
        json_rows(),
    ),
    ListCase(
        "audit log",
        "district",
        lambda cast, t: "/people/audit/",
        _audit,
        html_rows(r'<li class="card audit-entry"'),
    ),
    ListCase(
        "household binding requests page",
        "mg_worker",
        lambda cast, t: "/households/bindings/",
        lambda cast, t, n: _bindings(cast, t, n),
        html_rows(r'data-binding="'),
    ),
    ListCase(
        "household binding requests API",
        "mg_worker",
        lambda cast, t: "/api/v1/accounts/binding/requests",
        lambda cast, t, n: _bindings(cast, t, n),
        json_rows(""),
    ),
]


def _organisations(cast, territory, n):
    """``n`` organisations of 凤凰社区, each with a leader (a resident) and a person."""
    from tests.factories import OrganisationFactory, OrgMemberFactory

    for _ in range(n):
        org = OrganisationFactory(area=territory["community"])
        OrgMemberFactory(organisation=org, role="leader")
        OrgMemberFactory(organisation=org, resident=None, person=PersonFactory(area=org.area))


def _org_members(cast, territory, n):
    from shezhi.organisations.models import Organisation
    from tests.factories import OrganisationFactory, OrgMemberFactory

    org = Organisation.objects.filter(name="成员组织").first()
    org = org or OrganisationFactory(area=territory["community"], name="成员组织")
    for i in range(n):
        if i % 2:
            OrgMemberFactory(organisation=org, resident=None, person=PersonFactory(area=org.area))
        else:
            OrgMemberFactory(organisation=org)


def _the_org(cast, territory) -> str:
    from shezhi.organisations.models import Organisation

    return f"/organisations/{Organisation.objects.get(name='成员组织').pk}/"


OTHER_LISTS += [
    ListCase(
        "organisations registry page",
        "community",
        lambda cast, t: "/organisations/",
        _organisations,
        html_rows(r'<tr data-org="'),
    ),
    ListCase(
        "organisations API",
        "community",
        lambda cast, t: "/api/v1/organisations",
        _organisations,
        json_rows(),
    ),
    ListCase(
        "a community's organisations page",
        "community",
        lambda cast, t: f"/organisations/community/{t['community'].code}/",
        _organisations,
        html_rows(r'data-org="'),
    ),
    ListCase(
        "an organisation's members",
        "community",
        _the_org,
        _org_members,
        html_rows(r'<tr data-member="'),
    ),
]


@pytest.mark.parametrize("case", OTHER_LISTS, ids=lambda c: c.name)
def test_other_lists_read_the_same_queries_for_5_rows_as_for_50(client, cast, territory, case):
    assert_flat(client, cast, territory, case)


# ---------------------------------------------------------------------------
# The events' work pages: 我的任务 inbox, the dispatcher's queue and its tabs, the
# department's page (events/views_work.py). Each row offers one-tap buttons (and the
# dispatch form's choices) decided for the page at once.


def _work_world(cast, territory):
    """The cast of the work pages, micro1's worker on the roster as its responsible
    worker; the two categories the rows use (the grid's own, a department's)."""
    from shezhi.events.models import Category
    from shezhi.people.models import Assignment
    from tests.factories import AssignmentFactory

    cast.assemble("resident", "resident2", "mg_worker", "grid_worker", "community", "district")
    cast.assemble("dept_cg", "dept_zj")
    if not Assignment.objects.exists():
        person = PersonFactory(area=territory["micro1"], name="李明", user=cast.mg_worker)
        AssignmentFactory(person=person, role=Assignment.Role.RESPONSIBLE_WORKER)
    return Category.objects.get(code="0101"), Category.objects.get(code="0301")


def _work_events(cast, territory, n: int, *, micro2: bool = True, **fields) -> list:
    """``n`` more events with ``fields``, of five kinds in turn (so that 5 rows show each):
    in micro1 or (``micro2``) micro2, of a category the grid solves or a department's,
    with a "me too", whistled to two departments (rated or not, reported in or not)."""
    from shezhi.events.models import EventFollower
    from tests.factories import (
        EventFactory,
        EventFollowerFactory,
        WhistleFactory,
        WhistleSummonsFactory,
    )

    grid_can_solve, department_job = _work_world(cast, territory)
    now = timezone.now()
    events = []
    for i in range(n):
        kind = i % 5
        reporter = cast.resident if kind % 2 else cast.resident2
        event = EventFactory(
            area=territory["micro2" if micro2 and kind >= 3 else "micro1"],
            category=grid_can_solve if kind % 2 else department_job,
            submitted_by=reporter,
            created_at=now - dt.timedelta(hours=n - i),
            **fields,
        )
        EventFollowerFactory(event=event, user=reporter, kind=EventFollower.Kind.REPORTER)
        if kind == 1:
            EventFollowerFactory(event=event, user=cast.resident2)
        if kind in (2, 3):
            whistle = WhistleFactory(
                event=event, area=territory["community"], blown_by=cast.community
            )
            WhistleSummonsFactory(
                whistle=whistle, department=cast.cg, rating=3 if kind == 3 else None
            )
            WhistleSummonsFactory(
                whistle=whistle, department=cast.zj, reported_in_at=now if kind == 3 else None
            )
        events.append(event)
    return events


def _handled_by(**handler):
    """Events dispatched to ``handler`` (a cast attribute's user, department or area),
    dispatched, accepted or deferred in turn, their deadlines around now."""

    def build(cast, territory, n):
        from shezhi.events.models import Event

        values = {
            k: (getattr(cast, v) if k in ("handler_user", "handler_department") else v)
            for k, v in handler.items()
        }
        if "handler_area" in values:
            values["handler_area"] = territory[values["handler_area"]]
        now = timezone.now()
        states = [Event.State.DISPATCHED, Event.State.ACCEPTED, Event.State.DEFERRED]
        for i, e in enumerate(_work_events(cast, territory, n)):
            Event.objects.filter(pk=e.pk).update(
                state=states[i % 3], deadline_at=now + dt.timedelta(hours=i - 3), **values
            )

    return build


def _in_state(state, *, micro2: bool = True, **more):
    """Events in ``state`` with ``more`` (``handler_user`` names a cast attribute,
    ``handler_area`` an area of the territory; ``owner``: the territory's area holding
    them; ``overdue``: a deadline an hour ago)."""

    def build(cast, territory, n):
        from shezhi.events.models import Event

        values = dict(more)
        if "handler_user" in values:
            values["handler_user"] = getattr(cast, values["handler_user"])
        if "handler_area" in values:
            values["handler_area"] = territory[values["handler_area"]]
        if "owner" in values:
            owner = territory[values.pop("owner")]
            values.update(owner_area=owner, owner_path=owner.path)
        if values.pop("overdue", False):
            values["deadline_at"] = timezone.now() - dt.timedelta(hours=1)
        for e in _work_events(cast, territory, n, micro2=micro2):
            Event.objects.filter(pk=e.pk).update(state=state, **values)

    return build


_CARD = html_rows(r'data-testid="event-card"')
_QUEUE = "/events/queue/510113/?tab="


def _queue_tab(tab: str, url: str = _QUEUE):
    return lambda cast, t: f"{url}{tab}"


WORK_PAGES = [
    ListCase(
        "inbox, community staff",
        "community",
        lambda cast, t: "/events/inbox/",
        _handled_by(handler_kind="community", handler_area="community"),
        _CARD,
    ),
    ListCase(
        "inbox, micro-grid worker",
        "mg_worker",
        lambda cast, t: "/events/inbox/",
        _handled_by(handler_kind="worker", handler_user="mg_worker"),
        _CARD,
    ),
    ListCase(
        "inbox, micro-grid worker: waiting in the grid",
        "mg_worker",
        lambda cast, t: "/events/inbox/",
        _in_state("registered", micro2=False),
        _CARD,
    ),
    ListCase(
        "inbox, grid worker: to verify",
        "grid_worker",
        lambda cast, t: "/events/inbox/",
        _in_state("handled", handler_kind="worker", handler_user="mg_worker"),
        _CARD,
    ),
    ListCase(
        "inbox, department staff",
        "dept_cg",
        lambda cast, t: "/events/inbox/",
        _handled_by(handler_kind="department", handler_department="cg"),
        _CARD,
    ),
    ListCase(
        # And two in five whistled to it: summonses to report in to.
        "department page",
        "dept_cg",
        lambda cast, t: "/events/department/",
        _handled_by(handler_kind="department", handler_department="cg"),
        _CARD,
    ),
    ListCase("queue, district: to_register", "district", _queue_tab("to_register"),
             _in_state("reported"), _CARD),
    ListCase("queue, district: to_dispatch", "district", _queue_tab("to_dispatch"),
             _in_state("registered"), _CARD),
    ListCase("queue, district: returned", "district", _queue_tab("returned"),
             _in_state("returned"), _CARD),
    ListCase("queue, district: overdue", "district", _queue_tab("overdue"),
             _in_state("accepted", handler_kind="worker", handler_user="mg_worker",
                       overdue=True), _CARD),
    ListCase("queue, district: deferral", "district", _queue_tab("deferral"),
             _in_state("deferral_requested", handler_kind="community",
                       handler_area="community"), _CARD),
    ListCase("queue, district: to_verify", "district", _queue_tab("to_verify"),
             _in_state("handled", on_spot=True, spot_check=True), _CARD),
    ListCase("queue, community: escalated", "community",
             _queue_tab("escalated", url="/events/queue/510113001001/?tab="),
             _in_state("registered", escalation_count=1, owner="community"), _CARD),
]  # fmt: skip


@pytest.mark.parametrize("case", WORK_PAGES, ids=lambda c: c.name)
def test_work_pages_read_the_same_queries_for_5_rows_as_for_50(client, cast, territory, case):
    assert_flat(client, cast, territory, case)


# ---------------------------------------------------------------------------
# The events list API and "my reports" (events/api.py list_events,
# events/views_report.py my_reports)


def _event_rows(cast, territory, n: int) -> None:
    """``n`` more events in micro1, each reported by the resident (followed), every
    other one with a "me too" from resident2, dispatched in turns to the worker, the
    community or a department, with deadlines (so each row shows an SLA colour)."""
    from shezhi.events.models import Category, Event, EventFollower
    from tests.factories import EventFactory, EventFollowerFactory

    cast.assemble("resident", "resident2", "mg_worker", "community", "district", "dept_cg")
    category = Category.objects.get(code="0101")
    now = timezone.now()
    kinds = [
        {"handler_kind": "worker", "handler_user": cast.mg_worker},
        {"handler_kind": "community", "handler_area": territory["community"]},
        {"handler_kind": "department", "handler_department": cast.cg},
    ]
    for i in range(n):
        event = EventFactory(
            area=territory["micro1"],
            category=category,
            submitted_by=cast.resident,
            state=Event.State.DISPATCHED,
            created_at=now - dt.timedelta(minutes=i),
            deadline_at=now + dt.timedelta(hours=i % 3 - 1),
            warn_at=now - dt.timedelta(hours=1),
            **kinds[i % 3],
        )
        EventFollowerFactory(event=event, user=cast.resident, kind=EventFollower.Kind.REPORTER)
        if i % 2:
            EventFollowerFactory(event=event, user=cast.resident2)


EVENT_LISTS = [
    ("events API, community staff", "community", "/api/v1/events?limit=100"),
    ("events API, district admin, state", "district", "/api/v1/events?limit=100&state=dispatched"),
    ("events API, department staff", "dept_cg", "/api/v1/events?limit=100"),
    ("events API, mine", "resident", "/api/v1/events?limit=100&mine=true"),
    ("events API, sla", "district", "/api/v1/events?limit=100&sla=yellow"),
    ("events API, handler=me", "mg_worker", "/api/v1/events?limit=100&handler=me"),
    ("my reports", "resident", "/events/mine/"),
    ("my reports, a me too's", "resident2", "/events/mine/"),
]


@pytest.mark.parametrize(("name", "role", "url"), EVENT_LISTS, ids=[c[0] for c in EVENT_LISTS])
def test_event_lists_cost_the_same_queries_for_5_rows_as_for_50(
    client, shared_cast, territory, name, role, url
):
    from shezhi.events import default_categories
    from shezhi.events.models import Category

    default_categories.load(Category)
    counts = []
    for n in (FEW, MANY - FEW):
        _event_rows(shared_cast, territory, n)
        client.force_login(getattr(shared_cast, role))
        client.get(url)  # warm the session and the per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, name
        counts.append(len(queries))
        if url.startswith("/api/"):
            assert len(response.json()["items"]) > 0, name
    assert counts[0] == counts[1], (name, counts)


# ---------------------------------------------------------------------------
# The three lists (issue 16 §3): a needs list's items (staff page, API, the public page
# and its API) and the resource list (page and API).


def _needs_list(territory):
    from shezhi.lists.models import NeedsList
    from tests.factories import NeedsListFactory

    found = NeedsList.objects.filter(edition="q").first()
    return found or NeedsListFactory(
        area=territory["community"], edition="q", published_at=timezone.now()
    )


def _list_items(cast, territory, n):
    from tests.factories import DemandFactory, NeedItemFactory, RatingFactory

    cast.assemble("resident", "community")
    needs_list = _needs_list(territory)
    for i in range(n):
        demand = DemandFactory(submitter=cast.resident, group__area=territory["community"])
        item = NeedItemFactory(
            needs_list=needs_list, status="delivered" if i % 2 else "published", residents=1
        )
        item.groups.add(demand.group)
        if i % 4 == 1:
            RatingFactory(item=item, score=4)


def _resources(cast, territory, n):
    from tests.factories import ResourceFactory

    for _ in range(n):
        ResourceFactory(area=territory["community"])


LIST_CASES = [
    ListCase(
        "needs list curation page",
        "community",
        lambda cast, t: f"/lists/{_needs_list(t).pk}/",
        _list_items,
        html_rows(r"<tr data-item="),
    ),
    ListCase(
        "needs list items API",
        "community",
        lambda cast, t: "/api/v1/lists/items?limit=100",
        _list_items,
        json_rows(),
    ),
    ListCase(
        "public needs list page",
        "resident",
        lambda cast, t: f"/lists/public/{t['community'].code}/",
        _list_items,
        html_rows(r'<li class="list-card"'),
    ),
    ListCase(
        "public needs list API",
        "resident",
        lambda cast, t: f"/api/v1/lists/public/{t['community'].code}?limit=100",
        _list_items,
        json_rows(),
    ),
    ListCase(
        "resource list page",
        "community",
        lambda cast, t: "/lists/resources/",
        _resources,
        html_rows(r"<tr data-resource="),
    ),
    ListCase(
        "resource list API",
        "community",
        lambda cast, t: "/api/v1/resources?limit=100",
        _resources,
        json_rows(),
    ),
]


@pytest.mark.parametrize("case", LIST_CASES, ids=lambda c: c.name)
def test_the_three_lists_read_the_same_queries_for_5_rows_as_for_50(client, cast, territory, case):
    assert_flat(client, cast, territory, case)


# ---------------------------------------------------------------------------
# Micro-projects: 身边的项目 (near home first, then the rest of the community)


def _projects(cast, territory, n):
    from tests.factories import ProjectFactory

    for i in range(n):
        ProjectFactory(
            community=territory["community"],
            area=territory["micro1" if i % 2 else "micro2"],
            initiator=cast.resident2,
        )


PROJECT_CASES = [
    ListCase(
        "projects near me page",
        "resident",
        lambda cast, t: "/projects/",
        _projects,
        html_rows(r'<li class="pj-card"'),
    ),
]


@pytest.mark.parametrize("case", PROJECT_CASES, ids=lambda c: c.name)
def test_the_projects_list_reads_the_same_queries_for_5_rows_as_for_50(
    client, cast, territory, case
):
    assert_flat(client, cast, territory, case)
