"""Who may do what with events: the one place the events app reads roles.

``can(user, action, obj)`` answers one question; ``scope(user, action)`` is the
filter a list applies (None: no limit); ``held_areas(user, action)`` names the
areas a page works over. Views, API handlers, services and selectors ask here and
read no role themselves.

Workflow actions (``workflow.ACTIONS``; ``obj``: the event): allowed when the event's
state is one the action starts from, the user plays one of the action's parties in
the event (``parties``), and no rule beyond those refuses it (``refusal``). What the
rules read beyond the event's row (summonses, follows, whistles) they ask of ``Known``;
a list asks ``allowed_actions_for_page``, whose ``PageKnown`` reads each of those once
for all its rows: the same answers, a fixed number of queries.

Other actions:

- ``view`` (an event): it lies in the user's scope (``scope(user, "view")``);
- ``report`` (a ``Event.Source`` value): may open that source's report page; a
  ``(source, area)`` pair: may enter a report of that source at that place;
- ``spot_handle`` (None, or the area of the point): is a grid worker (there);
- ``see_inbox``: receives tasks (grid workers, community and department staff);
- ``see_queue`` (an area): works its dispatcher's queue (its staff or grid workers);
- ``see_department``: acts for a department;
- ``declare_emergency`` (an area): may switch its emergency mode;
- ``rate_summons`` (a ``WhistleSummons``): holds the level that blew the whistle;
- ``be_dispatched`` (an event): may take it on as its worker (serves where it is).

A superuser passes every role check (``holds_role_over``), except that they are no
grid worker (``spot_handle``) and play no part a role does not give them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.lists import among
from shezhi.core.roles import (
    DISPATCHER_ROLES,
    GRID_ROLES,
    HANDLER_ROLES,
    SENIOR_STAFF_ROLES,
    WORKING_ROLES,
    all_but,
)
from shezhi.core.scope import holds_role_over, role_holdings, scope_q, sees_everything
from shezhi.people.models import Department

from .models import Event, EventFollower, Whistle, WhistleSummons
from .workflow import ACTIONS

Source = Event.Source

# Roles that hold areas without opening the individual events in them: all but those
# who work there (residents, department staff, alliance viewers).
NOT_EVENT_ROLES = all_but(WORKING_ROLES)

# Who opens each source's report page: a role held anywhere (None: anyone signed in).
REPORT_PAGE_ROLES: dict[str, tuple[str, ...] | None] = {
    Source.RESIDENT: None,
    Source.PATROL: WORKING_ROLES,
    Source.HOTLINE: DISPATCHER_ROLES,
    Source.ASSIGNED: SENIOR_STAFF_ROLES,
    Source.OPERATION: WORKING_ROLES,
}
# Who enters a report of each source at a place: a role held over it (a source not
# named here: anyone).
REPORT_AREA_ROLES: dict[str, tuple[str, ...]] = {
    Source.PATROL: GRID_ROLES + DISPATCHER_ROLES,
    Source.OPERATION: GRID_ROLES + DISPATCHER_ROLES,
    Source.HOTLINE: DISPATCHER_ROLES,
    Source.ASSIGNED: DISPATCHER_ROLES,
}
# The sources only staff enter (they have no reporter of their own).
STAFF_SOURCES = {s: REPORT_AREA_ROLES[s] for s in (Source.HOTLINE, Source.ASSIGNED)}

# The roles whose areas a page works over (``held_areas``).
HELD_ROLES: dict[str, tuple[str, ...]] = {
    "spot_handle": GRID_ROLES,  # the on-the-spot page's map
    "work_grid": GRID_ROLES,  # what waits in a grid worker's grid (their inbox)
    "own_queue": DISPATCHER_ROLES,  # the queue a dispatcher lands on
}


# ---------------------------------------------------------------------------
# Who is who in an event


def user_departments(user) -> set[int]:
    """Ids of the departments the user acts for (cached on the user for the request)."""
    cached = getattr(user, "_shezhi_departments", None)
    if cached is None:
        cached = set()
        if user.is_authenticated:
            # Read through the department's side of the role: the department is named
            # only on a department_staff role (a constraint on it).
            cached = set(
                Department.objects.filter(
                    staff_roles__user=user, staff_roles__role="department_staff"
                ).values_list("pk", flat=True)
            )
        user._shezhi_departments = cached
    return cached


def open_summoned_departments(event: Event) -> set[int]:
    return set(
        WhistleSummons.objects.filter(
            whistle__event=event, whistle__closed_at__isnull=True
        ).values_list("department_id", flat=True)
    )


class Known:
    """What the rules read beyond an event's own row and its areas, for one user: asked
    of one event at a time, a query each (the event's page, a service's step).

    ``PageKnown`` answers the same questions for a whole list of events at once.
    """

    def __init__(self, user):
        self.user = user

    def summoned_departments(self, event: Event) -> set[int]:
        """The departments an open whistle over the event summons."""
        return open_summoned_departments(event)

    def follows(self, event: Event) -> bool:
        """The user follows the event (its reporter or a "me too")."""
        return event.followers.filter(user=self.user).exists()

    def unrated_response(self, event: Event) -> bool:
        """A whistle over the event waits for a department's response to be rated."""
        return Whistle.objects.filter(event=event, summonses__rating__isnull=True).exists()

    def summons_to_report_in(self, event: Event) -> bool:
        """An open whistle over the event summons one of the user's departments, which
        has not reported in yet."""
        return WhistleSummons.objects.filter(
            whistle__event=event,
            whistle__closed_at__isnull=True,
            department_id__in=user_departments(self.user),
            reported_in_at__isnull=True,
        ).exists()


