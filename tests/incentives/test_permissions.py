"""incentives.permissions: the staff of an area manage its points and rewards; the staff
and grid workers read its leaderboard; anybody holding a role in a district reads its
piece rates and its admins set them; a person redeems rewards offered at or above
their areas. The read-only roles and residents read aggregates only.

The cast is tests/factories.Cast over build_territory() (named as the points tests
name it: tests/incentives/conftest.py).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from shezhi.areas.models import Area
from shezhi.incentives import permissions
from shezhi.incentives.models import Reward
from tests.factories import RewardFactory

pytestmark = pytest.mark.django_db


def areas(q) -> set[str]:
    return set(
        (Area.objects.all() if q is None else Area.objects.filter(q)).values_list("code", flat=True)
    )


# actor → (an area whose individuals' points they manage, one whose they do not)
MANAGERS = {
    "community": ("micro1", "community2"),
    "street": ("community2", "street2"),
    "district": ("street2", "other_district"),
    "other_district": ("other_district", "micro1"),
}
NOT_MANAGERS = ["worker", "grid_worker", "resident", "dept_cg", "alliance", "nobody"]


@pytest.mark.parametrize("who", sorted(MANAGERS))
def test_the_staff_of_an_area_manage_its_points(cast, territory, who):
    user = getattr(cast, who)
    inside, outside = MANAGERS[who]
    assert permissions.can(user, "manage") and permissions.is_points_staff(user)
    assert permissions.can(user, "manage", territory[inside])
    assert not permissions.can(user, "manage", territory[outside])
    q = permissions.scope(user, "manage", field="path")
    assert territory[inside].code in areas(q) and territory[outside].code not in areas(q)


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_every_other_role_manages_nobodys_points(cast, territory, who):
    user = getattr(cast, who)
    assert not permissions.can(user, "manage")
    assert not permissions.is_points_staff(user)
    assert not permissions.can(user, "manage", territory["micro1"])
    assert areas(permissions.scope(user, "manage", field="path")) == set()


def test_the_staff_and_grid_workers_read_their_leaderboards(cast, territory):
    for who in ("worker", "grid_worker", "community", "street", "district"):
        user = getattr(cast, who)
        assert permissions.can(user, "view_leaderboard", territory["micro1"]), who
        assert not permissions.can(user, "view_leaderboard", territory["other_district"]), who
    assert not permissions.can(cast.worker, "view_leaderboard", territory["micro2"])
    for who in ("resident", "dept_cg", "alliance", "nobody"):
        user = getattr(cast, who)
        assert not permissions.can(user, "view_leaderboard"), who
        assert areas(permissions.scope(user, "view_leaderboard", field="path")) == set(), who
    assert permissions.scope_areas(cast.worker, "view_leaderboard") == [territory["micro1"]]


def test_anybody_in_a_district_reads_its_piece_rates_and_its_admins_set_them(cast, territory):
    district, other = territory["district"], territory["other_district"]
    for who in ("resident", "worker", "community", "dept_cg", "alliance", "district"):
        user = getattr(cast, who)
        assert permissions.can(user, "view_rules", district), who
        assert not permissions.can(user, "view_rules", other), who
        assert areas(permissions.scope(user, "view_rules", field="path")) == {"510113"}, who
    assert permissions.can(cast.district, "set_rules", district)
    assert not permissions.can(cast.district, "set_rules", other)
    for who in ("community", "street", "resident", "dept_cg", "alliance"):
        assert not permissions.can(getattr(cast, who), "set_rules", district), who
    assert not permissions.can(cast.nobody, "view_rules", district)


def test_a_person_redeems_rewards_offered_at_or_above_their_areas(cast, territory):
    offered = {
        key: RewardFactory(area=territory[key], name=f"奖品{key}")
        for key in ("district", "community", "micro1", "micro2", "other_district")
    }
    resident = cast.resident  # micro1
    mine = {offered[key] for key in ("district", "community", "micro1")}
    for reward in offered.values():
        assert permissions.can(resident, "redeem", reward) == (reward in mine), reward.name
    q = permissions.scope(resident, "redeem", field="area_path")
    assert set(Reward.objects.filter(q)) == mine
    assert not Reward.objects.filter(permissions.scope(cast.nobody, "redeem")).exists()
    assert permissions.scope(cast.root, "redeem") is None


def test_a_superuser_does_all_of_it_and_a_visitor_none(cast, territory):
    for action in ("manage", "view_leaderboard", "view_rules", "set_rules", "redeem"):
        assert permissions.scope(cast.root, action) is None
        assert permissions.can(cast.root, action)
        for user in (AnonymousUser(), None):
            assert not permissions.can(user, action), action
    assert permissions.can(cast.root, "set_rules", territory["other_district"])


def test_an_unknown_action_is_a_programming_error(cast):
    with pytest.raises(ValueError):
        permissions.can(cast.root, "print_money")
    with pytest.raises(ValueError):
        permissions.scope(cast.root, "print_money")
