"""Who may do what with the workforce: the one place the people app reads roles.

Who reads the workforce's records (people, their assignments, their masked phones
and ID numbers): those who work in the area — its grid workers and its staff
(``READER_ROLES``), over the subtrees they hold. Residents hold a micro-grid to
report and follow their own matters, department staff see what is dispatched or
whistled to them, alliance viewers see aggregates: the records of the people of
an area are not theirs to open (its counts are), and a person outside the
reader's subtrees answers 404.

Who writes (people, assignments, roster imports and exports, revealing a phone
or an ID number in clear): community staff, street staff and district admins over
the area (``MANAGER_ROLES``). Departments are read by whoever holds any role in
their district. The audit log of the workforce and the roles is read by district
admins, over their districts (``AUDIT_ROLES``). A superuser may do all of it. An
upload (a roster import job) is read by whoever started it, and by a superuser.

Actions (``obj``): ``view`` (a person, or an area: its people's records),
``manage`` (an area or a person; None: anywhere), ``view_department`` (a
department), ``read_audit`` (None), ``view_import`` (a roster import).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from shezhi.areas.models import Area
from shezhi.core.models import Role
from shezhi.core.roles import ALL_ROLES, MANAGER_ROLES, WORKING_ROLES
from shezhi.core.scope import (
    forget_holdings,
    held_areas,
    holds_role_over,
    role_holdings,
    scope_over,
    sees_everything,
    top_areas,
)

# Who opens the records of an area's workforce: those who work in it.
READER_ROLES = WORKING_ROLES
# Who changes the workforce of an area (and reveals its people's personal data):
# MANAGER_ROLES, the staff of a community, a street or the district.
# Who reads a district's departments: anybody holding a role in it.
DEPARTMENT_READER_ROLES = ALL_ROLES
# Who reads the audit log of the workforce and the roles, over their districts.
AUDIT_ROLES = ("district_admin",)

ACTIONS = ("view", "manage", "view_department", "read_audit", "view_import")
_ROLES = {
    "view": READER_ROLES,
    "manage": MANAGER_ROLES,
    "view_department": DEPARTMENT_READER_ROLES,
    "read_audit": AUDIT_ROLES,
}


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def _check(action: str) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} on the workforce")


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` (one of ``ACTIONS``) with ``obj``?"""
    _check(action)
    if not _signed_in(user):
        return False
    if action == "view_import":
        return sees_everything(user) or (obj is not None and obj.created_by_id == user.pk)
    roles = _ROLES[action]
    if obj is None:
        return sees_everything(user) or bool(held_areas(user, roles))
    if action == "view_department":
        district = obj.district
        return sees_everything(user) or any(
            a.path.startswith(district.path) for a in held_areas(user, roles)
        )
    area = obj if isinstance(obj, Area) else obj.area
    return holds_role_over(user, area, roles)


def scope(user, action: str = "view", *, field: str | None = None) -> Q | None:
    """The rows ``user`` may ``action``; None means no limit.

    ``view``, ``manage`` and ``read_audit`` keep rows whose area path (``field``;
    ``area__path`` by default: people, assignments) lies in the subtrees the user
    holds a role of the action over; ``view_department``: departments of the
    districts the user holds any role in (``field``: ``district__path``);
    ``view_import``: the roster imports the user may read.
    """
    _check(action)
    if action == "view_import":
        if not _signed_in(user):
            return Q(pk__in=[])
        return None if sees_everything(user) else Q(created_by=user)
    if action == "view_department":
        if user is not None and sees_everything(user):
            return None
        districts = {a.path[: Area.steplen] for a in held_areas(user, DEPARTMENT_READER_ROLES)}
        return Q(**{f"{field or 'district__path'}__in": districts})
    return scope_over(user, _ROLES[action], field or "area__path")


def scope_areas(user, action: str = "view", *, fresh: bool = False) -> list[Area] | None:
    """The areas heading ``user``'s subtrees for ``action`` (nested ones too); None:
    every area (a superuser). ``fresh``: the roles as the database holds them now, not
    as read earlier for this user object."""
    _check(action)
    if action == "view_import":
        raise ValueError("no areas head the scope of 'view_import'")
    if fresh:
        forget_holdings(user)
    if user is not None and sees_everything(user):
        return None
    return held_areas(user, _ROLES[action])


def export_areas(user) -> list[Area]:
    """The tops of the user's subtrees (any role) whose roster they may export: every
    district for a superuser."""
    if sees_everything(user):
        return list(Area.objects.filter(depth=1).defer("boundary").order_by("path"))
    return [a for a in top_areas(held_areas(user, ALL_ROLES)) if can(user, "manage", a)]


@dataclass(frozen=True)
class WorkforceReach:
    """How much of an area's workforce records a user may open.

    ``kind``: ``all`` (the whole area), ``part`` (only the ``areas`` inside it the user
    holds a reading role over) or ``none`` (the user's roles here read aggregates only:
    ``roles`` names them, for the page to say so).
    """

    kind: str
    roles: list[str]
    areas: list[Area]


def workforce_reach(user, area: Area) -> WorkforceReach:
    if sees_everything(user):
        return WorkforceReach("all", [], [])
    holdings = role_holdings(user)
    readers = [a for role, a in holdings if role in READER_ROLES]
    if any(area.path.startswith(a.path) for a in readers):
        return WorkforceReach("all", [], [])
    inside = sorted((a for a in readers if a.path.startswith(area.path)), key=lambda a: a.path)
    if inside:
        return WorkforceReach("part", [], inside)
    roles = sorted(
        {
            str(Role(role).label)
            for role, a in holdings
            if role not in READER_ROLES
            and (area.path.startswith(a.path) or a.path.startswith(area.path))
        }
    )
    return WorkforceReach("none", roles, [])