class PageKnown(Known):
    """``Known`` for a page of events: each question asked once for the whole page (the
    first time a row needs it), so a list's buttons cost a fixed number of queries
    however many rows it shows. The events' areas (the rules read their paths and
    levels) and categories are loaded without boundaries when not already at hand.
    """

    def __init__(self, user, events):
        super().__init__(user)
        self.events = list(events)
        self.ids = {e.pk for e in self.events}
        self._answers: dict[str, set | dict] = {}
        if self.events:
            lean = Area.objects.defer("boundary")
            handled_by_community = [
                e for e in self.events if e.handler_kind == Event.HandlerKind.COMMUNITY
            ]
            prefetch_related_objects(
                self.events, Prefetch("area", lean), Prefetch("owner_area", lean), "category"
            )
            if handled_by_community:
                prefetch_related_objects(handled_by_community, Prefetch("handler_area", lean))

    def _once(self, name: str, read):
        if name not in self._answers:
            self._answers[name] = read()  # no query for no ids (an empty IN)
        return self._answers[name]

    def summoned_departments(self, event: Event) -> set[int]:
        if event.pk not in self.ids:  # not one of the page's rows: asked on its own
            return super().summoned_departments(event)

        def read():
            found: dict[int, set[int]] = {}
            for event_id, department_id in WhistleSummons.objects.filter(
                whistle__event_id__in=self.ids, whistle__closed_at__isnull=True
            ).values_list("whistle__event_id", "department_id"):
                found.setdefault(event_id, set()).add(department_id)
            return found

        return set(self._once("summoned", read).get(event.pk, ()))

    def follows(self, event: Event) -> bool:
        if event.pk not in self.ids:
            return super().follows(event)
        return event.pk in self._once(
            "follows",
            lambda: set(
                EventFollower.objects.filter(event_id__in=self.ids, user=self.user).values_list(
                    "event_id", flat=True
                )
            ),
        )

    def unrated_response(self, event: Event) -> bool:
        if event.pk not in self.ids:
            return super().unrated_response(event)
        return event.pk in self._once(
            "unrated",
            lambda: set(
                Whistle.objects.filter(
                    event_id__in=self.ids, summonses__rating__isnull=True
                ).values_list("event_id", flat=True)
            ),
        )

    def summons_to_report_in(self, event: Event) -> bool:
        if event.pk not in self.ids:
            return super().summons_to_report_in(event)
        departments = user_departments(self.user)
        return event.pk in self._once(
            "report_in",
            lambda: (
                set(
                    WhistleSummons.objects.filter(
                        whistle__event_id__in=self.ids,
                        whistle__closed_at__isnull=True,
                        department_id__in=departments,
                        reported_in_at__isnull=True,
                    ).values_list("whistle__event_id", flat=True)
                )
                if departments
                else set()
            ),
        )


