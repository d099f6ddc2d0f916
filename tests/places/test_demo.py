"""The demo's 305 service posts: deterministic, located, idempotent, fast."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.db import transaction
from django.test.utils import override_settings

from shezhi.areas import locating
from shezhi.areas.models import Area
from shezhi.demo.areas import build_demo_areas
from shezhi.demo.places import build_demo_posts
from shezhi.demo.users import ensure_demo_users
from shezhi.places import hours
from shezhi.places.models import ServicePost

pytestmark = pytest.mark.slow


def test_nothing_without_the_demo_district(db):
    assert build_demo_posts() is None
    assert not ServicePost.objects.exists()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo district, its sign-ins and its posts, once; rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        build_demo_areas()
        ensure_demo_users()
        locating.current_index()  # the demo command has it built by now
        started = time.perf_counter()
        made = build_demo_posts()
        seconds = time.perf_counter() - started
        yield {"made": made, "seconds": seconds}
        transaction.set_rollback(True)


def test_the_articles_305_posts(demo, db):
    assert demo["made"] == 305
    assert ServicePost.objects.count() == 305
    assert demo["seconds"] < 2.0, demo["seconds"]
    kinds = Counter(ServicePost.objects.values_list("type", flat=True))
    assert kinds["party_service"] == 83
    assert kinds == {
        "party_service": 83,
        "grid_station": 100,
        "living_room": 60,
        "volunteer": 30,
        "elderly": 15,
        "children": 10,
        "mediation": 7,
    }
    assert ServicePost.objects.filter(name="誉府会客厅").exists()
    communities = Area.objects.filter(level="community")
    centres = ServicePost.objects.filter(type="party_service")
    assert {p.area_path[: 3 * Area.steplen] for p in centres} == {c.path for c in communities}


def test_every_post_is_located_to_its_deepest_area(demo, db):
    posts = list(ServicePost.objects.select_related("area"))
    idx, rows = locating.locate_many([p.lng for p in posts], [p.lat for p in posts])
    for post, i in zip(posts, idx.tolist(), strict=True):
        assert i >= 0
        assert rows[i].id == post.area_id, post.name
        assert post.area.level == "micro_grid"
        assert post.area_path == post.area.path
        assert post.area.code.startswith("510113")
        assert hours.validate(post.opening_hours) == post.opening_hours
        assert 3 <= len(post.services) <= 5
        assert post.phone.startswith("028-")


def test_responsible_people_are_demo_staff_in_scope(demo, db):
    from shezhi.core.roles import LOCAL_ROLES
    from shezhi.core.scope import holds_role_over

    with_person = ServicePost.objects.exclude(responsible=None).select_related(
        "responsible", "area"
    )
    assert with_person.count() > 0
    for post in with_person:
        assert holds_role_over(post.responsible, post.area, LOCAL_ROLES)
    centre = ServicePost.objects.get(
        type="party_service", area_path__startswith=Area.objects.get(code="510113001001").path
    )
    assert centre.responsible.username in ("community_staff", "grid_worker", "mg_worker")


def test_idempotent_and_deterministic(demo, db):
    before = list(ServicePost.objects.order_by("pk").values_list("name", "lng", "lat", "area_id"))
    assert build_demo_posts() is None
    assert ServicePost.objects.count() == 305
    with transaction.atomic():
        ServicePost.objects.all().delete()
        assert build_demo_posts() == 305
        again = list(
            ServicePost.objects.order_by("pk").values_list("name", "lng", "lat", "area_id")
        )
        transaction.set_rollback(True)
    assert list(again) == before
