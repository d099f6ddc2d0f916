"""Who may do what with points: the one place the incentives app reads roles.

A person reads their own points (balances, statement, redemptions). Reading or
changing somebody else's (a statement, who redeemed what, a reversal) is for the
staff who manage points: community, street and district staff over the area
(and a superuser). Every other role, residents and workers as much as the
read-only roles (department staff, alliance viewers), gets aggregates only: the
lists below are empty for them and a fetch of one record answers 404.

The rule is an allow-list of roles, so a role added later reads no individual
points until it is named here.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from shezhi.areas.models import Area
from shezhi.core.roles import STAFF_ROLES, WORKING_ROLES, all_but
from shezhi.core.scope import holds_role_over, role_holdings, scope_q, sees_everything

# The roles that manage points (rewards, hand-over, corrections) and read individuals':
# STAFF_ROLES. Every other role: its holders read their own points and aggregates,
# nobody else's.
NOT_STAFF = all_but(STAFF_ROLES)
# Who reads an area's leaderboard (names and points: what the notice board shows the
# people who earn them): the staff, and the grid workers competing on it (WORKING_ROLES).
# Residents and the read-only roles (department staff, alliance viewers) do not.
NOT_ON_LEADERBOARDS = all_but(WORKING_ROLES)


def is_points_staff(user) -> bool:
    """Staff who manage rewards, hand them over and read and correct people's points."""
    return sees_everything(user) or any(role in STAFF_ROLES for role, _a in role_holdings(user))


def individuals_q(user, field: str) -> Q | None:
    """Rows of individuals (statements, transfers, redemptions) ``user`` may read, by the
    area path in ``field``; None: no limit. Nothing at all for a user who is not staff."""
    return scope_q(user, field, exclude_roles=NOT_STAFF)


def can_correct(actor, area: Area) -> bool:
    """May ``actor`` reverse points earned in ``area``, hand over or cancel its rewards?"""
    return actor is not None and holds_role_over(actor, area, STAFF_ROLES)


def require_points_staff(user) -> None:
    """404 (not 403: a page or list that is not for the user does not exist for them)."""
    if not is_points_staff(user):
        raise Http404("Not for you.")
