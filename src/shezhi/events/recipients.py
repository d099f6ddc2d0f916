"""Who hears of an event: its handlers and the dispatchers of the level holding it.

One definition for the workflow service (one event) and the SLA scan (thousands
at once): both pass rows with ``pk``, ``handler_kind``, ``handler_user_id``,
``handler_area_id``, ``handler_department_id`` and ``owner_area_id``. The
one-event helpers at the end (user ids, for one step's effect) are built on them.
"""

from __future__ import annotations

from collections import defaultdict

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.roles import DISPATCHER_ROLES, GRID_ROLES
from shezhi.people.models import RoleAssignment

from .models import Event

ROW_FIELDS = (
    "pk",
    "handler_kind",
    "handler_user_id",
    "handler_area_id",
    "handler_department_id",
    "owner_area_id",
)


def row(event: Event) -> dict:
    return {name: getattr(event, name) for name in ROW_FIELDS}


def department_staff(department_ids) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    if department_ids:
        for dept, user in RoleAssignment.objects.filter(
            role="department_staff", department_id__in=list(department_ids)
        ).values_list("department_id", "user_id"):
            out[dept].add(user)
    return out


def holders(area_ids, roles) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    if area_ids:
        for area, user in RoleAssignment.objects.filter(
            area_id__in=list(area_ids), role__in=list(roles)
        ).values_list("area_id", "user_id"):
            out[area].add(user)
    return out


def handlers(events: list[dict]) -> dict[int, set[int]]:
    """Event id → the users handling it (the worker, the community's staff, the department's)."""
    W, CM, D = Event.HandlerKind.WORKER, Event.HandlerKind.COMMUNITY, Event.HandlerKind.DEPARTMENT
    communities = holders(
        {e["handler_area_id"] for e in events if e["handler_kind"] == CM and e["handler_area_id"]},
        ("community_staff",),
    )
    departments = department_staff(
        {
            e["handler_department_id"]
            for e in events
            if e["handler_kind"] == D and e["handler_department_id"]
        }
    )
    out = {}
    for e in events:
        kind = e["handler_kind"]
        if kind == W and e["handler_user_id"]:
            out[e["pk"]] = {e["handler_user_id"]}
        elif kind == CM and e["handler_area_id"]:
            out[e["pk"]] = communities.get(e["handler_area_id"], set())
        elif kind == D and e["handler_department_id"]:
            out[e["pk"]] = departments.get(e["handler_department_id"], set())
        else:
            out[e["pk"]] = set()
    return out


def dispatchers(events: list[dict]) -> dict[int, set[int]]:
    """Event id → staff holding its current level; a grid without staff: its community's."""
    owners = {e["owner_area_id"] for e in events}
    holding = holders(owners, DISPATCHER_ROLES + GRID_ROLES)
    grids = dict(
        Area.objects.filter(
            pk__in=[a for a in owners if not holding.get(a)],
            level__in=(c.GENERAL_GRID, c.MICRO_GRID),
        ).values_list("pk", "path")
    )
    community_ids = dict(
        Area.objects.filter(
            path__in={path[: 3 * Area.steplen] for path in grids.values()}
        ).values_list("path", "pk")
    )
    community_staff = holders(community_ids.values(), DISPATCHER_ROLES)
    out = {}
    for e in events:
        owner = e["owner_area_id"]
        users = holding.get(owner, set())
        if not users and owner in grids:
            community = community_ids.get(grids[owner][: 3 * Area.steplen])
            users = community_staff.get(community, set())
        out[e["pk"]] = users
    return out


# ---------------------------------------------------------------------------
# For one event (a step's effect, ``services.effects``): lists of user ids


def users_holding(area: Area, roles) -> list[int]:
    return list(holders([area.pk], roles).get(area.pk, ()))


def area_dispatchers(area: Area) -> list[int]:
    """Staff holding ``area`` (who takes up an event escalated to it)."""
    return users_holding(area, DISPATCHER_ROLES)


def department_users(department_ids) -> list[int]:
    staff = department_staff(set(department_ids))
    return [user for users in staff.values() for user in users]


def handler_users(event: Event) -> list[int]:
    return list(handlers([row(event)])[event.pk])


def dispatcher_users(event: Event) -> list[int]:
    return list(dispatchers([row(event)])[event.pk])


def follower_users(event: Event) -> list[int]:
    return list(event.followers.values_list("user_id", flat=True))


def verifier_users(event: Event) -> list[int]:
    """Grid workers of the event's micro-grid and of the grid above it, not its handler."""
    users = users_holding(event.area, GRID_ROLES)
    if event.area.level == c.MICRO_GRID:
        grid = Area.objects.defer("boundary").get(path=event.area.path[: -Area.steplen])
        users += users_holding(grid, ("grid_worker",))
    return [u for u in users if u != event.handler_user_id]


def community_staff_users(event: Event) -> list[int]:
    """Staff of the community the event lies in: who verifies a spot check."""
    path = event.area_path[: 3 * Area.steplen]
    community = Area.objects.defer("boundary").filter(path=path, level=c.COMMUNITY).first()
    return users_holding(community, ("community_staff",)) if community else []
