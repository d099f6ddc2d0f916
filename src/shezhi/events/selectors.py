"""Every read of events that lists, counts or shows; the only place their scope applies.

Who sees an event is ``permissions.scope(user, "view")``'s to say (its reporter and
followers, those working its area, the departments it went to); anyone else gets a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db.models import Case, DateTimeField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models import CharField as CharFieldType
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core import lists  # its knobs (GATHER_MAX), read at call time
from shezhi.core.lists import (
    Count,
    Page,
    Pageable,
    among,
    capped_count,
    capped_counts,
    driven_page,
    settled,
    subtree_q,
    unindexed,
    union_keyset_page,
    union_page,
    within,
)
from shezhi.core.roles import GRID_ROLES
from shezhi.people.models import Assignment, Department, Person, RoleAssignment

from . import permissions
from .models import (
    OPEN_EXCLUDED,
    Category,
    EmergencyPeriod,
    Event,
    EventFollower,
    EventTransition,
    Whistle,
    WhistleSummons,
)
from .permissions import user_departments

S = Event.State
OPEN_STATES = [s for s in S.values if s not in OPEN_EXCLUDED]
# States in which somebody is handling it against the clock.
CLOCK_STATES = [S.DISPATCHED, S.ACCEPTED, S.DEFERRAL_REQUESTED]


def visible_events(user) -> QuerySet[Event]:
    qs = Event.objects.all()
    cond = permissions.scope(user, "view")
    if cond is None:
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(cond)


def get_event(user, pk) -> Event:
    try:
        return (
            visible_events(user)
            .select_related(
                "category__parent",
                "area",
                "owner_area",
                "handler_user",
                "handler_area",
                "handler_department",
                "reporter",
                "master",
            )
            .get(pk=int(pk))
        )
    except (Event.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


# ---------------------------------------------------------------------------
# The SLA colour: one definition, for a row and for a queryset


def sla_colour(event: Event, now: datetime | None = None) -> str:
    """green (< 80 % of the working time used), yellow (80–100 %), red (overdue), or ''."""
    if event.deadline_at is None or event.state not in CLOCK_STATES:
        return ""
    now = now or timezone.now()
    if now >= event.deadline_at:
        return "red"
    if event.warn_at and now >= event.warn_at:
        return "yellow"
    return "green"


def with_sla(qs: QuerySet[Event], now: datetime | None = None) -> QuerySet[Event]:
    now = now or timezone.now()
    return qs.annotate(
        sla=Case(
            When(~Q(state__in=CLOCK_STATES) | Q(deadline_at__isnull=True), then=Value("")),
            When(deadline_at__lte=now, then=Value("red")),
            When(warn_at__lte=now, then=Value("yellow")),
            default=Value("green"),
            output_field=CharFieldType(),
        )
    )


SLA_ORDER = {"red": 0, "yellow": 1, "green": 2, "": 3}


def sla_q(colour: str, now: datetime | None = None) -> Q:
    """The events of one SLA colour, as ``sla_colour`` defines it, written on the clock
    states and the deadline columns themselves so an index answers it (the
    (state, deadline_at) and (state, warn_at) indexes), not as the CASE of ``with_sla``."""
    now = now or timezone.now()
    clock = Q(state__in=CLOCK_STATES)
    if colour == "red":
        return clock & Q(deadline_at__lte=now)
    if colour == "yellow":
        return clock & Q(deadline_at__gt=now, warn_at__lte=now)
    if colour == "green":
        return clock & Q(deadline_at__gt=now) & (Q(warn_at__isnull=True) | Q(warn_at__gt=now))
    raise ValueError(f"No SLA colour {colour!r}.")


# ---------------------------------------------------------------------------
# Lists for each kind of user


# What no list shows of an event: the reporter's contact, encrypted at rest. Loaded, each
# row's would be decrypted (two Fernet decryptions a row) only to be thrown away; the
# event's own page reads them, masked, through its own fetch.
LIST_DEFERRED = ("contact_name", "contact_phone")


def _base(qs):
    return qs.select_related("category", "area", "handler_department").defer(*LIST_DEFERRED)


# A deadline that never comes, for the events without one: last in a list by deadline,
# and a key a cursor can hold (a keyset's keys are never null). Far enough, and not so
# far that the local time of it overflows.
NO_DEADLINE = datetime(9999, 1, 1, tzinfo=UTC)


def with_urgency(qs: QuerySet[Event], now: datetime | None = None) -> QuerySet[Event]:
    """``qs`` with ``urgency`` (the SLA colour's rank, ``SLA_ORDER``: red 0, yellow 1,
    green 2, no clock 3) and ``due`` (the deadline, ``NO_DEADLINE`` without one): the
    keys of a list "most urgent first" (``INBOX_ORDER``) that pages by cursor."""
    now = now or timezone.now()
    return qs.annotate(
        urgency=Case(
            When(~Q(state__in=CLOCK_STATES) | Q(deadline_at__isnull=True), then=Value(3)),
            When(deadline_at__lte=now, then=Value(0)),
            When(warn_at__lte=now, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        due=Coalesce("deadline_at", Value(NO_DEADLINE, output_field=DateTimeField())),
    )


# The inbox's order: red, yellow, green, then without a clock; by deadline within each.
INBOX_ORDER = ("urgency", "due", "id")
INBOX_STATES = (S.DISPATCHED, S.ACCEPTED, S.DEFERRAL_REQUESTED, S.DEFERRED, S.HANDLED)


def handler_inbox(user, now: datetime | None = None) -> QuerySet[Event]:
    """What the user must act on as a handler, most urgent first (``INBOX_ORDER``)."""
    now = now or timezone.now()
    qs = Event.objects.filter(permissions.scope(user, "handle"), state__in=INBOX_STATES)
    return with_urgency(with_sla(_base(qs), now), now).order_by(*INBOX_ORDER)


# What waits in a grid for its grid workers to take on.
GRID_WAITING = (S.REPORTED, S.REGISTERED, S.RETURNED)


def grid_waiting(user, area) -> QuerySet[Event]:
    """Events in ``area`` (a grid the user works) waiting to be registered or dispatched
    (小事不出网格), oldest first."""
    qs = visible_events(user).filter(subtree_q("area_path", area.path), state__in=GRID_WAITING)
    return qs.order_by("created_at", "id")


DISPATCHER_TABS = ("to_register", "to_dispatch", "returned", "overdue", "deferral", "to_verify",
                   "escalated")  # fmt: skip


def _queue_tab(visible: QuerySet[Event], area, tab: str, now: datetime) -> QuerySet[Event]:
    """``visible`` events in the queue of ``area``'s tab ``tab``, unordered.

    The level holding an event (``owner_path``) and where it is (``area_path``) are
    subtrees written as path ranges (``core.lists.subtree_q``), which an index answers.
    """
    if tab == "to_verify":
        return visible.filter(subtree_q("area_path", area.path), state=S.HANDLED)
    held = visible.filter(subtree_q("owner_path", area.path))
    if tab == "to_register":
        return held.filter(state=S.REPORTED)
    if tab == "to_dispatch":
        return held.filter(state=S.REGISTERED)
    if tab == "returned":
        return held.filter(state=S.RETURNED)
    if tab == "overdue":
        # Overdue events are few, spread over the year: read them as a set from the
        # (state, deadline_at) index (``among``), never by walking every event oldest
        # first until 50 turn up (PostgreSQL's choice for the LIMIT: 500 ms).
        late = Event.objects.filter(state__in=CLOCK_STATES, deadline_at__lte=now)
        return held.filter(among("pk", late.values("pk")))
    if tab == "deferral":
        return held.filter(state=S.DEFERRAL_REQUESTED)
    if tab == "escalated":
        return held.filter(owner_area=area, escalation_count__gt=0, state__in=OPEN_STATES)
    raise Http404


def dispatcher_queue(user, area, tab: str, now: datetime | None = None) -> QuerySet[Event]:
    """The dispatcher's queue for ``area`` (already checked to be in the user's scope),
    oldest first (``created_at, id``: the order of ``QUEUE_ORDER``'s keyset pages)."""
    now = now or timezone.now()
    qs = _queue_tab(visible_events(user), area, tab, now)
    return with_sla(_base(qs), now).order_by(*QUEUE_ORDER)


QUEUE_ORDER = ("created_at", "id")


def queue_counts(user, area, now: datetime | None = None) -> dict[str, Count]:
    """How many events wait in each tab of ``area``'s queue, each capped ("1,000+";
    ``core.lists.capped_counts``), all in one statement."""
    now = now or timezone.now()
    visible = visible_events(user)
    return capped_counts({tab: _queue_tab(visible, area, tab, now) for tab in DISPATCHER_TABS})


def department_queue(user, now: datetime | None = None) -> QuerySet[Event]:
    """Dispatched to the user's departments, or whistled to them and not yet closed,
    by deadline (``DEPARTMENT_ORDER``)."""
    now = now or timezone.now()
    departments = user_departments(user)
    if not departments:
        return Event.objects.none()
    # The summoned events read first, as a list of ids: a per-row EXISTS made the
    # database visit every event, and so does ``OR id IN (SELECT …)`` on PostgreSQL (a
    # filter on a sequential scan), where ``OR id IN (1, 2, …)`` is an index lookup on
    # both databases. Open whistles are few.
    summoned = set(
        Whistle.objects.filter(
            closed_at__isnull=True, summonses__department_id__in=departments
        ).values_list("event_id", flat=True)
    )
    qs = Event.objects.filter(
        Q(handler_department_id__in=departments, state__in=OPEN_STATES) | Q(pk__in=summoned)
    )
    return with_urgency(with_sla(_base(qs), now), now).order_by(*DEPARTMENT_ORDER)


# The department's events by deadline, those without one last (``with_urgency``'s ``due``).
DEPARTMENT_ORDER = ("due", "id")


def open_summonses(user) -> QuerySet[WhistleSummons]:
    """Summonses the user's departments must still report in to, soonest first."""
    return (
        WhistleSummons.objects.filter(
            department_id__in=user_departments(user),
            reported_in_at__isnull=True,
            whistle__closed_at__isnull=True,
        )
        .select_related("whistle__event__category", "department")
        .order_by("due_at")
    )


def my_reports(user) -> QuerySet[Event]:
    """The events the user reported or said "me too" to, newest first."""
    if not user.is_authenticated:
        return Event.objects.none()
    return _base(Event.objects.filter(permissions.followed(user))).order_by("-created_at", "-id")


def my_reports_pages(user) -> Pageable:
    """``my_reports`` for a Paginator, flat however long the history.

    The count is read from the follower index (user, event) alone. A page merges two
    newest-first streams that together are exactly what the user follows: their own
    reports, walked in (reporter, created_at, id) and checked against what they
    follow, and the others they follow ("me too", a few), gathered and sorted.
    """
    if not user.is_authenticated:
        return Pageable(count=lambda: 0, rows=lambda offset, limit: [])
    return Pageable(
        # One follower row per event and user (one_follow_per_user).
        count=lambda: EventFollower.objects.filter(user=user).count(),
        rows=lambda offset, limit: union_page(
            _base(Event.objects.all()),
            _follow_streams(user),
            order=EVENT_ORDER,
            limit=limit,
            offset=offset,
        ),
    )


def _follow_count(user) -> Count:
    """How many events ``user`` follows, as ``driven_page`` counts them with that one
    set: exact up to ``GATHER_MAX`` (gathered), else capped at ``COUNT_CAP`` (walked).
    From the follower index (one row per event and user)."""
    gather, cap = lists.GATHER_MAX, lists.COUNT_CAP
    n = capped_count(EventFollower.objects.filter(user=user), max(gather, cap))
    if n.capped or n.value > gather:
        return Count(min(n.value, cap), capped=n.capped or n.value > cap)
    return n


def _follow_streams(user) -> list[QuerySet[Event]]:
    """What ``user`` follows as two disjoint newest-first streams: their own reports,
    walked in (reporter, created_at, id) and checked against what they follow, and the
    others they follow ("me too", a few), gathered and sorted."""
    follows = permissions.followed(user)
    own = Event.objects.filter(reporter_id=user.pk).filter(unindexed(follows))
    others = Event.objects.filter(follows).exclude(reporter_id=user.pk)
    return [own, others]


# The API's list, newest first: the order of the (state, created_at, owner_path) and
# (created_at) indexes (the id breaks a tie of the moment).
EVENT_ORDER = ("-created_at", "-id")


@dataclass(frozen=True)
class EventFilter:
    """What a list of events asks for (each empty value: no filter)."""

    states: tuple[str, ...] = ()
    category: str = ""  # a subcategory's code, or a class's for all of it
    area: Area | None = None  # already checked to be in the user's scope
    source: str = ""
    sla: str = ""
    reported_from: datetime | None = None
    reported_before: datetime | None = None
    mine: bool | None = None
    handler_me: bool = False


def event_page(
    user,
    want: EventFilter,
    *,
    limit: int,
    after: str | None = None,
    offset: int = 0,
    rows: QuerySet[Event] | None = None,
    now: datetime | None = None,
) -> Page:
    """A page of the events ``user`` may see that match ``want``, newest first, with the
    count (exact when the page was gathered from a small set; else capped at
    ``core.lists.COUNT_CAP``) and the cursor of the next page.

    The filters that an index answers as a set (my inbox, what I follow, an SLA
    colour, an area, the states, the dates, the user's scope, a category) are tried
    in that order, the likeliest small first; see ``core.lists.driven_page``.
    ``rows``: the queryset the rows come from (its joins); each row carries ``sla``.
    """
    now = now or timezone.now()
    base = rows if rows is not None else Event.objects.all()
    if want == EventFilter(mine=True) and user.is_authenticated:
        # Only what I follow (always inside my scope, which admits it): my reports
        # and my "me too"s merged newest first, as "my reports" pages them, where
        # driven_page gathered and sorted all of them (a long history: 3,000 rows).
        return union_keyset_page(
            with_sla(base, now),
            _follow_streams(user),
            order=EVENT_ORDER,
            limit=limit,
            after=after,
            offset=offset,
            field_name="after",
            count=_follow_count(user),
        )
    scope = permissions.scope(user, "view")
    if scope is not None and not user.is_authenticated:
        scope = Q(pk__in=[])
    sets: list[Q] = []
    walk = Q()
    rest = Q()
    if want.handler_me:
        sets.append(among("pk", handler_inbox(user).order_by().values("pk")))
    if want.mine:
        sets.append(permissions.followed(user))
    elif want.mine is False:
        rest &= ~permissions.followed(user)
    if want.sla:
        sets.append(sla_q(want.sla, now))
    if want.area is not None:
        area = subtree_q("area_path", want.area.path)
        # The user's scope inside the area, arm by arm (``within``): a department's
        # events in a community are a range of its (handler_department, area_path)
        # index, a few thousand where the department's and the area's are each tens of
        # thousands (department staff, ``area=<community>``: the page walked 457 ms).
        # The arms that read ids from a subquery (what I follow, what summoned my
        # department) read once into the few ids inside the area (``settled``): the
        # set is sized, counted and its keys read, each time looking every summoned
        # event up (department staff, ``area=<community>``: 17 ms a statement).
        sets.append(area if scope is None else settled(Event, within(scope, area)))
    if len(want.states) == 1:
        # The (state, created_at, owner_path) index walks one state newest first.
        walk &= Q(state=want.states[0])
        sets.append(walk)
    elif want.states:
        sets.append(Q(state__in=sorted(want.states)))
    dates = Q()
    if want.reported_from:
        dates &= Q(created_at__gte=want.reported_from)
    if want.reported_before:
        dates &= Q(created_at__lt=want.reported_before)
    if dates:
        walk &= dates
        sets.append(dates)
    category = Q()
    if want.category:
        # The ids themselves, not a subquery: PostgreSQL estimates a list of values from
        # its statistics, where ``IN (SELECT …)`` read as a join made it scan the table
        # (a quiet subcategory with a rare source: 700 ms). A few rows, one query.
        classes = Category.objects.filter(Q(code=want.category) | Q(parent__code=want.category))
        category = Q(category_id__in=sorted(classes.values_list("pk", flat=True)))
    if want.source and (category or want.states):
        # A source with a category or states: one range of the (source, category, state,
        # area_path) index, often a small set where each alone is large (API reports
        # voided: 2,000 of 50,000 and 40,000). Tried first when small enough to gather
        # from, else left out: a set of 8,000 would be read whole where walking the
        # order with the others (PostgreSQL from that index too) stops after a page.
        combined = Q(source=want.source) & category
        if want.states:
            combined &= Q(state__in=sorted(want.states))
        if not capped_count(Event.objects.filter(combined), lists.GATHER_MAX).capped:
            sets.insert(0, combined)
    if scope is not None:
        sets.append(scope)
    if category:
        sets.append(category)
    if want.source:
        rest &= Q(source=want.source)
    return driven_page(
        with_sla(base, now),
        sets=sets,
        walk=walk,
        rest=rest,
        order=EVENT_ORDER,
        limit=limit,
        after=after,
        offset=offset,
        field_name="after",
    )


def timeline(user, event: Event) -> list[EventTransition]:
    """The event's history; the reporter's own steps are anonymous to others if asked."""
    rows = list(event.transitions.select_related("actor").order_by("at", "id"))
    # Nobody but the reporter, superusers included: anonymity is the reporter's choice.
    hide = event.anonymous and event.reporter_id != user.pk
    for row in rows:
        row.actor_hidden = bool(hide and row.actor_id and row.actor_id == event.reporter_id)
    return rows


def report_origin(event: Event) -> dict:
    """Where the report came from beyond its source (``report_event``'s ``origin``):
    ``{"visit": id}`` for a hazard found on a household visit; {} otherwise."""
    data = (
        EventTransition.objects.filter(event=event, action="report")
        .values_list("data", flat=True)
        .first()
    )
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k != "source"}


