"""Who may do what with case studies: the one place the cases app reads roles.

- **Read** a published case: anyone, signed in or not (the case library is public).
- **Write** (create, edit, attach photos, take back), **review** and **publish**: the
  staff of the case's area (``STAFF_ROLES``: community, street, district). Drafts and
  reviewed cases are read by the same staff only; to everyone else an unpublished case
  is a 404, as is a case outside the staff member's scope.
- **Four eyes**: a case is reviewed by a staff member other than the one who wrote it
  (``services.review_case``); the publisher may be either.

Grid workers, residents, department staff and alliance viewers read the public library.
"""

from __future__ import annotations

from django.db.models import Q

from shezhi.core.roles import STAFF_ROLES
from shezhi.core.scope import held_areas, holds_role_over, scope_over, sees_everything

ACTIONS: dict[str, tuple[str, ...]] = {
    "write": STAFF_ROLES,
    "review": STAFF_ROLES,
    "publish": STAFF_ROLES,
}


def _roles(action: str) -> tuple[str, ...]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}; one of {sorted(ACTIONS)}") from None


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` on ``obj`` (a case or an area)? Without ``obj``:
    anywhere (for menus). ``read`` a published case: anyone."""
    if action == "read":
        if obj is not None and getattr(obj, "is_published", False):
            return True
        action = "write"
    if user is None or not user.is_authenticated:
        return False
    roles = _roles(action)
    if sees_everything(user):
        return True
    if obj is None:
        return bool(held_areas(user, roles))
    return holds_role_over(user, getattr(obj, "area", obj), roles)


def scope(user, action: str = "write", field: str = "area_path") -> Q | None:
    """Rows whose path (``field``) lies where ``user`` may ``action``; None: no limit."""
    return scope_over(user, _roles(action), field)
