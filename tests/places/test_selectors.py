"""Reading service posts: nearest first, open at a given time, the staff's scope."""

from __future__ import annotations

import pytest
import time_machine
from django.http import Http404

from shezhi.places import selectors, services
from tests.places.conftest import (
    EVENINGS,
    IN_COMMUNITY2,
    IN_MICRO1,
    IN_MICRO2,
    IN_STREET2,
    MONDAY_10,
    MONDAY_19,
    OFFICE,
)

pytestmark = pytest.mark.django_db


def test_haversine_matches_a_known_distance():
    # One degree of latitude is about 111.2 km on the mean sphere.
    d = selectors.haversine_m(104.0, 30.0, [104.0], [31.0])[0]
    assert d == pytest.approx(111_195, rel=1e-3)
    # At 30.6° N one degree of longitude is about 95.7 km.
    d = selectors.haversine_m(104.0, 30.6, [105.0], [30.6])[0]
    assert d == pytest.approx(95_700, rel=2e-3)


@pytest.fixture
def posts(make_post):
    return {
        "near": make_post((104.021, 30.621), name="近", opening_hours=OFFICE),
        "middle": make_post((104.03, 30.63), name="中", opening_hours=EVENINGS),
        "far": make_post(IN_MICRO2, name="远", opening_hours=OFFICE),
        "farther": make_post(IN_COMMUNITY2, name="更远", opening_hours=OFFICE, type="volunteer"),
        "east": make_post(IN_STREET2, name="东", opening_hours=OFFICE),
    }


def test_nearest_are_ordered_by_distance_with_open_state(posts):
    found = selectors.nearest(*IN_MICRO1, at=MONDAY_10, open_only=False, limit=10)
    assert [n.post.name for n in found] == ["近", "中", "远", "更远", "东"]
    distances = [n.distance_m for n in found]
    assert distances == sorted(distances)
    assert distances[0] == pytest.approx(143, abs=5)
    assert [n.open for n in found] == [True, False, True, True, True]


def test_open_only_depends_on_the_time(posts):
    at_10 = selectors.nearest(*IN_MICRO1, at=MONDAY_10, open_only=True, limit=3)
    assert [n.post.name for n in at_10] == ["近", "远", "更远"]
    at_19 = selectors.nearest(*IN_MICRO1, at=MONDAY_19, open_only=True)
    assert [n.post.name for n in at_19] == ["中"]
    assert at_19[0].state.closes_at.hour == 21


def test_open_now_uses_the_clock(posts):
    with time_machine.travel(MONDAY_19, tick=False):
        assert [n.post.name for n in selectors.nearest(*IN_MICRO1)] == ["中"]
    with time_machine.travel(MONDAY_10, tick=False):
        assert [n.post.name for n in selectors.nearest(*IN_MICRO1, limit=1)] == ["近"]


def test_within_type_area_and_inactive(posts, actors, territory):
    found = selectors.nearest(*IN_MICRO1, at=MONDAY_10, open_only=False, within_m=6_000)
    assert [n.post.name for n in found] == ["近", "中", "远"]
    found = selectors.nearest(*IN_MICRO1, open_only=False, type="volunteer")
    assert [n.post.name for n in found] == ["更远"]
    found = selectors.nearest(*IN_MICRO1, open_only=False, area=territory["street2"])
    assert [n.post.name for n in found] == ["东"]
    services.deactivate_post(actor=actors.root, post=posts["near"])
    found = selectors.nearest(*IN_MICRO1, open_only=False, limit=1)
    assert [n.post.name for n in found] == ["中"]
    assert selectors.nearest(110.0, 10.0, open_only=False) == []


def test_public_reads_hide_inactive_posts(posts, actors):
    assert selectors.get_public_post(posts["near"].pk) == posts["near"]
    services.deactivate_post(actor=actors.root, post=posts["near"])
    with pytest.raises(Http404):
        selectors.get_public_post(posts["near"].pk)
    assert posts["near"] not in selectors.public_list()
    communities = selectors.communities_with_posts()
    assert [c.code for c in communities] == ["510113001001", "510113001002"]


def test_the_registry_is_scoped_to_managed_areas(posts, actors, territory):
    def names(user, **kw):
        return sorted(p.name for p in selectors.registry(user, **kw))

    assert names(actors.community) == ["中", "近", "远"]
    assert names(actors.street) == ["中", "更远", "近", "远"]
    assert names(actors.district) == ["东", "中", "更远", "近", "远"]
    assert names(actors.root) == names(actors.district)
    assert names(actors.other_street) == ["东"]
    assert names(actors.other_district) == []
    for user in (actors.grid_worker, actors.resident, actors.nobody):
        assert names(user) == []
    services.deactivate_post(actor=actors.root, post=posts["far"])
    assert names(actors.community, active=False) == ["远"]
    assert names(actors.community, active=True) == ["中", "近"]
    assert names(actors.street, type="volunteer") == ["更远"]
    assert names(actors.street, q="远") == ["更远", "远"]
    assert names(actors.street, area=territory["micro2"]) == ["远"]

    assert selectors.get_managed_post(actors.community, posts["far"].pk) == posts["far"]
    for user in (actors.community2, actors.other_street, actors.grid_worker, actors.nobody):
        with pytest.raises(Http404):
            selectors.get_managed_post(user, posts["near"].pk)
    with pytest.raises(Http404):
        selectors.managed_area(actors.community, "510113002")
    assert selectors.managed_area(actors.street, "510113001001").code == "510113001001"


def test_responsible_candidates_are_in_scope(actors):
    names = selectors.responsible_candidates(actors.community)
    assert "grid_worker" in names and "resident" in names and "community_staff" in names
    assert "other_street" not in names and "community2_staff" not in names