def categories() -> QuerySet[Category]:
    return (
        Category.objects.filter(active=True).select_related("parent").order_by("sort_order", "code")
    )


def category_tree() -> list[tuple[Category, list[Category]]]:
    rows = list(categories())
    tops = [c for c in rows if c.parent_id is None]
    return [(t, [c for c in rows if c.parent_id == t.pk]) for t in tops]


def public_events(*, bbox=None, since=None, limit: int = 2000) -> list[dict]:
    """Open and closed events for the public map: no personal data, no description.

    The point is rounded to about 100 m so no doorway can be picked out.
    """
    qs = Event.objects.exclude(state__in=[S.VOIDED, S.MERGED])
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if bbox is not None:
        w, s, e, n = bbox
        qs = qs.filter(lng__gte=w, lng__lte=e, lat__gte=s, lat__lte=n)
    rows = qs.order_by("-created_at").values(
        "pk", "lng", "lat", "state", "created_at", "closed_at", "category__name",
        "category__parent__name",
    )[:limit]  # fmt: skip
    return [
        {
            "id": r["pk"],
            "lng": round(r["lng"], 3),
            "lat": round(r["lat"], 3),
            "open": r["state"] not in OPEN_EXCLUDED,
            "category": r["category__name"],
            "class": r["category__parent__name"],
            "reported_on": timezone.localtime(r["created_at"]).date().isoformat(),
            "closed_on": (
                timezone.localtime(r["closed_at"]).date().isoformat() if r["closed_at"] else None
            ),
        }
        for r in rows
    ]


