"""stats.permissions: an area's statistics are read by those who work in it and by the
read-only roles; only those who work in it open the events behind them; residents read
none. The cast is tests/factories.Cast over build_territory().
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from shezhi.areas.models import Area
from shezhi.stats import permissions

pytestmark = pytest.mark.django_db

# actor → (an area whose statistics they read, one whose they do not)
READS = {
    "mg_worker": ("micro1", "micro2"),
    "grid_worker": ("micro2", "grid2"),
    "community": ("grid2", "community2"),
    "street": ("community2", "street2"),
    "district": ("street2", "other_district"),
    "other_district": ("other_district", "district"),
    "dept_cg": ("community", "other_district"),
    "alliance": ("street1", "other_district"),
}


def codes(q) -> set[str]:
    return set(
        (Area.objects.all() if q is None else Area.objects.filter(q)).values_list("code", flat=True)
    )


@pytest.mark.parametrize("who", sorted(READS))
def test_those_who_work_in_an_area_and_the_read_only_roles_read_its_numbers(cast, territory, who):
    user = getattr(cast, who)
    inside, outside = READS[who]
    assert permissions.can(user, "view", territory[inside])
    assert not permissions.can(user, "view", territory[outside])
    assert permissions.can(user, "view")
    assert territory[inside].code in codes(permissions.scope(user, "view"))
    assert territory[outside].code not in codes(permissions.scope(user, "view"))


@pytest.mark.parametrize("who", ["resident", "outsider_resident", "nobody"])
def test_residents_read_no_statistics(cast, territory, who):
    user = getattr(cast, who)
    assert not permissions.can(user, "view")
    assert not permissions.can(user, "view", territory["micro1"])
    assert codes(permissions.scope(user, "view")) == set()
    assert permissions.scope_areas(user, "view") == []


def test_only_those_who_work_in_an_area_open_its_events(cast, territory):
    community = territory["community"]
    assert permissions.can(cast.grid_worker, "open_events", territory["grid"])
    assert not permissions.can(cast.grid_worker, "open_events", community)
    for who in ("community", "street", "district"):
        assert permissions.can(getattr(cast, who), "open_events", community), who
    for who in ("dept_cg", "alliance", "resident", "community2", "other_district"):
        assert not permissions.can(getattr(cast, who), "open_events", community), who
    assert codes(permissions.scope(cast.dept_cg, "open_events")) == set()
    assert territory["micro1"].code in codes(permissions.scope(cast.grid_worker, "open_events"))


def test_a_superuser_reads_everything_and_a_visitor_nothing(cast, territory):
    assert permissions.scope(cast.root, "view") is None
    assert permissions.scope_areas(cast.root, "view") is None
    assert permissions.can(cast.root, "open_events", territory["other_district"])
    for user in (AnonymousUser(), None):
        assert not permissions.can(user, "view", territory["district"])
        assert codes(permissions.scope(user, "view")) == set()


def test_the_dashboard_opens_on_the_highest_area_read(cast, territory):
    assert permissions.scope_areas(cast.street, "view") == [territory["street1"]]
    assert permissions.scope_areas(cast.alliance, "view") == [territory["district"]]


def test_an_unknown_action_is_a_programming_error(cast):
    with pytest.raises(ValueError):
        permissions.can(cast.root, "edit")
    with pytest.raises(ValueError):
        permissions.scope(cast.root, "edit")
