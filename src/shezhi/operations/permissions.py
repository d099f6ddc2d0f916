"""Who may do what in an emergency operation: the one place operations reads roles.

- **Start and stand down**: street staff and district admins over the operation's
  area (``SENIOR_STAFF_ROLES``), as for declaring emergency mode.
- **Check lines** (the households to check, their outcomes) and **hand-outs**: those
  who work the household's area (``WORKING_ROLES``): a micro-grid worker the lines of
  their micro-grid, a grid worker their grid's, community and street staff their
  subtree. Recording an outcome needs the same.
- **Roll-call**: every grid worker and staff member holding an area inside (or over) the
  operation's reports for themselves.
- **Dashboard and report** (counts only: households checked per area, workers on duty,
  open needs): the working roles over their part of the operation, and the read-only
  roles (department staff, alliance viewers) over theirs, which never see a line, a
  household or a name (``READ_ONLY_ROLES``). The after-action report names no
  household either; it is for the staff (``STAFF_ROLES``) and the read-only roles.
- Residents: nothing here.

An operation outside all of a user's areas is a 404 (``selectors.get_operation``).
"""

from __future__ import annotations

from django.db.models import Q

from shezhi.core.roles import READ_ONLY_ROLES, SENIOR_STAFF_ROLES, STAFF_ROLES, WORKING_ROLES
from shezhi.core.scope import held_areas, holds_role_over, scope_over, sees_everything

ACTIONS: dict[str, tuple[str, ...]] = {
    "start": SENIOR_STAFF_ROLES,
    "stand_down": SENIOR_STAFF_ROLES,
    "check": WORKING_ROLES,
    "roll_call": WORKING_ROLES,
    "dashboard": (*WORKING_ROLES, *READ_ONLY_ROLES),
    "report": (*STAFF_ROLES, *READ_ONLY_ROLES),
}


def _roles(action: str) -> tuple[str, ...]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}; one of {sorted(ACTIONS)}") from None


def overlaps(user, action: str, path: str) -> bool:
    """Does ``user`` hold a role of ``action`` over an area that meets the subtree at
    ``path`` (inside it, or above it)?"""
    if user is None or not user.is_authenticated:
        return False
    if sees_everything(user):
        return True
    return any(
        a.path.startswith(path) or path.startswith(a.path) for a in held_areas(user, _roles(action))
    )


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` on ``obj``: an operation, a check line (``check``) or an
    area (``start``)? Without ``obj``: anywhere at all (menus)."""
    from .models import CheckLine, Operation

    roles = _roles(action)
    if user is None or not user.is_authenticated:
        return False
    if sees_everything(user):
        return True
    if obj is None:
        return bool(held_areas(user, roles))
    if isinstance(obj, CheckLine):
        return holds_role_over(user, obj.micro_grid, roles)
    if isinstance(obj, Operation):
        if action == "stand_down":
            return holds_role_over(user, obj.area, roles)
        return overlaps(user, action, obj.area_path)
    return holds_role_over(user, obj, roles)


def scope(user, action: str = "check", field: str = "area_path") -> Q | None:
    """Rows whose path lies where ``user`` may do ``action``; None: no limit."""
    return scope_over(user, _roles(action), field)


def sees_lines(user, operation) -> bool:
    """Whether the user works a part of the operation (sees households, not counts only)."""
    return overlaps(user, "check", operation.area_path)