def active_emergency_periods(area, now: datetime) -> list:
    """Emergency periods in force over ``area``: on it or on an area above it."""
    return list(
        EmergencyPeriod.objects.filter(area__path__in=Area.lineage(area.path), started_at__lte=now)
        .exclude(ended_at__lte=now)
        .select_related("area", "started_by")
        .defer("area__boundary")
        .order_by("started_at")
    )


def grid_worker_choices(event: Event) -> list[tuple[int, str]]:
    """Grid workers serving where the event is (its area or a grid above it), nearest first."""
    return _grid_worker_choices([event])[event.pk]


def _grid_worker_choices(events) -> dict[int, list[tuple[int, str]]]:
    """``grid_worker_choices`` of each of ``events``: one read of the roles over all their
    areas' lineages, each event keeping those over its own."""
    lineages = {e.pk: Area.lineage(e.area_path) for e in events}
    rows = (
        RoleAssignment.objects.filter(
            role__in=GRID_ROLES, area__path__in={p for paths in lineages.values() for p in paths}
        )
        .select_related("user", "area")
        .defer("area__boundary")
        .order_by("-area__depth", "user__username", "pk")
    )
    active = [ra for ra in rows if ra.user.is_active]
    names = display_names(ra.user_id for ra in active)
    labels: dict[str, str] = {}
    by_path: dict[str, list] = {}
    for ra in active:  # in the order above: each path's rows by name
        labels.setdefault(ra.role, ra.get_role_display())
        by_path.setdefault(ra.area.path, []).append(ra)
    out = {}
    for event_id, lineage in lineages.items():
        seen: dict[int, str] = {}
        for path in reversed(lineage):  # nearest first: one area per depth
            for ra in by_path.get(path, ()):
                if ra.user_id not in seen:
                    name = names.get(ra.user_id, ra.user.get_username())
                    seen[ra.user_id] = f"{name} · {labels[ra.role]}"
        out[event_id] = list(seen.items())
    return out


