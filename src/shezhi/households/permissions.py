"""Who may do what with compounds, buildings, households and residents: the one place
the households app reads roles.

- **Rows** (lists and pages of households and residents, masked): those who work the
  area, ``WORKING_ROLES`` — a micro-grid worker their micro-grid, a full-time grid
  worker their grid, community and street staff and district admins their subtree.
- **Counts only**: department staff and alliance viewers (``READ_ONLY_ROLES``) get the
  figures of an area (households, residents, residents per plain tag); any object of
  this app is a 404 for them, as it is outside anyone's scope.
- Residents (the role) see nothing of other people's households here.
- **Writes**: households and residents by ``WORKING_ROLES`` over the household's
  micro-grid (workers register who lives where on their rounds); compounds and
  buildings by the staff (``STAFF_ROLES``) over the community (places change rarely
  and are located on a map).
- **Reveals** (audited, with a reason): a phone by ``WORKING_ROLES``, who need to
  call people; an ID number by ``STAFF_ROLES`` only.
- **Binding requests** (a resident's sign-in asking to be linked to their household):
  decided by the micro-grid worker holding the household's micro-grid, or the staff
  over it (``BINDING_DECIDERS``); a full-time grid worker over a whole grid does not
  (the micro-grid worker knows the household). Any signed-in user may ask for their own.
- **Sensitive tags** (PIPL art. 28; ``tags.SENSITIVE``), reading and setting: the staff
  over the household (``STAFF_ROLES``) and the micro-grid worker holding the household's
  micro-grid, who visits it. Not a full-time grid worker over a whole grid, not the
  read-only roles, not even as counts: a count of a small area can single a person out.

The rules are allow-lists: a role added later opens nothing here until it is named.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from shezhi.areas.models import Area
from shezhi.core.lists import subtree_q
from shezhi.core.roles import READ_ONLY_ROLES, STAFF_ROLES, WORKING_ROLES
from shezhi.core.scope import (
    held_areas,
    holds_role_over,
    scope_over,
    sees_everything,
    top_areas,
)
from shezhi.people.models import RoleAssignment

ROW_READERS = WORKING_ROLES
WRITERS = WORKING_ROLES
PLACE_WRITERS = STAFF_ROLES
PHONE_REVEALERS = WORKING_ROLES
ID_REVEALERS = STAFF_ROLES
SENSITIVE_READERS = (*STAFF_ROLES, "micro_grid_worker")
COUNT_READERS = (*WORKING_ROLES, *READ_ONLY_ROLES)
BINDING_DECIDERS = ("micro_grid_worker", *STAFF_ROLES)

# Each action → the roles that open it over an area's subtree.
ACTIONS: dict[str, tuple[str, ...]] = {
    "view": ROW_READERS,
    "change": WRITERS,
    "manage_places": PLACE_WRITERS,
    "reveal_phone": PHONE_REVEALERS,
    "reveal_id_number": ID_REVEALERS,
    "sensitive": SENSITIVE_READERS,
    "counts": COUNT_READERS,
    "decide_binding": BINDING_DECIDERS,
}


def _roles(action: str) -> tuple[str, ...]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}; one of {sorted(ACTIONS)}") from None


def area_of(obj) -> Area:
    """The area an object's rules are decided on: a compound's community, otherwise the
    micro-grid its building stands in."""
    from .models import BindingRequest, Building, Compound, Household, Resident

    if isinstance(obj, Area):
        return obj
    if isinstance(obj, Compound):
        return obj.community
    if isinstance(obj, Building | Household):
        return obj.micro_grid
    if isinstance(obj, Resident):
        return obj.household.micro_grid
    if isinstance(obj, BindingRequest):
        return obj.household.micro_grid
    raise TypeError(f"No area for {type(obj).__name__}")


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` on ``obj`` (a compound, building, household, resident or
    an area)? Without ``obj``: anywhere at all (for menus)."""
    roles = _roles(action)
    if user is None or not user.is_authenticated:
        return False
    if sees_everything(user):
        return True
    if obj is None:
        return bool(held_areas(user, roles))
    from .models import Compound

    if isinstance(obj, Compound) and action == "view":
        # A compound is seen by whoever works its community, or one of its buildings.
        return (
            holds_role_over(user, obj.community, roles)
            or obj.buildings.filter(scope(user, "view")).exists()
        )
    return holds_role_over(user, area_of(obj), roles)


def scope(user, action: str = "view", field: str = "area_path") -> Q | None:
    """Rows whose area path (in ``field``) lies where ``user`` may do ``action``;
    None: no limit. Nothing at all for a user without such a role."""
    return scope_over(user, _roles(action), field)


def compound_scope(user) -> Q | None:
    """Compounds ``user`` may see: in a community they work, or with a building in their
    scope (a micro-grid worker sees the compounds their micro-grid's buildings are in)."""
    from .models import Building

    inside = scope(user, "view")
    if inside is None:
        return None
    building = Building.objects.filter(compound=OuterRef("pk")).filter(inside)
    return inside | Q(Exists(building))


def in_scope_paths(user, action: str = "view") -> list[str] | None:
    """The paths at the top of ``user``'s scope for ``action``; None: everywhere."""
    if sees_everything(user):
        return None
    return [a.path for a in top_areas(held_areas(user, _roles(action)))]


def area_q(area: Area, field: str = "area_path") -> Q:
    return subtree_q(field, area.path)


def binding_deciders(household) -> set[int]:
    """Whom a new binding request is sent to: the micro-grid workers holding the
    household's micro-grid, else (a micro-grid nobody holds yet) the community staff
    over it. Ids of users."""
    micro = household.micro_grid
    workers = set(
        RoleAssignment.objects.filter(area=micro, role="micro_grid_worker").values_list(
            "user_id", flat=True
        )
    )
    if workers:
        return workers
    above = [micro.path[:n] for n in range(Area.steplen, len(micro.path), Area.steplen)]
    return set(
        RoleAssignment.objects.filter(area__path__in=above, role="community_staff").values_list(
            "user_id", flat=True
        )
    )
