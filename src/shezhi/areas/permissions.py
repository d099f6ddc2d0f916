"""Who may do what with the territory's areas: the one place the areas app reads roles.

Who reads: everybody holding a role reads the areas of the subtrees they hold —
residents and workers as much as staff and the read-only roles (department staff,
alliance viewers): the tree's names and shapes are what every page of theirs needs
(a report's place, a dashboard's area). A superuser reads every area. An area
outside the user's subtrees answers 404.

Who writes: district admins import area files into their own districts
(``IMPORTER_ROLES``), a superuser anywhere. An import job (its file, its report) is
read by whoever started it, and by a superuser.

Actions: ``view`` (an area), ``import`` (area files; ``obj`` the area written into,
or None: into any), ``view_import`` (an ``AreaImport``).
"""

from __future__ import annotations

from django.db.models import Q

from shezhi.core.roles import ALL_ROLES
from shezhi.core.scope import (
    forget_holdings,
    held_areas,
    holds_role_over,
    scope_over,
    sees_everything,
)

# Who reads the areas of the subtrees they hold: every role.
READER_ROLES = ALL_ROLES
# Who imports area files into the areas they hold: district admins.
IMPORTER_ROLES = ("district_admin",)

ACTIONS = ("view", "import", "view_import")


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` (one of ``ACTIONS``) with ``obj``?"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} on areas")
    if not _signed_in(user):
        return False
    if action == "view_import":
        return sees_everything(user) or (obj is not None and obj.created_by_id == user.pk)
    roles = READER_ROLES if action == "view" else IMPORTER_ROLES
    if obj is None:
        return sees_everything(user) or bool(held_areas(user, roles))
    return holds_role_over(user, obj, roles)


def scope(user, action: str = "view", *, field: str = "path") -> Q | None:
    """The rows ``user`` may ``action``; None means no limit.

    ``view`` and ``import``: areas (or rows pointing at one: ``field`` is their area's
    path); ``view_import``: area imports (``field`` is not used).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} on areas")
    if action == "view_import":
        if not _signed_in(user):
            return Q(pk__in=[])
        return None if sees_everything(user) else Q(created_by=user)
    return scope_over(user, READER_ROLES if action == "view" else IMPORTER_ROLES, field)


def scope_areas(user, action: str = "view", *, fresh: bool = False) -> list | None:
    """The areas heading ``user``'s subtrees for ``action`` (nested ones too, in the order
    the user holds them); None: every area (a superuser). ``fresh``: the roles as the
    database holds them now, not as read earlier for this user object."""
    if action not in ("view", "import"):
        raise ValueError(f"no areas head the scope of {action!r}")
    if fresh:
        forget_holdings(user)
    if user is not None and sees_everything(user):
        return None
    return held_areas(user, READER_ROLES if action == "view" else IMPORTER_ROLES)