def display_names(user_ids) -> dict[int, str]:
    """How people are named on event pages: their roster name, else their full name,
    else (only when nothing else is known) their sign-in name. One query each way."""

    ids = {u for u in user_ids if u}
    if not ids:
        return {}
    names = {}
    for pk, username, first, last in (
        get_user_model()
        .objects.filter(pk__in=ids)
        .values_list("pk", "username", "first_name", "last_name")
    ):
        names[pk] = f"{first} {last}".strip() or username
    names.update(
        Person.objects.filter(user_id__in=ids).exclude(name="").values_list("user_id", "name")
    )
    return names


def display_name(user) -> str:
    if user is None:
        return ""
    return display_names([user.pk]).get(user.pk, user.get_username())


@dataclass(frozen=True)
class DispatchDefault:
    """What the dispatch form proposes for an event, wherever it is shown."""

    kind: str  # an Event.HandlerKind value, or "" (the dispatcher chooses)
    worker: int | None  # the micro-grid's responsible worker (user id), if it has one
    department: str  # the category's department (code) in the event's district, or ""


def responsible_worker(event: Event) -> int | None:
    """The user id of the event's micro-grid's responsible worker (active, with a sign-in)."""
    return _responsible_workers([event]).get(event.area_id)


def _responsible_workers(events) -> dict[int, int]:
    """``responsible_worker`` by micro-grid (area id) for the micro-grids of ``events``."""
    micro_grids = {e.area_id for e in events if e.area.level == c.MICRO_GRID}
    if not micro_grids:
        return {}
    first: dict[int, int] = {}
    for area_id, user_id in (
        Assignment.objects.filter(
            area_id__in=micro_grids,
            role=Assignment.Role.RESPONSIBLE_WORKER,
            ended_on__isnull=True,
            person__user__isnull=False,
        )
        .order_by(*Assignment._meta.ordering)
        .values_list("area_id", "person__user_id")
    ):
        first.setdefault(area_id, user_id)
    active = set(
        get_user_model()
        .objects.filter(pk__in=set(first.values()), is_active=True)
        .values_list("pk", flat=True)
    )
    return {area_id: user_id for area_id, user_id in first.items() if user_id in active}


