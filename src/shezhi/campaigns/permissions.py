"""Who may do what with campaigns: the one place the campaigns app reads roles.

- **View** a campaign (its board, broadcasts' counts, packages): those who work the
  area (``WORKING_ROLES``) over their subtree: a campaign is seen by those whose scope
  holds its area. A round, a broadcast, a package is seen where its own area lies, so
  a grid worker sees the rounds of their grid in a district-wide campaign. Department
  staff and alliance viewers: counts only (any object is a 404 for them).
- **Manage** (create, move stages, send broadcasts, open rounds, packages, results):
  the staff of the area (``STAFF_ROLES``).
- **Work a round** (record stops), **record take-up**: the working roles over the
  round's or package's area.
- **Answer** a broadcast: a signed-in resident it was sent to (checked in services:
  they hold its notification).
"""

from __future__ import annotations

from django.db.models import Q

from shezhi.core.roles import READ_ONLY_ROLES, STAFF_ROLES, WORKING_ROLES
from shezhi.core.scope import held_areas, holds_role_over, scope_over, sees_everything

ACTIONS: dict[str, tuple[str, ...]] = {
    "view": WORKING_ROLES,
    "work": WORKING_ROLES,
    "manage": STAFF_ROLES,
    "count": (*WORKING_ROLES, *READ_ONLY_ROLES),
}


def _roles(action: str) -> tuple[str, ...]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}; one of {sorted(ACTIONS)}") from None


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` on ``obj`` (anything with an ``area``, or an area)?"""
    if user is None or not user.is_authenticated:
        return False
    roles = _roles(action)
    if sees_everything(user):
        return True
    if obj is None:
        return bool(held_areas(user, roles))
    return holds_role_over(user, getattr(obj, "area", obj), roles)


def scope(user, action: str = "view", field: str = "area_path") -> Q | None:
    return scope_over(user, _roles(action), field)
