"""The demo's three lists: every community's list with an item in every stage, its
resources and projects; the demo resident is behind a delivered item they may rate."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings

from shezhi.demo.areas import build_demo_areas
from shezhi.demo.lists import build_demo_lists
from shezhi.demo.people import build_demo_workforce, link_demo_users
from shezhi.demo.users import ensure_demo_users
from shezhi.lists import selectors
from shezhi.lists.models import NeedItem, NeedsList, Status

pytestmark = pytest.mark.slow


def test_nothing_without_the_demo_district(db):
    assert build_demo_lists() == {}


@pytest.mark.django_db
def test_every_community_has_a_published_list_with_items_in_every_stage():
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=hashers), transaction.atomic():
        build_demo_areas()
        build_demo_workforce()
        ensure_demo_users()
        link_demo_users()
        started = time.perf_counter()
        made = build_demo_lists()
        took = time.perf_counter() - started
    assert took < 20, took
    assert made["needs lists"] > 10 and made["items"] == 5 * made["needs lists"]
    assert build_demo_lists() == {}  # idempotent
    for n in NeedsList.objects.all()[:5]:
        assert n.published
        assert set(n.items.values_list("status", flat=True)) == set(Status.values)
    assert not NeedItem.objects.filter(residents=0).exists()
    for it in NeedItem.objects.exclude(status=Status.PUBLISHED)[:20]:
        assert it.project.resource.area_path in it.area.path
        assert it.steps.count() >= 2
    resident = get_user_model().objects.get(username="resident")
    delivered = NeedItem.objects.get(area__code="510113001001", status=Status.DELIVERED)
    assert selectors.is_behind(resident, delivered)
    evaluated = NeedItem.objects.get(area__code="510113001001", status=Status.EVALUATED)
    assert selectors.rating_summary(evaluated)["ratings"] == 1