def _dispatch_default(event: Event, departments, worker: int | None) -> DispatchDefault:
    code = event.category.department_code or ""
    if code and not any(d.code == code for d in departments):
        code = ""
    if event.category.grid_can_solve:
        kind = Event.HandlerKind.WORKER
    elif code:
        kind = Event.HandlerKind.DEPARTMENT
    else:
        kind = ""
    return DispatchDefault(kind=kind, worker=worker, department=code)


def dispatch_default(event: Event, departments=None) -> DispatchDefault:
    """The one default of the dispatch form (the queue's row and the event's page):

    a category the grid can solve goes to the micro-grid's own worker; otherwise
    to the category's department when the district has it; otherwise the
    dispatcher chooses. ``departments``: the district's departments, if at hand.
    """
    if departments is None:
        departments = district_departments(event)
    return _dispatch_default(event, departments, responsible_worker(event))


def district_departments(event: Event) -> list[Department]:
    """The departments of the event's district, for dispatch and whistle choices (kept on
    the event for the request)."""
    cached = getattr(event, "_district_departments", None)
    if cached is None:
        cached = _district_departments([event])[event.area_path[: Area.steplen]]
        event._district_departments = cached
    return cached


def _district_departments(events) -> dict[str, list[Department]]:
    """Each district's departments by code, by the district's path, for ``events``."""
    districts = {e.area_path[: Area.steplen] for e in events}
    out: dict[str, list[Department]] = {path: [] for path in districts}
    for d in (
        Department.objects.filter(district__path__in=districts)
        .annotate(district_path=F("district__path"))
        .order_by("code")
    ):
        out[d.district_path].append(d)
    return out


