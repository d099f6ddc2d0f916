"""Who may do what with the household base: each role against one household of micro1."""

from __future__ import annotations

import pytest

from shezhi.households import permissions, selectors
from shezhi.households.models import Household

pytestmark = pytest.mark.django_db

ACTIONS = (
    "view",
    "change",
    "manage_places",
    "reveal_phone",
    "reveal_id_number",
    "sensitive",
    "counts",
)
EVERYTHING = set(ACTIONS)
# Role (the cast's actor) → what it may do with a household of micro1.
EXPECTED = {
    "resident": set(),
    "mg_worker": {"view", "change", "reveal_phone", "sensitive", "counts"},
    "mg_worker2": set(),  # micro2's worker
    "grid_worker": {"view", "change", "reveal_phone", "counts"},  # no sensitive tags
    "community": EVERYTHING,
    "community2": set(),
    "street": EVERYTHING,
    "other_street": set(),
    "district": EVERYTHING,
    "other_district": set(),
    "dept_cg": {"counts"},
    "alliance": {"counts"},
    "nobody": set(),
    "root": EVERYTHING,
}


@pytest.mark.parametrize("actor", list(EXPECTED))
def test_each_role_does_what_its_rule_says(cast, place, actor):
    user = getattr(cast, actor)
    allowed = {a for a in ACTIONS if permissions.can(user, a, place.h101)}
    assert allowed == EXPECTED[actor]
    # The list agrees with the rule: a household is listed iff it may be viewed.
    listed = set(selectors.visible_households(user).values_list("pk", flat=True))
    assert (place.h101.pk in listed) == ("view" in EXPECTED[actor])


def test_alliance_viewers_read_counts_only(cast, territory, place):
    viewer = cast.alliance
    assert permissions.can(viewer, "counts", territory["district"])
    assert not permissions.can(viewer, "view", place.h101)
    assert not permissions.can(viewer, "view")
    assert permissions.can(viewer, "counts")
    assert selectors.visible_households(viewer).count() == 0
    assert selectors.area_counts(viewer, territory["district"]).sensitive is None


def test_the_scope_of_each_worker_is_their_own_area(cast, place):
    def seen(user):
        return set(Household.objects.filter(permissions.scope(user)).values_list("pk", flat=True))

    assert seen(cast.mg_worker) == {place.h101.pk, place.h102.pk}
    assert seen(cast.mg_worker2) == {place.h201.pk}
    assert seen(cast.grid_worker) == seen(cast.community) == seen(cast.street)
    assert seen(cast.dept_cg) == seen(cast.resident) == set()
    assert permissions.scope(cast.root) is None


def test_a_compound_is_seen_where_one_of_its_buildings_stands(cast, territory, place):
    from shezhi.households import services

    only_micro1 = services.create_compound(
        actor=cast.community, community=territory["community"], name="香岛"
    )
    services.create_building(
        actor=cast.community, compound=only_micro1, number="1", lng=104.01, lat=30.61
    )
    assert permissions.can(cast.mg_worker, "view", only_micro1)
    assert not permissions.can(cast.mg_worker2, "view", only_micro1)
    assert set(selectors.visible_compounds(cast.mg_worker2)) == {place.compound}
    assert set(selectors.visible_compounds(cast.mg_worker)) == {place.compound, only_micro1}


def test_an_unknown_action_is_a_programming_error(cast, place):
    with pytest.raises(ValueError, match="Unknown action"):
        permissions.can(cast.community, "delete", place.h101)
