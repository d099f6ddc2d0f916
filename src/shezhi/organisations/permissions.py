"""Who may do what with self-governance organisations: the one place this app reads roles.

- **Public** (anyone, signed in or not): an organisation's public page and a community's
  page: names, kinds, stages, member counts and the leader's masked name. Nothing here
  asks a role for those.
- **View** the registry and an organisation's members (masked names), moves, support,
  activities and demands: the staff of the area (``STAFF_ROLES``) over their subtree:
  the community's staff, the street's, the district's.
- **Manage** (register, add and end memberships, move the stage, record support, link
  activities and demand groups): the same staff.
- **Count** (the incubation funnel of a street or district, the forces): those who read
  an area's statistics: the working roles and the read-only roles (department staff,
  alliance viewers), who see figures, never a member.

Allow-lists: a role added later opens nothing here until it is named.
"""

from __future__ import annotations

from django.db.models import Q

from shezhi.core.roles import READ_ONLY_ROLES, STAFF_ROLES, WORKING_ROLES
from shezhi.core.scope import held_areas, holds_role_over, scope_over, sees_everything

ACTIONS: dict[str, tuple[str, ...]] = {
    "view": STAFF_ROLES,
    "manage": STAFF_ROLES,
    "count": (*WORKING_ROLES, *READ_ONLY_ROLES),
}


def _roles(action: str) -> tuple[str, ...]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}; one of {sorted(ACTIONS)}") from None


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` on ``obj`` (an organisation or an area)? Without ``obj``:
    anywhere (for menus)."""
    roles = _roles(action)
    if user is None or not user.is_authenticated:
        return False
    if sees_everything(user):
        return True
    if obj is None:
        return bool(held_areas(user, roles))
    return holds_role_over(user, getattr(obj, "area", obj), roles)


def scope(user, action: str = "view", field: str = "area_path") -> Q | None:
    """Rows whose path (``field``) lies where ``user`` may ``action``; None: no limit."""
    return scope_over(user, _roles(action), field)
