"""The role groups, declared once: who is staff, who works a grid, who only reads.

Every app names the roles a rule admits with these groups (a role is one of
``core.models.Role``'s values), in its ``permissions.py``, through
``core.scope.scope_over`` and ``held_areas``. Where a rule must list the roles it
does NOT admit (``scope_q``'s ``exclude_roles``), it says ``all_but(<group>)``.
"""

from __future__ import annotations

# Those who work a grid: micro-grid workers and full-time grid workers.
GRID_ROLES = ("micro_grid_worker", "grid_worker")
# The staff of a community, a street or the district: they dispatch events, enter
# hotline transfers and manage posts, activities, the workforce and points.
STAFF_ROLES = ("community_staff", "street_staff", "district_admin")
# The staff above a community: they assign events from above and declare emergencies.
SENIOR_STAFF_ROLES = ("street_staff", "district_admin")
# Those who work in an area: its grid workers and its staff (patrols, events, the
# workforce's records, the points leaderboards).
WORKING_ROLES = (*GRID_ROLES, *STAFF_ROLES)
# Those an event is handed to: grid workers, community staff and departments.
HANDLER_ROLES = (*GRID_ROLES, "community_staff", "department_staff")
# The read-only roles: departments and alliance viewers.
READ_ONLY_ROLES = ("department_staff", "alliance_viewer")
# Those who live or work in an area (who may be a service post's responsible person).
LOCAL_ROLES = ("resident", *WORKING_ROLES)
# Every role there is (``core.models.Role``'s values).
ALL_ROLES = (*LOCAL_ROLES, *READ_ONLY_ROLES)

# The same groups named for what they do.
DISPATCHER_ROLES = STAFF_ROLES
MANAGER_ROLES = STAFF_ROLES


def all_but(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """Every role in none of ``groups``, in ``ALL_ROLES``' order."""
    left_out = {role for group in groups for role in group}
    return tuple(role for role in ALL_ROLES if role not in left_out)
