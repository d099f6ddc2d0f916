"""places.permissions: an active post is anybody's to read; the staff of its area manage it;
whoever else holds a role over it is refused with a reason; anybody else gets a 404.

The cast is tests/factories.Cast over build_territory().
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from shezhi.areas.models import Area
from shezhi.people.models import Person
from shezhi.places import permissions
from shezhi.places.models import ServicePost
from tests.factories import PersonFactory, ServicePostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(territory):
    """An active post in micro1, a closed one in community2, one in the other district."""
    return {
        "micro1": ServicePostFactory(area=territory["micro1"], active=True),
        "community2": ServicePostFactory(area=territory["community2"], active=False),
        "other_district": ServicePostFactory(area=territory["other_district"], active=True),
    }


def rows(model, q):
    return set(model.objects.all() if q is None else model.objects.filter(q))


# actor → the posts (by area key) they manage
MANAGES = {
    "community": {"micro1"},
    "community2": {"community2"},
    "street": {"micro1", "community2"},
    "district": {"micro1", "community2"},
    "other_district": {"other_district"},
    "other_street": set(),
    "grid_worker": set(),
    "mg_worker": set(),
    "resident": set(),
    "dept_cg": set(),
    "alliance": set(),
    "nobody": set(),
}
# actor → the posts they know from the staff side (refused with a reason, not a 404)
KNOWS = {
    "grid_worker": {"micro1"},
    "mg_worker": {"micro1"},
    "resident": {"micro1"},
    "dept_cg": {"micro1", "community2"},
    "alliance": {"micro1", "community2"},
    "outsider_resident": {"other_district"},
    "nobody": set(),
}


@pytest.mark.parametrize("who", sorted(MANAGES))
def test_the_staff_of_an_area_manage_its_posts(cast, posts, who):
    user = getattr(cast, who)
    for key, post in posts.items():
        assert permissions.can(user, "manage", post) == (key in MANAGES[who]), key
        assert permissions.can(user, "manage", post.area) == (key in MANAGES[who]), key
    assert rows(ServicePost, permissions.scope(user, "manage")) == {
        posts[key] for key in MANAGES[who]
    }
    managed_areas = rows(Area, permissions.scope(user, "manage", field="path"))
    assert {posts[key].area for key in MANAGES[who]} <= managed_areas


@pytest.mark.parametrize("who", sorted(KNOWS))
def test_other_roles_know_the_posts_they_hold_a_role_over_and_manage_none(cast, posts, who):
    user = getattr(cast, who)
    for key, post in posts.items():
        assert permissions.can(user, "know", post) == (key in KNOWS[who]), key
        assert not permissions.can(user, "manage", post), key
    assert rows(ServicePost, permissions.scope(user, "know")) == {posts[key] for key in KNOWS[who]}
    assert not permissions.can(user, "manage")


def test_active_posts_are_anybodys_and_closed_ones_their_managers(cast, posts):
    closed = posts["community2"]
    for user in (AnonymousUser(), None, cast.nobody, cast.resident, cast.outsider_resident):
        assert permissions.can(user, "view", posts["micro1"])
        assert not permissions.can(user, "view", closed)
    assert permissions.can(cast.community2, "view", closed)
    assert rows(ServicePost, permissions.scope(cast.resident, "view")) == {
        posts["micro1"],
        posts["other_district"],
    }
    assert closed in rows(ServicePost, permissions.scope(cast.street, "view"))
    assert permissions.scope(cast.root, "view") is None


def test_a_superuser_manages_every_post(cast, posts):
    assert permissions.can(cast.root, "manage")
    assert all(permissions.can(cast.root, "manage", post) for post in posts.values())
    assert permissions.scope(cast.root, "manage") is None
    assert permissions.scope_areas(cast.root, "manage") is None


def test_where_a_user_manages_and_where_they_hold_any_role(cast, territory):
    assert permissions.scope_areas(cast.street, "manage") == [territory["street1"]]
    assert permissions.scope_areas(cast.resident, "manage") == []
    assert permissions.scope_areas(cast.resident, "know") == [territory["micro1"]]
    assert permissions.scope_areas(AnonymousUser(), "know") == []


def test_a_responsible_person_lives_or_works_in_the_posts_area(cast, territory):
    micro1 = territory["micro1"]
    for who in ("resident", "mg_worker", "grid_worker", "community", "street", "district"):
        assert permissions.can(getattr(cast, who), "be_responsible", micro1), who
    for who in ("resident2", "community2", "dept_cg", "alliance", "nobody", "root"):
        assert not permissions.can(getattr(cast, who), "be_responsible", micro1), who
    # Rows pointing at an area (a role held, a person's record) by ``field``.
    here, there = PersonFactory(area=micro1), PersonFactory(area=territory["community2"])
    q = permissions.scope(cast.community, "manage", field="area__path")
    assert set(Person.objects.filter(q)) == {here}
    assert there in Person.objects.filter(
        permissions.scope(cast.street, "manage", field="area__path")
    )


def test_an_unknown_action_is_a_programming_error(cast):
    with pytest.raises(ValueError):
        permissions.can(cast.root, "demolish")
    with pytest.raises(ValueError):
        permissions.scope(cast.root, "be_responsible")
