"""Who holds which role over which area: the one place roles meet the tree."""

from __future__ import annotations

from collections.abc import Iterable

# Roles that may change the workforce records of the areas they hold.
WORKFORCE_MANAGERS = ("community_staff", "street_staff", "district_admin")


def holds_role_over(user, area, roles: Iterable[str]) -> bool:
    """True when the user holds one of ``roles`` on ``area`` or one of its ancestors."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # The same per-request cache the scoped selectors use: no extra query.
    from shezhi.areas.selectors import role_holdings

    wanted = set(roles)
    return any(
        role in wanted and area.path.startswith(held.path) for role, held in role_holdings(user)
    )
