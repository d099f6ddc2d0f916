"""The service-post API: public reads, scoped staff reads and writes, specific errors."""

from __future__ import annotations

import pytest
from django.utils.translation import override

from shezhi.places.models import ServicePost
from tests.areas.test_api import bearer
from tests.events.conftest import jpeg
from tests.places.conftest import (
    EVENINGS,
    IN_COMMUNITY2,
    IN_MICRO1,
    IN_MICRO2,
    IN_STREET2,
    MONDAY_10,
    MONDAY_19,
    OFFICE,
    OUTSIDE_EVERYTHING,
)

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def posts(make_post, actors):
    return {
        "near": make_post((104.021, 30.621), name="近", opening_hours=OFFICE, phone="028-1"),
        "middle": make_post(
            (104.03, 30.63), name="中", opening_hours=EVENINGS, responsible="grid_worker"
        ),
        "far": make_post(IN_MICRO2, name="远", opening_hours=OFFICE),
        "east": make_post(IN_STREET2, name="东", opening_hours=OFFICE, type="volunteer"),
    }


def test_public_nearest_list_needs_no_sign_in(client, posts):
    at = MONDAY_10.isoformat()
    resp = client.get("/api/v1/posts", {"lng": IN_MICRO1[0], "lat": IN_MICRO1[1], "at": at})
    assert resp.status_code == 200, resp.content
    items = resp.json()["items"]
    assert [i["name"] for i in items] == ["近", "中", "远", "东"]
    assert items[0]["distance_m"] < items[1]["distance_m"] < items[2]["distance_m"]
    assert [i["open_now"] for i in items] == [True, False, True, True]
    first = items[0]
    assert first["today"] == OFFICE["mon"]
    assert first["closes_at"].startswith("2026-11-23T12:00")
    assert first["phone"] == "028-1"
    assert first["url"] == f"/posts/{posts['near'].pk}/"
    assert "responsible" not in first and "active" not in first
    assert items[1]["responsible_name"] == "grid_worker"

    resp = client.get(
        "/api/v1/posts",
        {"lng": IN_MICRO1[0], "lat": IN_MICRO1[1], "open_now": "true", "at": MONDAY_19.isoformat()},
    )
    assert [i["name"] for i in resp.json()["items"]] == ["中"]
    resp = client.get(
        "/api/v1/posts", {"lng": IN_MICRO1[0], "lat": IN_MICRO1[1], "limit": 2, "type": "volunteer"}
    )
    assert [i["name"] for i in resp.json()["items"]] == ["东"]


def test_public_list_without_a_point_and_filters(client, posts, actors):
    resp = client.get("/api/v1/posts")
    assert resp.json()["count"] == 4
    resp = client.get("/api/v1/posts", {"area": "510113001001001002"})
    assert [i["name"] for i in resp.json()["items"]] == ["远"]
    resp = client.get("/api/v1/posts", {"open_now": "true", "at": MONDAY_19.isoformat()})
    assert [i["name"] for i in resp.json()["items"]] == ["中"]
    assert client.get("/api/v1/posts", {"area": "999999"}).status_code == 404
    posts["near"].active = False
    posts["near"].save()
    assert client.get("/api/v1/posts").json()["count"] == 3


def test_public_list_errors_are_specific(client, posts):
    resp = client.get("/api/v1/posts", {"lng": 104.0})
    assert resp.status_code == 400
    assert resp.json()["field"] == "lat"
    resp = client.get("/api/v1/posts", {"lng": 104.0, "lat": 30.6, "limit": 0})
    assert resp.status_code == 422
    assert "limit" in str(resp.json()["detail"])
    resp = client.get("/api/v1/posts", {"type": "pub"})
    assert resp.status_code == 422
    assert "type" in str(resp.json()["detail"])
    resp = client.get("/api/v1/posts", {"lng": 500, "lat": 30})
    assert resp.status_code == 400 and resp.json()["field"] == "lng"


def test_public_detail_and_inactive_404(client, posts):
    resp = client.get(f"/api/v1/posts/{posts['near'].pk}")
    assert resp.status_code == 200
    body = resp.json()
    assert body["name"] == "近" and body["photos"] == []
    assert body["area"]["code"] == "510113001001001001"
    posts["near"].active = False
    posts["near"].save()
    assert client.get(f"/api/v1/posts/{posts['near'].pk}").status_code == 404
    assert client.get("/api/v1/posts/999999").status_code == 404


def test_staff_create_and_bad_input(client, actors, territory):
    headers = bearer(client, "community_staff")
    body = {
        "name": "誉府会客厅",
        "type": "living_room",
        "lng": IN_MICRO1[0],
        "lat": IN_MICRO1[1],
        "opening_hours": {"mon": [["09:00", "21:00"]]},
        "services": ["邻里议事"],
        "responsible": "grid_worker",
    }
    resp = client.post("/api/v1/posts", body, content_type=JSON, **headers)
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["area"]["code"] == "510113001001001001"
    assert data["responsible"] == "grid_worker" and data["active"] is True
    post = ServicePost.objects.get()
    assert post.opening_hours == {"mon": [["09:00", "21:00"]]}

    with override("en"):
        for change, field, words in [
            ({"opening_hours": {"wed": [["18:00", "09:00"]]}}, "opening_hours", "Wednesday"),
            ({"lng": OUTSIDE_EVERYTHING[0], "lat": OUTSIDE_EVERYTHING[1]}, "location", "outside"),
            ({"lng": IN_COMMUNITY2[0], "lat": IN_COMMUNITY2[1]}, "location", "manage"),
            ({"responsible": "other_street"}, "responsible", "holds no role"),
        ]:
            resp = client.post(
                "/api/v1/posts",
                {**body, "name": "新的", **change},
                content_type=JSON,
                HTTP_ACCEPT_LANGUAGE="en",
                **headers,
            )
            assert resp.status_code == 400, (change, resp.content)
            assert resp.json()["field"] == field
            assert words in resp.json()["detail"]
    # Schema errors name the field.
    resp = client.post("/api/v1/posts", {**body, "type": "pub"}, content_type=JSON, **headers)
    assert resp.status_code == 422 and "type" in str(resp.json()["detail"])
    resp = client.post(
        "/api/v1/posts",
        {**body, "opening_hours": {"mon": "09:00-21:00"}},
        content_type=JSON,
        **headers,
    )
    assert resp.status_code == 422 and "opening_hours" in str(resp.json()["detail"])
    assert ServicePost.objects.count() == 1

    resp = client.post("/api/v1/posts", body, content_type=JSON, **bearer(client, "grid_worker"))
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"
    assert client.post("/api/v1/posts", body, content_type=JSON).status_code == 401