@dataclass(frozen=True)
class DispatchChoices:
    """What the dispatch form offers for one event: its district's departments, the
    default (``dispatch_default``) and the grid workers serving there, nearest first."""

    departments: list[Department]
    default: DispatchDefault
    workers: list[tuple[int, str]]


def dispatch_choices(events) -> dict[int, DispatchChoices]:
    """``DispatchChoices`` of each of ``events`` (by id), for a list's dispatch forms: a
    fixed number of queries however many rows (departments, responsible workers, grid
    workers and their names), the same answers as one event at a time."""
    events = list(events)
    if not events:
        return {}
    departments = _district_departments(events)
    workers = _responsible_workers(events)
    choices = _grid_worker_choices(events)
    out = {}
    for e in events:
        mine = departments[e.area_path[: Area.steplen]]
        e._district_departments = mine
        out[e.pk] = DispatchChoices(
            departments=mine,
            default=_dispatch_default(e, mine, workers.get(e.area_id)),
            workers=choices[e.pk],
        )
    return out


def waits_for(user, event: Event) -> str:
    """What the event waits for from ``user`` as its reporter: "verify", "rate" or ""."""
    if not event.reporter_id or event.reporter_id != user.pk:
        return ""
    if event.state == S.HANDLED:
        own = event.handler_kind == Event.HandlerKind.WORKER and event.handler_user_id == user.pk
        return "" if own else "verify"
    if event.state == S.CLOSED and not (
        event.rated_at and event.closed_at and event.rated_at >= event.closed_at
    ):
        return "rate"
    return ""


def waits_for_q(user) -> Q:
    """``waits_for``'s rule as a filter: the user's own reports that wait for them."""
    own = Q(handler_kind=Event.HandlerKind.WORKER, handler_user_id=user.pk)
    rated = Q(rated_at__isnull=False, closed_at__isnull=False, rated_at__gte=F("closed_at"))
    return Q(reporter_id=user.pk) & ((Q(state=S.HANDLED) & ~own) | (Q(state=S.CLOSED) & ~rated))


def awaiting_count(user) -> int:
    """How many of the user's own reports wait for them (to confirm or to rate): one
    count in the database, however long their history."""
    if not user.is_authenticated:
        return 0
    return Event.objects.filter(waits_for_q(user)).count()


def own_anonymous_reports(user) -> list[tuple[str, str, str]]:
    """(id, number, page) of the events ``user`` reported anonymously: their own points
    statement resolves its private causes with them (``incentives.causes``; registered
    in ``IncentivesConfig.ready``). Asked for the person's own statement only."""
    mine = Event.objects.filter(reporter_id=user.pk, anonymous=True).only("pk", "created_at")
    return [(str(e.pk), e.number, reverse("events:detail", args=[e.pk])) for e in mine]
