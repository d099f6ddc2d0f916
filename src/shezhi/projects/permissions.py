"""Who may do what with micro-projects: the one place the projects app reads roles.

- **Propose**, **back**, **pledge**, **rate**: residents living in the project's community
  (a resident role on an area inside it); rating also needs having backed or paid.
- **Record payments**, **milestones**, **expenses**, **complete**: the initiator, or the
  staff over the community.
- **Review** (approve / return / refuse), **refund**, **reverse**, **fund rules and
  allocations**: the staff over the community (``STAFF_ROLES``); district rules: a
  district admin.
- **View**: working roles over the project's area, residents of its community, the
  initiator. Department staff and alliance viewers read figures only.
"""

from __future__ import annotations

from django.db.models import Q

from shezhi.core.lists import subtree_q
from shezhi.core.roles import STAFF_ROLES, WORKING_ROLES
from shezhi.core.scope import held_areas, holds_role_over, scope_over, sees_everything

RESIDENT = ("resident",)


def lives_in(user, area) -> bool:
    """Does ``user`` hold a resident role on ``area`` or anywhere inside it?"""
    if user is None or not user.is_authenticated:
        return False
    return any(a.path.startswith(area.path) for a in held_areas(user, RESIDENT))


def is_staff_over(user, area) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return sees_everything(user) or holds_role_over(user, area, STAFF_ROLES)


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` on ``obj`` (a project; an area for ``propose`` and the
    fund actions)?"""
    if user is None or not user.is_authenticated:
        return False
    if action == "propose":
        return lives_in(user, obj) or is_staff_over(user, obj)
    if action in ("fund", "rules"):
        return is_staff_over(user, obj)
    project = obj
    community = project.community
    if action in ("back", "pledge", "rate"):
        return lives_in(user, community)
    if action in ("record_payment", "deliver"):
        return project.initiator_id == user.pk or is_staff_over(user, community)
    if action in ("review", "refund", "reverse"):
        return is_staff_over(user, community)
    if action == "view":
        return (
            project.initiator_id == user.pk
            or lives_in(user, community)
            or sees_everything(user)
            or holds_role_over(user, project.area, WORKING_ROLES)
        )
    raise ValueError(f"Unknown action {action!r}")


def scope(user, field: str = "area_path") -> Q | None:
    """Projects ``user`` may see: under a working role, or in a resident's community,
    or their own; None: no limit."""
    if sees_everything(user):
        return None
    q = scope_over(user, WORKING_ROLES, field) or Q(pk__in=[])
    for area in held_areas(user, RESIDENT):
        # The resident's community as a path range (an index range, where LIKE scans).
        q |= subtree_q(field, area.path[:12])
    return q | Q(initiator_id=user.pk)


# ---------------------------------------------------------------------------
# The staff's pages (review queue, funds, payment recording, exports)

# Who reads payers' names in the finance office's exports: the community's own staff
# (they take the cash and match it to the receipt book). Street staff and district
# admins export too, with the names masked (张*) unless the payer chose to be named.
NAME_READERS = ("community_staff",)


def exports(user, community) -> bool:
    """The finance office's spreadsheets of a community: its staff (``STAFF_ROLES``)."""
    return is_staff_over(user, community)


def sees_payer_names(user, community) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or holds_role_over(user, community, NAME_READERS)
