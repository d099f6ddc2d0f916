"""Who may do what with demands: the one place the demands app reads roles.

- **Submit** one's own demand: any signed-in person (a resident on the phone page);
  the demand is theirs and they alone see it among the demands (``mine``).
- **Collect** a demand (from a visit, a campaign action, or on a resident's behalf):
  those who work the area (``WORKING_ROLES``), who are paid ``demand_collected`` once.
- **Read** demands: the same working roles over their subtree. An anonymous demand
  shows them the wish, never who asked (``selectors``). A group belongs to its
  community (its path is the community's), so it is read by those whose scope holds
  the community: its staff and above, not the grid workers below it.
- **Manage** groups (confirm, split a demand out, merge, close a demand with its
  outcome): the staff of the area (``STAFF_ROLES``).
- **Counts only**: department staff and alliance viewers read the figures (stats, the
  hubs' pages), never a demand: any demand or group is a 404 for them.

Allow-lists: a role added later opens nothing here until it is named.
"""

from __future__ import annotations

from django.db.models import Q

from shezhi.core.roles import READ_ONLY_ROLES, STAFF_ROLES, WORKING_ROLES
from shezhi.core.scope import held_areas, holds_role_over, scope_over, sees_everything

ACTIONS: dict[str, tuple[str, ...]] = {
    "view": WORKING_ROLES,
    "collect": WORKING_ROLES,
    "manage": STAFF_ROLES,
    "count": (*WORKING_ROLES, *READ_ONLY_ROLES),
}


def _roles(action: str) -> tuple[str, ...]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}; one of {sorted(ACTIONS)}") from None


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` on ``obj`` (a demand, a group or an area)? Without
    ``obj``: anywhere (for menus). ``submit`` is anyone signed in."""
    if user is None or not user.is_authenticated:
        return False
    if action == "submit":
        return True
    roles = _roles(action)
    if sees_everything(user):
        return True
    if obj is None:
        return bool(held_areas(user, roles))
    return holds_role_over(user, getattr(obj, "area", obj), roles)


def scope(user, action: str = "view", field: str = "area_path") -> Q | None:
    """Rows whose path (``field``) lies where ``user`` may ``action``; None: no limit."""
    return scope_over(user, _roles(action), field)
