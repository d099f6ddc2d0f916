"""Who may do what with the three lists: the one place the lists app reads roles.

- **Read** lists, items, resources and projects (the staff pages and the API): those
  who work the area (``WORKING_ROLES``) over their subtree. A list or an item belongs
  to its community (or street), so it is read by those whose scope holds it, as a
  demand group is. A resource also shows to those working below the area it serves
  (a street's resource serves its communities).
- **Manage** (create and publish lists, curate items, move them, match resources,
  register resources): the staff of the area (``STAFF_ROLES``).
- **Rate** a delivered item: the residents behind it, once each (``services.rate_item``
  asks ``selectors.is_behind``).
- **Anyone**, signed in or not, reads a community's *published* items on its public
  page: titles, kinds, statuses and counts, never who asked.
- Department staff and alliance viewers: every list object is a 404 for them.
"""

from __future__ import annotations

from django.db.models import Q

from shezhi.areas.models import Area
from shezhi.core.roles import STAFF_ROLES, WORKING_ROLES
from shezhi.core.scope import held_areas, holds_role_over, scope_over, sees_everything

ACTIONS: dict[str, tuple[str, ...]] = {
    "view": WORKING_ROLES,
    "manage": STAFF_ROLES,
}


def _roles(action: str) -> tuple[str, ...]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}; one of {sorted(ACTIONS)}") from None


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` on ``obj`` (a list, an item, a resource or an area)?
    Without ``obj``: anywhere (for menus)."""
    if user is None or not user.is_authenticated:
        return False
    roles = _roles(action)
    if sees_everything(user):
        return True
    if obj is None:
        return bool(held_areas(user, roles))
    return holds_role_over(user, getattr(obj, "area", obj), roles)


def scope(user, action: str = "view", field: str = "area_path") -> Q | None:
    """Rows whose path (``field``) lies where ``user`` may ``action``; None: no limit."""
    return scope_over(user, _roles(action), field)


def serving_scope(user, action: str = "view", field: str = "area_path") -> Q | None:
    """Resources in ``user``'s subtree or serving it (registered on an area above)."""
    q = scope(user, action, field)
    if q is None:
        return None
    above = {p for a in held_areas(user, _roles(action)) for p in Area.lineage(a.path)}
    return q | Q(**{f"{field}__in": sorted(above)}) if above else q
