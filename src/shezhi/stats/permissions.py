"""Who may read which statistics: the one place the stats app reads roles.

Who reads an area's statistics (its KPIs, rankings, heat map, exports): those who
work in it — grid workers and the staff of a community, a street or the district —
and the read-only roles, department staff and alliance viewers, over the subtrees
they hold (``READER_ROLES``); a superuser every area. A resident's role opens no
statistics. An area outside the reader's subtrees answers 404, like any object
outside their scope.

The read-only roles read the numbers without opening the events behind them: the
dashboard links an event only for those who open an area's events
(``EVENT_READER_ROLES``, the rule of ``events.selectors.visible_events``).

Nobody writes statistics: they are computed from the events' history.

Actions (``obj``): ``view`` (an area's statistics; None: any area's),
``open_events`` (an area: may the lists link its events).
"""

from __future__ import annotations

from django.db.models import Q

from shezhi.core.roles import READ_ONLY_ROLES, WORKING_ROLES
from shezhi.core.scope import held_areas, holds_role_over, scope_over, sees_everything

# Who reads an area's statistics: those who work in it, and the read-only roles.
READER_ROLES = (*WORKING_ROLES, *READ_ONLY_ROLES)
# Who opens the events the statistics count: those who work in the area.
EVENT_READER_ROLES = WORKING_ROLES

ACTIONS = ("view", "open_events")
_ROLES = {"view": READER_ROLES, "open_events": EVENT_READER_ROLES}


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` (one of ``ACTIONS``) with ``obj``?"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} on statistics")
    if user is None or not user.is_authenticated:
        return False
    roles = _ROLES[action]
    if obj is None:
        return sees_everything(user) or bool(held_areas(user, roles))
    return holds_role_over(user, obj, roles)


def scope(user, action: str = "view", *, field: str = "path") -> Q | None:
    """Areas (or rows whose area path is ``field``) whose statistics ``user`` may
    ``action``; None means no limit."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} on statistics")
    return scope_over(user, _ROLES[action], field)


def scope_areas(user, action: str = "view") -> list | None:
    """The areas heading ``user``'s subtrees for ``action`` (nested ones too); None:
    every area (a superuser)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} on statistics")
    if user is not None and sees_everything(user):
        return None
    return held_areas(user, _ROLES[action])
