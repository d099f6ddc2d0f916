"""Who may read and record visits (``visits.permissions``), role by role."""

from __future__ import annotations

import pytest

from shezhi.visits import permissions, selectors

from .conftest import visit

pytestmark = pytest.mark.django_db

# actor → (may record in micro1's household, sees micro1's visit)
RULES = {
    "mg_worker": (True, True),
    "mg_worker2": (False, False),  # the other micro-grid
    "grid_worker": (True, True),
    "community": (True, True),
    "street": (True, True),
    "district": (True, True),
    "other_street": (False, False),
    "other_district": (False, False),
    "dept_cg": (False, False),  # counts only (stats)
    "alliance": (False, False),
    "resident": (False, False),
    "nobody": (False, False),
}


@pytest.mark.parametrize("actor", list(RULES))
def test_permissions(place, shared_cast, actor):
    user = getattr(shared_cast, actor)
    v = visit(shared_cast.mg_worker, place.h101)
    records, sees = RULES[actor]
    assert permissions.can(user, "record", place.h101) is records
    assert permissions.can(user, "view", v) is sees
    assert selectors.visible_visits(user).filter(pk=v.pk).exists() is sees


def test_unknown_action_is_a_programming_error(shared_cast):
    with pytest.raises(ValueError):
        permissions.can(shared_cast.mg_worker, "delete")
