"""Who holds which role over which area: the one place roles meet the tree."""

from __future__ import annotations

from collections.abc import Iterable

from .models import RoleAssignment

# Roles that may change the workforce records of the areas they hold.
WORKFORCE_MANAGERS = ("community_staff", "street_staff", "district_admin")


def holds_role_over(user, area, roles: Iterable[str]) -> bool:
    """True when the user holds one of ``roles`` on ``area`` or one of its ancestors."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    paths = RoleAssignment.objects.filter(user=user, role__in=list(roles)).values_list(
        "area__path", flat=True
    )
    return any(area.path.startswith(p) for p in paths)