def parties(user, event: Event, known: Known | None = None) -> set[str]:
    """The parts ``user`` plays in ``event`` (see ``workflow``'s docstring).

    ``known``: what a page already read for all its rows (``PageKnown``).
    """
    if user is None:
        return {"system"}
    if not user.is_authenticated:
        return set()
    found = set()
    if user.is_superuser or holds_role_over(user, event.owner_area, DISPATCHER_ROLES):
        found.add("dispatcher")
    if holds_role_over(user, event.area, GRID_ROLES) and not user.is_superuser:
        found.add("grid")
    if _is_handler(user, event):
        found.add("handler")
    if event.reporter_id == user.pk:
        found.add("reporter")
    if found & {"grid", "reporter", "dispatcher"}:
        found.add("verifier")
    departments = user_departments(user)  # cached: no query for those without one
    if departments and departments & (known or Known(user)).summoned_departments(event):
        found.add("summoned")
    found.add("anyone")
    return found


def _is_handler(user, event: Event) -> bool:
    kind = event.handler_kind
    if kind == Event.HandlerKind.WORKER:
        return event.handler_user_id == user.pk
    if kind == Event.HandlerKind.COMMUNITY and event.handler_area_id:
        return holds_role_over(user, event.handler_area, ("community_staff",))
    if kind == Event.HandlerKind.DEPARTMENT:
        return event.handler_department_id in user_departments(user)
    return False


def allowed_actions(user, event: Event, known: Known | None = None) -> list[str]:
    """The actions the user may take on the event now, in the table's order."""
    known = known or Known(user)
    mine = parties(user, event, known)
    return [name for name in ACTIONS if _allows(user, event, name, mine, known)]


def allowed_actions_for_page(user, events, known: PageKnown | None = None) -> dict[int, list]:
    """``allowed_actions`` of each of ``events`` (by id), for a list's one-tap buttons:
    the user's parts in them (departments, summonses, follows) are read once for the
    page and each row decided in Python, the same rules as one event at a time."""
    events = list(events)
    known = known or PageKnown(user, events)
    return {e.pk: allowed_actions(user, e, known) for e in events}


def _allows(user, event: Event, action: str, mine: set[str], known: Known | None = None) -> bool:
    spec = ACTIONS[action]
    return bool(
        event.state in spec.sources
        and mine & set(spec.parties)
        and refusal(user, event, action, mine, known=known) is None
    )


# ---------------------------------------------------------------------------
# Rules beyond state and party, one per action that has any

Refusal = Callable[[Any, Event, set[str], datetime | None, Known], str | None]
REFUSALS: dict[str, Refusal] = {}


def _refuses(*actions: str):
    """Register the rule that may refuse ``actions`` (one rule per action)."""

    def register(rule: Refusal) -> Refusal:
        for name in actions:
            if name not in ACTIONS or name in REFUSALS:
                raise ValueError(f"a refusal for {name!r}: unknown, or given twice")
            REFUSALS[name] = rule
        return rule

    return register


def refusal(
    user,
    event: Event,
    action: str,
    mine: set[str] | None = None,
    now: datetime | None = None,
    known: Known | None = None,
) -> str | None:
    """Why ``user`` may not take ``action`` on ``event`` beyond its state and their part,
    or None when nothing refuses it.

    ``mine``: the user's parties in the event, if already known; ``now``: the moment of
    the action (``perform``'s ``at``), for the reopen window; ``known``: what a page
    already read for all its rows (``PageKnown``).
    """
    if user is None:
        return None
    rule = REFUSALS.get(action)
    if rule is None:
        return None
    known = known or Known(user)
    return rule(user, event, parties(user, event, known) if mine is None else mine, now, known)


