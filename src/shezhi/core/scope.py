"""Who holds which role over which area: the one place roles meet the tree.

Every "for this user" read starts here: ``role_holdings`` (read once per request),
``role_areas``, ``sees_everything`` and ``scope_q``, the filter that keeps the rows
inside the subtrees of the areas a user holds. Each app's ``permissions.py`` builds its
rules on these, naming the roles a rule admits (``held_areas``, ``scope_over``: an
allow-list of ``core.roles`` groups); ``roles_of`` is for the site's navigation, which
asks what a person is, not where.

Core keeps no record of who holds what: the app that does (``people``, its
``RoleAssignment``) registers how to read a user's holdings with
``register_holdings_source`` in its ``AppConfig.ready()``, so the arrow points down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from .lists import subtree_q

# A function of a signed-in user giving the (role, area) pairs they hold, in one query.
HoldingsSource = Callable[[Any], Iterable[tuple[str, Any]]]

_holdings_source: list[HoldingsSource] = []


def register_holdings_source(source: HoldingsSource) -> None:
    """Say where holdings are read from; one source for the project.

    Registering the same function again is a no-op (``ready()`` may run twice in tests);
    a second, different source is a configuration error, not a silent override.
    """
    if _holdings_source and _holdings_source[0] is not source:
        raise ImproperlyConfigured(
            f"role holdings are already read by {_holdings_source[0].__module__}."
            f"{_holdings_source[0].__qualname__}"
        )
    _holdings_source[:] = [source]


def role_holdings(user) -> list[tuple[str, Any]]:
    """(role, area) pairs the user holds (cached on the user object for the request).

    Each area is an ``areas.Area`` read through the holding, without its boundary. With
    no source registered nobody holds anything: scoped reads show nothing but to a
    superuser.
    """
    cached = getattr(user, "_shezhirole_holdings", None)
    if cached is None:
        if not user.is_authenticated or not _holdings_source:
            cached = []
        else:
            cached = list(_holdings_source[0](user))
        user._shezhirole_holdings = cached
    return cached


def forget_holdings(user) -> None:
    """Drop the holdings ``role_holdings`` cached on ``user``: the next read asks the
    database again (work that must see the roles as they are now, not as they were
    when the user object was loaded)."""
    if getattr(user, "_shezhirole_holdings", None) is not None:
        del user._shezhirole_holdings


def role_areas(user, *, exclude_roles: tuple[str, ...] = ()) -> list[Any]:
    """The areas at the top of the user's scopes, optionally ignoring some roles."""
    return [area for role, area in role_holdings(user) if role not in exclude_roles]


def sees_everything(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def scope_q(user, field: str = "path", *, exclude_roles: tuple[str, ...] = ()) -> Q | None:
    """A filter that keeps rows inside the user's scope; None means no limit.

    ``exclude_roles``: roles that do not open this kind of record (a resident holds
    a micro-grid, but not its workforce records).
    """
    if sees_everything(user):
        return None
    return _within({a.path for a in role_areas(user, exclude_roles=exclude_roles)}, field)


def _within(paths: set[str], field: str) -> Q:
    """Rows whose ``field`` lies under one of ``paths``; nothing when there is none."""
    # Drop paths nested inside another of the user's paths: fewer OR terms.
    tops = [p for p in paths if not any(p != o and p.startswith(o) for o in paths)]
    if not tops:
        return Q(pk__in=[])
    # Each subtree as a path range, which an index answers (see core.lists).
    return reduce(or_, (subtree_q(field, p) for p in sorted(tops)))


def roles_of(user) -> set[str]:
    """The roles the user holds anywhere (none for a visitor)."""
    if user is None or not user.is_authenticated:
        return set()
    return {role for role, _area in role_holdings(user)}


def held_areas(user, roles: Iterable[str]) -> list[Any]:
    """The areas where the user holds one of ``roles`` (an allow-list), nested ones too."""
    if user is None:
        return []
    wanted = set(roles)
    return [area for role, area in role_holdings(user) if role in wanted]


def scope_over(user, roles: Iterable[str], field: str = "path") -> Q | None:
    """A filter that keeps rows inside the subtrees where the user holds one of ``roles``;
    None means no limit (a superuser). ``scope_q`` naming who it admits, not who not."""
    if user is not None and sees_everything(user):
        return None
    return _within({a.path for a in held_areas(user, roles)}, field)


def top_areas(areas: Iterable[Any]) -> list[Any]:
    """``areas`` without those nested inside another of them, by path."""
    by_path = {a.path: a for a in areas}
    nested = {p for p in by_path for o in by_path if p != o and p.startswith(o)}
    return [a for p, a in sorted(by_path.items()) if p not in nested]


def holds_role_over(user, area, roles: Iterable[str]) -> bool:
    """True when the user holds one of ``roles`` on ``area`` or one of its ancestors."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # The same per-request cache the scoped selectors use: no extra query.
    wanted = set(roles)
    return any(
        role in wanted and area.path.startswith(held.path) for role, held in role_holdings(user)
    )
