"""volunteering.permissions: activities are public and anybody signed in volunteers;
the staff of a post's area and its responsible person manage its activities.

The cast is tests/factories.Cast over build_territory(); ``post_keeper`` (a
micro-grid worker of micro1) is responsible for the post in micro1.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from shezhi.places.models import ServicePost
from shezhi.volunteering import permissions
from shezhi.volunteering.models import VolunteerActivity
from tests.factories import ServicePostFactory, VolunteerActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def activities(cast, territory):
    """An activity at a post in micro1 (kept by ``post_keeper``), one in community2, one
    in the other district."""
    posts = {
        "micro1": ServicePostFactory(area=territory["micro1"], responsible=cast.post_keeper),
        "community2": ServicePostFactory(area=territory["community2"]),
        "other_district": ServicePostFactory(area=territory["other_district"]),
    }
    return {key: VolunteerActivityFactory(post=post) for key, post in posts.items()}


def rows(model, q):
    return set(model.objects.all() if q is None else model.objects.filter(q))


# actor → the activities (by their post's area key) they manage
MANAGES = {
    "post_keeper": {"micro1"},
    "community": {"micro1"},
    "community2": {"community2"},
    "street": {"micro1", "community2"},
    "district": {"micro1", "community2"},
    "other_district": {"other_district"},
    "mg_worker": set(),
    "grid_worker": set(),
    "resident": set(),
    "dept_cg": set(),
    "alliance": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("who", sorted(MANAGES))
def test_the_staff_of_a_post_and_its_keeper_manage_its_activities(cast, activities, who):
    user = getattr(cast, who)
    expected = {activities[key] for key in MANAGES[who]}
    for key, activity in activities.items():
        assert permissions.can(user, "manage", activity) == (key in MANAGES[who]), key
        assert permissions.can(user, "manage", activity.post) == (key in MANAGES[who]), key
    assert permissions.can(user, "manage") == bool(MANAGES[who])
    assert (
        rows(VolunteerActivity, permissions.scope(user, "manage", responsible="post__responsible"))
        == expected
    )
    assert rows(ServicePost, permissions.scope(user, "manage")) == {a.post for a in expected}


def test_a_superuser_manages_all_and_a_visitor_none(cast, activities):
    assert permissions.scope(cast.root, "manage") is None
    assert all(permissions.can(cast.root, "manage", a) for a in activities.values())
    for user in (AnonymousUser(), None):
        assert not permissions.can(user, "manage")
        assert not permissions.can(user, "manage", activities["micro1"])
        assert rows(ServicePost, permissions.scope(user, "manage")) == set()


def test_activities_are_public_and_anybody_signed_in_volunteers(cast, activities):
    activity = activities["other_district"]
    for who in ("resident", "outsider_resident", "nobody", "dept_cg", "alliance", "root"):
        user = getattr(cast, who)
        assert permissions.can(user, "view", activity) and permissions.can(
            user, "volunteer", activity
        )
    assert permissions.can(AnonymousUser(), "view", activity)
    assert not permissions.can(AnonymousUser(), "volunteer", activity)
    assert permissions.scope(AnonymousUser(), "view") is None
    assert permissions.scope(cast.nobody, "volunteer") is None


def test_an_unknown_action_is_a_programming_error(cast):
    with pytest.raises(ValueError):
        permissions.can(cast.root, "applaud")
    with pytest.raises(ValueError):
        permissions.scope(cast.root, "applaud")