def _own_handling(user, event: Event) -> bool:
    return event.handler_kind == Event.HandlerKind.WORKER and event.handler_user_id == user.pk


@_refuses("close_on_spot")
def _close_on_spot(user, event, mine, now, known):
    if not (
        event.on_spot
        and not event.spot_check
        and event.handler_kind == Event.HandlerKind.WORKER
        and event.handler_user_id == user.pk
    ):
        return _("Only your own on-the-spot handling closes without verification.")
    return None


@_refuses("verify_pass", "verify_fail")
def _verify(user, event, mine, now, known):
    if event.spot_check and "dispatcher" not in mine:
        return _("The community's staff verify an on-the-spot handling drawn for a spot check.")
    # Separation of duties: nobody verifies their own handling.
    if _own_handling(user, event):
        return _("Somebody other than the handler verifies the result.")
    return None


@_refuses("rate")
def _rate(user, event, mine, now, known):
    # A worker reporting what they then handled (e.g. on the spot) is no satisfied resident.
    if _own_handling(user, event):
        return _("Nobody rates their own handling.")
    if event.rated_at and event.closed_at and event.rated_at >= event.closed_at:
        return _("You have already rated this result.")
    return None


@_refuses("me_too")
def _me_too(user, event, mine, now, known):
    if known.follows(event):
        return _("You already follow this event.")
    if mine & {"dispatcher", "handler", "grid", "summoned"}:
        # Those who handle, dispatch or patrol it are no "me too" (nor offered one).
        return _("Only residents add a “me too”.")
    return None


@_refuses("reopen")
def _reopen(user, event, mine, now, known):
    if event.closed_at:
        limit = event.closed_at + timedelta(days=event.category.reopen_days)
        if (now or timezone.now()) > limit:
            return _("An event may be reopened within %(days)d days of closing.") % {
                "days": event.category.reopen_days
            }
    return None


@_refuses("escalate")
def _escalate(user, event, mine, now, known):
    if event.owner_area.level == c.DISTRICT:
        return _("The event is already held by the district.")
    if (
        "grid" in mine
        and "dispatcher" not in mine
        and event.owner_area.level not in (c.GENERAL_GRID, c.MICRO_GRID)
    ):
        return _("The event has already left the grid.")
    return None


@_refuses("rate_whistle")
def _rate_whistle(user, event, mine, now, known):
    if not known.unrated_response(event):
        return _("No department response is waiting for a rating.")
    return None


@_refuses("report_in")
def _report_in(user, event, mine, now, known):
    if not known.summons_to_report_in(event):
        return _("Your department has already reported in.")
    return None


# ---------------------------------------------------------------------------
# The other actions


def _holds_any(user, roles) -> bool:
    """Holds one of ``roles`` somewhere (a superuser: always)."""
    if user.is_superuser:
        return True
    return any(role in roles for role, _area in role_holdings(user))


def _may_view(user, event: Event) -> bool:
    q = scope(user, "view")
    if q is None:
        return True
    return user.is_authenticated and Event.objects.filter(q, pk=event.pk).exists()


def _may_report(user, obj) -> bool:
    if isinstance(obj, tuple):
        source, area = obj
        roles = REPORT_AREA_ROLES.get(source)
        return roles is None or holds_role_over(user, area, roles)
    roles = REPORT_PAGE_ROLES[obj]
    return user.is_authenticated and (roles is None or _holds_any(user, roles))


def _grid_worker(user, area=None) -> bool:
    # A superuser dispatches and verifies everywhere but works no grid.
    if not user.is_authenticated or user.is_superuser:
        return False
    if area is None:
        return any(role in GRID_ROLES for role, _area in role_holdings(user))
    return holds_role_over(user, area, GRID_ROLES)


