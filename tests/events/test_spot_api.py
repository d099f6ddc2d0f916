"""POST /api/v1/events/on-spot: 当场处置 for API clients (the grid workers' app)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shezhi.events.models import Event, EventPhoto, EventTransition
from tests.areas.test_api import bearer
from tests.events.conftest import IN_MICRO1, IN_MICRO2, jpeg

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/on-spot"


def counts() -> tuple[int, int, int]:
    return Event.objects.count(), EventTransition.objects.count(), EventPhoto.objects.count()


def media_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def post(client, headers, *, after=True, before=True, point=IN_MICRO1, **fields):
    data = {
        "category": "0101",
        "description": "楼下暴露垃圾",
        "result": "已当场清理",
        "lng": str(point[0]),
        "lat": str(point[1]),
        **fields,
    }
    if after:
        data["after_photos"] = [jpeg(name="after.jpg", color=(20, 160, 60))]
    if before:
        data["before_photos"] = [jpeg(name="before.jpg")]
    return client.post(URL, data, **headers)


def test_a_grid_worker_closes_it_in_one_call(client, actors, settings):
    settings.SHEZHI_SPOT_CHECK_SHARE = 0
    headers = bearer(client, "mg_worker")
    resp = post(client, headers)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["state"] == "closed" and body["source"] == "patrol"
    assert body["handler"]["kind"] == "worker" and body["handler"]["user"] == "mg_worker"
    assert body["result"] == "已当场清理"
    assert sorted(p["stage"] for p in body["photos"]) == ["report", "result"]
    timeline = client.get(f"/api/v1/events/{body['id']}/timeline", **headers).json()
    assert [t["action"] for t in timeline] == [
        "report", "register", "dispatch", "accept", "handle", "close_on_spot",
    ]  # fmt: skip
    assert timeline[4]["data"]["on_spot"] is True


def test_a_spot_check_answers_the_event_waiting_for_the_community(client, actors, settings):
    settings.SHEZHI_SPOT_CHECK_SHARE = 1
    resp = post(client, bearer(client, "mg_worker"))
    assert resp.status_code == 201, resp.content
    assert resp.json()["state"] == "handled"
    community = bearer(client, "community")
    detail = client.get(f"/api/v1/events/{resp.json()['id']}", **community).json()
    assert "verify_pass" in detail["allowed_actions"]
    # Outside the community: 404, as for every event.
    other = bearer(client, "community2")
    assert client.get(f"/api/v1/events/{resp.json()['id']}", **other).status_code == 404


def test_a_retry_with_the_same_key_answers_the_first_event(client, actors, settings):
    settings.SHEZHI_SPOT_CHECK_SHARE = 0
    headers = {**bearer(client, "mg_worker"), "HTTP_IDEMPOTENCY_KEY": "spot-1"}
    first = post(client, headers)
    assert first.status_code == 201
    before = counts()
    again = post(client, headers)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert counts() == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"after": False}, "after_photos"),
        ({"category": "0501"}, "category"),  # road collapse: a department's
        ({"point": IN_MICRO2}, "location"),  # mg_worker serves micro1 only
        ({"result": " "}, "result"),
        ({"category": "9999"}, "category"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(client, actors, settings, change, field):
    headers = bearer(client, "mg_worker")
    before = counts()
    resp = post(client, headers, **change)
    assert resp.status_code == 400, resp.content
    assert resp.json()["code"] == "bad_input" and resp.json()["field"] == field
    assert counts() == before
    assert media_files(settings) == []


def test_a_bad_after_photo_names_its_field(client, actors, settings):
    junk = SimpleUploadedFile("after.jpg", b"no picture", "image/jpeg")
    resp = client.post(
        URL,
        {"category": "0101", "description": "垃圾", "result": "已清理",
         "lng": str(IN_MICRO1[0]), "lat": str(IN_MICRO1[1]), "after_photos": [junk]},
        **bearer(client, "mg_worker"),
    )  # fmt: skip
    assert resp.status_code == 400 and resp.json()["field"] == "after_photos"
    assert counts() == (0, 0, 0) and media_files(settings) == []


def test_who_is_no_grid_worker_is_refused(client, actors):
    for username in ("resident", "community", "district"):
        resp = post(client, bearer(client, username))
        assert resp.status_code == 403, username
        assert resp.json()["code"] == "forbidden"
    assert counts() == (0, 0, 0)


def test_over_long_text_is_refused_by_the_schema(client, actors):
    resp = post(client, bearer(client, "mg_worker"), result="很" * 4001)
    assert resp.status_code == 422
    assert counts() == (0, 0, 0)


def test_the_categories_say_which_allow_it(client, actors):
    tree = client.get("/api/v1/events/categories", **bearer(client, "mg_worker")).json()
    subs = {s["code"]: s for t in tree for s in t["subcategories"]}
    assert subs["0101"]["allows_spot_handling"] is True
    assert subs["0501"]["allows_spot_handling"] is False


def test_openapi_documents_it_with_a_unique_schema_name(client):
    schema = client.get("/api/v1/openapi.json").json()
    body = schema["paths"][URL]["post"]["requestBody"]["content"]["multipart/form-data"]
    fields = body["schema"]["properties"]
    assert {"category", "result", "after_photos", "before_photos"} <= set(fields)
    assert fields["result"]["maxLength"] == 4000
    assert "SpotHandlingIn" in schema["components"]["schemas"]