def test_staff_patch_is_scoped(client, posts, actors):
    post = posts["near"]
    url = f"/api/v1/posts/{post.pk}"
    resp = client.patch(
        url, {"name": "改名", "active": False}, content_type=JSON, **bearer(client, "street_staff")
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["name"] == "改名" and resp.json()["active"] is False
    post.refresh_from_db()
    assert post.name == "改名" and not post.active
    assert post.opening_hours == OFFICE  # untouched

    for username in ("other_street", "other_district", "community2_staff", "nobody"):
        resp = client.patch(url, {"name": "x"}, content_type=JSON, **bearer(client, username))
        assert resp.status_code == 404, username
    resp = client.patch(url, {"name": "x"}, content_type=JSON, **bearer(client, "grid_worker"))
    assert resp.status_code == 403
    headers = bearer(client, "community_staff")
    resp = client.patch(
        url,
        {"opening_hours": {"fri": [["08:00", "12:00"], ["09:00", "10:00"]]}},
        content_type=JSON,
        **headers,
    )
    assert resp.status_code == 400 and resp.json()["field"] == "opening_hours"
    resp = client.patch(url, {"name": None}, content_type=JSON, **headers)
    assert resp.status_code == 400 and resp.json()["field"] == "name"
    resp = client.patch(url, {"responsible": None}, content_type=JSON, **headers)
    assert resp.status_code == 200 and resp.json()["responsible"] is None
    post.refresh_from_db()
    assert post.name == "改名"
    assert client.patch("/api/v1/posts/999999", {}, content_type=JSON, **headers).status_code == 404


def test_staff_registry_endpoint(client, posts):
    headers = bearer(client, "community_staff")
    resp = client.get("/api/v1/posts/manage", **headers)
    assert resp.status_code == 200
    assert sorted(i["name"] for i in resp.json()["items"]) == ["中", "近", "远"]
    resp = client.get("/api/v1/posts/manage", {"area": "510113001001001002"}, **headers)
    assert [i["name"] for i in resp.json()["items"]] == ["远"]
    assert client.get("/api/v1/posts/manage", {"area": "510113002"}, **headers).status_code == 404
    other = bearer(client, "other_street")
    assert [i["name"] for i in client.get("/api/v1/posts/manage", **other).json()["items"]] == [
        "东"
    ]
    pk = posts["near"].pk
    assert client.get(f"/api/v1/posts/manage/{pk}", **headers).status_code == 200
    assert client.get(f"/api/v1/posts/manage/{pk}", **other).status_code == 404
    assert client.get("/api/v1/posts/manage", **bearer(client, "grid_worker")).json()["count"] == 0


def test_photos_endpoint(client, posts, settings):
    post = posts["near"]
    headers = bearer(client, "community_staff")
    resp = client.post(f"/api/v1/posts/{post.pk}/photos", {"photos": [jpeg()]}, **headers)
    assert resp.status_code == 200, resp.content
    photos = resp.json()["photos"]
    assert len(photos) == 1
    assert client.get(photos[0]["url"]).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post(
        f"/api/v1/posts/{post.pk}/photos",
        {"photos": [SimpleUploadedFile("x.jpg", b"not a photo")]},
        **headers,
    )
    assert resp.status_code == 400 and resp.json()["field"] == "photos"
    assert post.photos.count() == 1
    resp = client.post(
        f"/api/v1/posts/{post.pk}/photos", {"photos": [jpeg()]}, **bearer(client, "other_street")
    )
    assert resp.status_code == 404


def test_moments_out_of_range_are_refused_naming_the_field(client, posts):
    """``at=0407-03-25T07:50:24+20:58`` answered 500 (a pre-1901 offset failed the
    response's validation): years outside 2000–2100 and odd UTC offsets are a 422."""
    post = posts["near"]
    for at in (
        "0407-03-25T07:50:24+20:58",
        "1999-12-31T23:00:00+08:00",
        "2101-01-01T00:00:00+08:00",
        "2026-11-23T10:00:00+08:01",
        "2026-11-23T10:00:00+15:00",
    ):
        resp = client.get(f"/api/v1/posts/{post.pk}", {"at": at})
        assert resp.status_code == 422, at
        assert resp.json()["code"] == "invalid" and resp.json()["field"] == "at", at
        resp = client.get("/api/v1/posts", {"open_now": "true", "at": at})
        assert resp.status_code == 422 and resp.json()["field"] == "at", at
    for at in ("2026-11-23T10:00:00+05:45", "2026-11-23T10:00:00-09:30", MONDAY_10.isoformat()):
        assert client.get(f"/api/v1/posts/{post.pk}", {"at": at}).status_code == 200, at