RULES: dict[str, Callable[[Any, Any], bool]] = {
    "view": _may_view,
    "report": _may_report,
    "spot_handle": _grid_worker,
    "see_inbox": lambda user, _obj: user.is_authenticated and _holds_any(user, HANDLER_ROLES),
    "see_queue": lambda user, area: holds_role_over(user, area, DISPATCHER_ROLES + GRID_ROLES),
    "see_department": lambda user, _obj: bool(user_departments(user)),
    "declare_emergency": lambda user, area: holds_role_over(user, area, SENIOR_STAFF_ROLES),
    "rate_summons": lambda user, summons: (
        user.is_superuser or holds_role_over(user, summons.whistle.area, DISPATCHER_ROLES)
    ),
    "be_dispatched": lambda user, event: holds_role_over(
        user, event.area, (*GRID_ROLES, "community_staff")
    ),
}


def can(user, action: str, obj=None) -> bool:
    """May ``user`` take ``action`` (on ``obj``)? See the module's docstring for the actions.

    An unknown action raises ``ValueError``: a misspelt check fails loudly, never open.
    """
    if action in ACTIONS:
        return _allows(user, obj, action, parties(user, obj))
    rule = RULES.get(action)
    if rule is None:
        raise ValueError(f"No permission rule for {action!r}.")
    return rule(user, obj)


# ---------------------------------------------------------------------------
# Lists


def scope(user, action: str = "view") -> Q | None:
    """The events ``user`` may see (``view``) or handles (``handle``: what was dispatched
    to them, their community or their departments); None means no limit.

    Who sees an event: staff and grid workers holding its area (a subtree prefix on
    ``area_path``); its reporter and everyone who said "me too"; staff of the
    department it is dispatched to, or that a whistle summoned. Residents, department
    staff and alliance viewers hold areas without opening every event in them.
    """
    if action == "view":
        return _view_scope(user)
    if action == "handle":
        return _handle_scope(user)
    raise ValueError(f"No scope for {action!r}.")


def _view_scope(user) -> Q | None:
    if sees_everything(user):
        return None
    if not user.is_authenticated:
        return Q(pk__in=[])
    # Each part is a set an index answers (ids from a subquery run once, a path
    # range, a department's partial index), so the OR is a union of index lookups;
    # a per-row EXISTS in it would make every list scan the table.
    cond = followed(user)
    area_q = scope_q(user, "area_path", exclude_roles=NOT_EVENT_ROLES)
    if area_q is not None:
        cond = cond | area_q
    departments = user_departments(user)
    if departments:
        summoned = WhistleSummons.objects.filter(department_id__in=sorted(departments))
        cond = (
            cond
            | Q(handler_department_id__in=sorted(departments))
            | among("pk", summoned.values("whistle__event_id"))
        )
    return cond


def followed(user) -> Q:
    """The events ``user`` reported or said "me too" to (their followers' rows)."""
    return among("pk", EventFollower.objects.filter(user=user).values("event_id"))


def _handle_scope(user) -> Q:
    cond = Q(handler_kind=Event.HandlerKind.WORKER, handler_user=user)
    communities = [a.pk for role, a in role_holdings(user) if role == "community_staff"]
    # A superuser's inbox: only what names them or their departments.
    if communities and not sees_everything(user):
        cond |= Q(handler_kind=Event.HandlerKind.COMMUNITY, handler_area_id__in=communities)
    departments = user_departments(user)
    if departments:
        cond |= Q(handler_kind=Event.HandlerKind.DEPARTMENT, handler_department_id__in=departments)
    return cond


def held_areas(user, action: str, obj=None) -> list:
    """The areas at the top of the user's roles that open ``action`` (``report`` with a
    source as ``obj``; ``spot_handle``, ``work_grid``, ``own_queue``), as held, in order."""
    if action == "report":
        roles = REPORT_PAGE_ROLES[obj]
    elif action in HELD_ROLES:
        roles = HELD_ROLES[action]
    else:
        raise ValueError(f"No areas for {action!r}.")
    return [a for role, a in role_holdings(user) if roles is None or role in roles]
