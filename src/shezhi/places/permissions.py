"""Who may do what with the service posts (微阵地): the one place the places app reads roles.

Who reads: everybody, signed in or not — an active post (its page, its photos, the
map and the lists) is public information. The staff registry (inactive posts
included) is read by those who manage posts.

Who writes: community staff, street staff and district admins over the post's area
(``MANAGER_ROLES``), and a superuser. Whoever holds any other role over a post
(residents and workers of its area, and the read-only roles: department staff,
alliance viewers) knows the post from the public side: asking to change it is
refused with a reason, not a 404 (``know``); for anybody else a post outside their
subtrees answers 404. A post's responsible person is somebody who lives or works in
its area (``RESPONSIBLE_ROLES``), never a superuser without a place there.

Actions (``obj``): ``view`` (a post or a hub: an active one for anybody), ``manage`` (a
post, a hub or an area; None: anywhere), ``know`` (a post or an area: refusal, not 404;
a hub: also whoever holds a role inside its area, who works where it serves),
``be_responsible`` (an area: may this user be responsible for a post there).

Service hubs (社治港湾 … 小区服务集装箱) follow the same rules over the area they serve
(a compound hub: its compound's community): anybody reads an active hub, its figures
(counts only) and its roster (names and duties); the staff over its area change it and
open hubs there; the read-only roles read what the public reads.
"""

from __future__ import annotations

from django.db.models import Q

from shezhi.areas.models import Area
from shezhi.core.roles import ALL_ROLES, LOCAL_ROLES, MANAGER_ROLES
from shezhi.core.scope import held_areas, holds_role_over, scope_over, sees_everything

# Who registers and edits posts over the areas they hold: MANAGER_ROLES (the staff of
# a community, a street or the district).
# Who knows a post from the staff side (a refusal names why): any role over its area.
KNOWING_ROLES = ALL_ROLES
# Who may be a post's responsible person: anybody working in (or living in) its area.
RESPONSIBLE_ROLES = LOCAL_ROLES

ACTIONS = ("view", "manage", "know", "be_responsible")


def _area_of(obj) -> Area:
    return obj if isinstance(obj, Area) else obj.area


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` (one of ``ACTIONS``) with ``obj``?"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} on service posts")
    if action == "view" and obj is not None and getattr(obj, "active", False):
        return True
    if user is None or not user.is_authenticated:
        return False
    if action == "be_responsible":
        return not user.is_superuser and holds_role_over(user, _area_of(obj), RESPONSIBLE_ROLES)
    roles = KNOWING_ROLES if action == "know" else MANAGER_ROLES
    if obj is None:
        return sees_everything(user) or bool(held_areas(user, roles))
    return holds_role_over(user, _area_of(obj), roles)


def knows_hub(user, hub) -> bool:
    """``know`` for a hub: a role over its area, or inside it (a grid worker of the
    community knows its 码头: a refusal names why, not a 404)."""
    if holds_role_over(user, hub.area, KNOWING_ROLES):
        return True
    if user is None or not user.is_authenticated:
        return False
    return any(a.path.startswith(hub.area.path) for a in held_areas(user, KNOWING_ROLES))


def scope(user, action: str = "view", *, field: str = "area_path") -> Q | None:
    """The posts ``user`` may ``action``; None means no limit.

    ``manage`` and ``know``: rows whose area path (``field``: ``area_path`` on a post,
    ``path`` on an area, ``area__path`` on a role held) lies in the user's subtrees;
    ``view``: the active posts, and those the user manages.
    """
    if action not in ACTIONS or action == "be_responsible":
        raise ValueError(f"no scope for {action!r} on service posts")
    if action == "view":
        managed = scope_over(user, MANAGER_ROLES, field)
        return None if managed is None else Q(active=True) | managed
    return scope_over(user, KNOWING_ROLES if action == "know" else MANAGER_ROLES, field)


def scope_areas(user, action: str = "manage") -> list[Area] | None:
    """The areas heading ``user``'s subtrees for ``action`` (``manage``, or ``know``: any
    area of theirs); None: every area (a superuser)."""
    if action not in ("manage", "know"):
        raise ValueError(f"no areas head the scope of {action!r}")
    if user is not None and sees_everything(user):
        return None
    return held_areas(user, KNOWING_ROLES if action == "know" else MANAGER_ROLES)
