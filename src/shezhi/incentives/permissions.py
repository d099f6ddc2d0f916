"""Who may do what with points: the one place the incentives app reads roles.

A person reads their own points (balances, statement, redemptions) and redeems
rewards offered at or above any area they hold a role in (``redeem``). Reading or
changing somebody else's (a statement, who redeemed what, a reversal, handing a
reward over) and managing the rewards catalogue is for the staff who manage points:
community, street and district staff over the area (``STAFF_ROLES``; ``manage``).
An area's leaderboard (names and points: what the notice board shows the people who
earn them) is read by the staff and the grid workers competing on it
(``LEADERBOARD_ROLES``). Everybody holding a role in a district reads its piece
rates (everyone should know what their work earns; ``view_rules``); its district
admins set them (``RULE_SETTER_ROLES``; ``set_rules``). A superuser may do all of it.

Every other role — residents and workers as much as the read-only roles
(department staff, alliance viewers) — gets aggregates only: the lists of
individuals are empty for them and a fetch of one record answers 404. The rules
are allow-lists of roles, so a role added later reads no individual points until
it is named here.

Actions (``obj``): ``manage`` (an area; None: anywhere), ``view_leaderboard``
(an area; None: anywhere), ``view_rules`` and ``set_rules`` (a district),
``redeem`` (a reward).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from shezhi.areas.models import Area
from shezhi.core.roles import ALL_ROLES, STAFF_ROLES, WORKING_ROLES, all_but
from shezhi.core.scope import held_areas, holds_role_over, scope_over, sees_everything

# The roles that manage points (rewards, hand-over, corrections) and read individuals':
# STAFF_ROLES.
# Who reads an area's leaderboard: the staff, and the grid workers competing on it.
LEADERBOARD_ROLES = WORKING_ROLES
# Who reads a district's piece rates: anybody holding a role in it.
RULE_READER_ROLES = ALL_ROLES
# Who sets a district's piece rates: its administrators.
RULE_SETTER_ROLES = ("district_admin",)
# Who redeems the rewards offered at or above their areas: anybody holding a role.
REDEEMER_ROLES = ALL_ROLES
# The roles whose holders read their own points and aggregates, nobody else's (what
# the allow-list above leaves out; tests/incentives check the two cover every role).
NOT_STAFF = all_but(STAFF_ROLES)

ACTIONS = ("manage", "view_leaderboard", "view_rules", "set_rules", "redeem")
_ROLES = {
    "manage": STAFF_ROLES,
    "view_leaderboard": LEADERBOARD_ROLES,
    "view_rules": RULE_READER_ROLES,
    "set_rules": RULE_SETTER_ROLES,
    "redeem": REDEEMER_ROLES,
}


def _check(action: str) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} on points")


def _ancestor_paths(areas) -> set[str]:
    return {p for a in areas for p in Area.lineage(a.path)}


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` (one of ``ACTIONS``) with ``obj``?"""
    _check(action)
    if user is None or not user.is_authenticated:
        return False
    roles = _ROLES[action]
    if obj is None:
        return sees_everything(user) or bool(held_areas(user, roles))
    if sees_everything(user):
        return True
    if action == "view_rules":
        # Any role held inside the district.
        return any(a.path.startswith(obj.path) for a in held_areas(user, roles))
    if action == "redeem":
        return obj.area_path in _ancestor_paths(held_areas(user, roles))
    return holds_role_over(user, obj, roles)


def scope(user, action: str = "manage", *, field: str = "area_path") -> Q | None:
    """The rows ``user`` may ``action``; None means no limit.

    ``manage``, ``view_leaderboard`` and ``set_rules``: rows whose area path
    (``field``) lies in the subtrees the user holds a role of the action over;
    ``view_rules``: districts (``field``: their path) the user holds any role in;
    ``redeem``: rewards (``field``: their area's path) offered at or above one of the
    user's areas.
    """
    _check(action)
    if user is not None and sees_everything(user):
        return None
    roles = _ROLES[action]
    if action == "view_rules":
        return Q(**{f"{field}__in": {a.path[: Area.steplen] for a in held_areas(user, roles)}})
    if action == "redeem":
        return Q(**{f"{field}__in": _ancestor_paths(held_areas(user, roles))})
    return scope_over(user, roles, field)


def scope_areas(user, action: str = "manage") -> list[Area] | None:
    """The areas heading ``user``'s subtrees for ``action`` (nested ones too); None:
    every area (a superuser)."""
    _check(action)
    if user is not None and sees_everything(user):
        return None
    return held_areas(user, _ROLES[action])


def is_points_staff(user) -> bool:
    """Staff who manage rewards, hand them over and read and correct people's points."""
    return can(user, "manage")


def require_points_staff(user) -> None:
    """404 (not 403: a page or list that is not for the user does not exist for them)."""
    if not is_points_staff(user):
        raise Http404("Not for you.")
