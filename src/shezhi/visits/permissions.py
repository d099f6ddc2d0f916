"""Who may do what with household visits: the one place the visits app reads roles.

- **Record** a visit: those who work the household's area (``WORKING_ROLES``: the
  micro-grid worker of its micro-grid, the full-time grid worker of its grid, the
  staff of its community, street or district), as they may register its residents.
- **Read** visits (lists, a visit's page, its photos): the same roles over their
  subtree: a micro-grid worker their micro-grid's visits (their colleagues' too, so a
  household is not visited twice in a week), staff their subtree.
- **Counts only**: department staff and alliance viewers read the coverage figures
  (``stats``), never a visit: any visit is a 404 for them, as for residents.

Allow-lists: a role added later opens nothing here until it is named.
"""

from __future__ import annotations

from django.db.models import Q

from shezhi.core.roles import WORKING_ROLES
from shezhi.core.scope import held_areas, holds_role_over, scope_over, sees_everything

READERS = WORKING_ROLES
RECORDERS = WORKING_ROLES

ACTIONS: dict[str, tuple[str, ...]] = {"view": READERS, "record": RECORDERS}


def _roles(action: str) -> tuple[str, ...]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}; one of {sorted(ACTIONS)}") from None


def _area(obj):
    # A visit or a household: both carry their micro-grid (``area`` / ``micro_grid``).
    return getattr(obj, "micro_grid", None) or getattr(obj, "area", None) or obj


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` on ``obj`` (a visit, a household or an area)? Without
    ``obj``: anywhere (for menus)."""
    roles = _roles(action)
    if user is None or not user.is_authenticated:
        return False
    if sees_everything(user):
        return True
    if obj is None:
        return bool(held_areas(user, roles))
    return holds_role_over(user, _area(obj), roles)


def scope(user, action: str = "view", field: str = "area_path") -> Q | None:
    """Rows whose path (``field``) lies where ``user`` may ``action``; None: no limit."""
    return scope_over(user, _roles(action), field)
