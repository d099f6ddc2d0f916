"""/api/v1/lists and /api/v1/resources: staff create, curate, publish, match and move;
the residents behind a delivered item rate it once; anyone reads a community's published
items (never who asked); 404 outside scope; bad input a 4xx naming the field, nothing
written."""

from __future__ import annotations

import pytest

from shezhi.lists.models import ListProject, NeedItem, NeedsList, Rating, Resource
from tests.factories import PASSWORD

from .conftest import make_item, make_list, make_resource, match

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    return client


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


LIST = {
    "area": "510113001001",
    "edition": "2026年第1期",
    "title": "凤凰社区需求清单",
    "starts_on": "2026-01-01",
    "ends_on": "2026-06-30",
}


def test_staff_run_an_item_from_curation_to_delivery(client, world):
    _as(client, world.staff)
    r = _post(client, "/api/v1/lists", LIST)
    assert r.status_code == 201, r.content
    list_id = r.json()["id"]
    r = _post(client, f"/api/v1/lists/{list_id}/items", {"groups": [world.group.pk], "priority": 1})
    assert r.status_code == 201, r.content
    item = r.json()
    assert item["residents"] == 2 and item["status"] == "published"
    assert _post(client, f"/api/v1/lists/{list_id}/publish").json()["published"] is True
    got = client.get(f"/api/v1/lists/{list_id}").json()
    assert [i["id"] for i in got["items"]] == [item["id"]]
    resource = make_resource(world)
    sug = client.get(f"/api/v1/lists/items/{item['id']}/suggestions").json()
    assert sug[0]["resource"]["id"] == resource.pk and sug[0]["score"] == 130
    assert sug[0]["reasons"]
    r = _post(
        client,
        f"/api/v1/lists/items/{item['id']}/match",
        {"resource": resource.pk, "plan": "每周送餐", "starts_on": "2026-03-01",
         "ends_on": "2026-05-31", "version": 0},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    r = _post(client, f"/api/v1/lists/items/{item['id']}/move", {"to": "in_delivery"})
    assert r.status_code == 200 and r.json()["status"] == "in_delivery"
    r = _post(client, f"/api/v1/lists/items/{item['id']}/move", {"to": "delivered"})
    assert r.status_code == 400 and r.json()["field"] == "outcome"
    r = _post(
        client, f"/api/v1/lists/items/{item['id']}/move", {"to": "delivered", "outcome": "已开张"}
    )
    body = r.json()
    assert body["status"] == "delivered" and body["project"]["outcome"] == "已开张"
    assert [s["to_status"] for s in body["steps"]] == [
        "published", "claimed", "in_delivery", "delivered",
    ]  # fmt: skip
    projects = client.get("/api/v1/lists/projects").json()
    assert projects["items"][0]["item"] == item["id"]
    # The residents behind it rate it; once each.
    _as(client, world.resident)
    r = _post(client, f"/api/v1/lists/items/{item['id']}/ratings", {"score": 5})
    assert r.status_code == 201, r.content
    r = _post(client, f"/api/v1/lists/items/{item['id']}/ratings", {"score": 4})
    assert r.status_code == 400 and r.json()["field"] == "score"
    _as(client, world.far_resident)
    r = _post(client, f"/api/v1/lists/items/{item['id']}/ratings", {"score": 1})
    assert r.status_code == 404
    assert Rating.objects.count() == 1


def test_a_wrong_move_is_a_409_naming_the_field(client, world):
    item = make_item(world)
    _as(client, world.staff)
    r = _post(client, f"/api/v1/lists/items/{item.pk}/move", {"to": "evaluated"})
    assert r.status_code == 409 and r.json()["field"] == "to"
    r = _post(client, f"/api/v1/lists/items/{item.pk}/move", {"to": "nowhere"})
    assert r.status_code in (400, 422) and "to" in r.content.decode()
    item.refresh_from_db()
    assert item.status == "published" and item.steps.count() == 1


def test_bad_input_names_the_field_and_writes_nothing(client, world):
    _as(client, world.staff)
    for patch, field in (
        ({"area": "510113001001001001"}, "area"),
        ({"ends_on": "2025-01-01"}, "ends_on"),
        ({"edition": ""}, "edition"),
    ):
        r = _post(client, "/api/v1/lists", {**LIST, **patch})
        assert r.status_code == 400 and r.json()["field"] == field, r.content
    r = _post(client, "/api/v1/lists", {**LIST, "starts_on": "yesterday"})
    assert r.status_code == 422 and "starts_on" in r.content.decode()
    assert not NeedsList.objects.exists()
    n = make_list(world)
    r = _post(client, f"/api/v1/lists/{n.pk}/items", {"groups": [world.far_group.pk]})
    assert r.status_code == 400 and r.json()["field"] == "groups"
    r = _post(
        client,
        "/api/v1/resources",
        {"area": "510113001001", "provider_kind": "enterprise", "provider_name": "某公司",
         "offer_kind": "parking", "title": "共享车位", "capacity": 0, "capacity_unit": "个"},
    )  # fmt: skip
    assert r.status_code == 422 and "capacity" in r.content.decode()
    assert not NeedItem.objects.exists() and not Resource.objects.exists()


def test_resources_are_registered_and_read_where_they_serve(client, world, shared_cast):
    _as(client, world.street_staff)
    r = _post(
        client,
        "/api/v1/resources",
        {"area": "510113001", "provider_kind": "enterprise", "provider_name": "青江物业",
         "offer_kind": "parking", "title": "夜间共享车位", "capacity": 40, "capacity_unit": "个"},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    # A street's resource serves its communities: their staff and workers read it.
    for user in (world.staff, shared_cast.mg_worker):
        _as(client, user)
        assert client.get(f"/api/v1/resources/{rid}").status_code == 200
        assert [x["id"] for x in client.get("/api/v1/resources").json()["items"]] == [rid]
    for user in (shared_cast.other_street, shared_cast.other_district, world.resident):
        _as(client, user)
        assert client.get(f"/api/v1/resources/{rid}").status_code == 404
    _as(client, world.staff)  # a community's staff do not switch off the street's
    assert _post(client, f"/api/v1/resources/{rid}/active", {"active": False}).status_code == 403


def test_the_public_list_needs_no_sign_in_and_names_nobody(client, world):
    item = make_item(world)
    make_item(world, make_list(world, edition="draft", publish=False), title="草稿")
    client.logout()
    r = client.get(f"/api/v1/lists/public/{world.t['community'].code}")
    assert r.status_code == 200
    body = r.json()
    assert [i["id"] for i in body["items"]] == [item.pk] and body["items"][0]["residents"] == 2
    text = r.content.decode()
    for name in (world.resident.username, world.resident2.username):
        assert f'"{name}"' not in text
    assert client.get("/api/v1/lists/public/510113001001001001").status_code == 404
    assert client.get("/api/v1/lists/public/nope").status_code == 404


def test_outside_scope_everything_is_a_404(client, world, shared_cast):
    item = make_item(world)
    match(world, item, make_resource(world))
    for user in (shared_cast.community2, shared_cast.other_district, shared_cast.dept_cg):
        _as(client, user)
        assert client.get(f"/api/v1/lists/{item.needs_list_id}").status_code == 404
        assert client.get(f"/api/v1/lists/items/{item.pk}").status_code == 404
        r = _post(client, f"/api/v1/lists/items/{item.pk}/move", {"to": "in_delivery"})
        assert r.status_code == 404
        assert client.get("/api/v1/lists/items").json()["items"] == []
        assert client.get("/api/v1/lists/projects").json()["items"] == []
    assert ListProject.objects.get().item.status == "claimed"
