"""The lists' pages: staff curate on their list's page, match on the item's page and
register resources; anyone reads a community's published list; the residents behind a
delivered item rate it there, once; outside scope a 404."""

from __future__ import annotations

import pytest

from shezhi.lists import services
from shezhi.lists.models import NeedItem, NeedsList, Rating, Resource
from tests.factories import PASSWORD

from .conftest import make_item, make_list, make_resource, match

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    return client


def test_staff_make_a_list_and_curate_it_from_the_groups(client, world):
    _as(client, world.staff)
    assert client.get("/lists/").status_code == 200
    r = client.post(
        "/lists/",
        {"area": "510113001001", "edition": "2026年第1期", "title": "凤凰社区需求清单",
         "starts_on": "2026-01-01", "ends_on": "2026-06-30"},
    )  # fmt: skip
    n = NeedsList.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/lists/{n.pk}/"
    page = client.get(f"/lists/{n.pk}/").content.decode()
    assert world.group.title in page and world.far_group.title not in page
    r = client.post(f"/lists/{n.pk}/", {"groups": [str(world.group.pk)], "priority": "1"})
    assert r.status_code == 302
    item = NeedItem.objects.get()
    assert item.residents == 2 and item.priority == 1
    r = client.post(f"/lists/{n.pk}/", {"groups": [], "priority": "1"})
    assert r.status_code == 400 and NeedItem.objects.count() == 1
    client.post(f"/lists/{n.pk}/publish/")
    n.refresh_from_db()
    assert n.published


def test_a_bad_list_form_is_a_400_and_writes_nothing(client, world):
    _as(client, world.staff)
    r = client.post("/lists/", {"area": "510113001001", "edition": "", "title": "x"})
    assert r.status_code == 400 and not NeedsList.objects.exists()


def test_the_item_page_suggests_and_matches_and_moves(client, world):
    item = make_item(world)
    r = make_resource(world)
    _as(client, world.staff)
    page = client.get(f"/lists/items/{item.pk}/").content.decode()
    assert "凤凰志愿服务队" in page and 'data-testid="suggestions"' in page
    client.post(
        f"/lists/items/{item.pk}/match/",
        {"resource": str(r.pk), "plan": "每周送餐", "starts_on": "2026-03-01",
         "ends_on": "2026-05-31", "capacity_used": "2"},
    )  # fmt: skip
    item.refresh_from_db()
    assert item.status == "claimed" and item.project.capacity_used == 2
    client.post(f"/lists/items/{item.pk}/move/", {"to": "in_delivery", "version": "1"})
    client.post(f"/lists/items/{item.pk}/move/", {"to": "delivered", "outcome": ""})
    item.refresh_from_db()
    assert item.status == "in_delivery"  # no outcome: refused, shown as a message
    client.post(f"/lists/items/{item.pk}/move/", {"to": "delivered", "outcome": "已开张"})
    item.refresh_from_db()
    assert item.status == "delivered"


def test_staff_register_resources_on_their_page(client, world):
    _as(client, world.staff)
    r = client.post(
        "/lists/resources/",
        {"area": "510113001001", "provider_kind": "volunteer_team", "provider_name": "志愿队",
         "offer_kind": "elderly_care", "title": "助老", "capacity": "10", "capacity_unit": "人次"},
    )  # fmt: skip
    assert r.status_code == 302 and Resource.objects.get().capacity == 10
    r = client.post("/lists/resources/", {"area": "510113001001", "capacity": "x"})
    assert r.status_code == 400 and Resource.objects.count() == 1
    assert "志愿队" in client.get("/lists/resources/").content.decode()


def test_residents_and_departments_have_no_staff_pages(client, world, shared_cast):
    item = make_item(world)
    for user in (world.resident, shared_cast.dept_cg, shared_cast.community2):
        _as(client, user)
        assert client.get(f"/lists/items/{item.pk}/").status_code == 404
        assert client.get(f"/lists/{item.needs_list_id}/").status_code == 404
    _as(client, world.resident)
    assert client.get("/lists/").status_code == 404


def test_anyone_reads_the_published_list_and_those_behind_rate_once(client, world):
    item = make_item(world)
    make_item(world, make_list(world, edition="draft", publish=False), title="草稿条目")
    client.logout()
    page = client.get(f"/lists/public/{world.t['community'].code}/").content.decode()
    assert item.title in page and "草稿条目" not in page
    assert f">{world.resident.username}<" not in page
    match(world, item, make_resource(world))
    services.move_item(actor=world.staff, item=item, to="in_delivery")
    services.move_item(actor=world.staff, item=item, to="delivered", outcome="已开张")
    _as(client, world.resident)
    page = client.get(f"/lists/public/{world.t['community'].code}/").content.decode()
    assert f'data-testid="rate-{item.pk}"' in page
    r = client.post(f"/lists/items/{item.pk}/rate/", {"score": "5", "comment": "好"})
    assert r.status_code == 302
    client.post(f"/lists/items/{item.pk}/rate/", {"score": "1"})
    assert list(Rating.objects.values_list("score", flat=True)) == [5]
    page = client.get(f"/lists/items/{item.pk}/public/").content.decode()
    assert f'data-testid="rated-{item.pk}"' in page
    _as(client, world.far_resident)
    assert client.post(f"/lists/items/{item.pk}/rate/", {"score": "5"}).status_code == 404
    assert client.get("/lists/public/510113001001001001/").status_code == 404


def test_a_resident_finds_their_communitys_list(client, world):
    _as(client, world.resident)
    r = client.get("/lists/community/")
    assert r.status_code == 302 and r["Location"] == f"/lists/public/{world.t['community'].code}/"
    _as(client, world.far_resident)
    assert client.get("/lists/community/")["Location"].endswith("/510113001002/")
    _as(client, world.street_staff)
    assert client.get("/lists/community/").status_code == 404
