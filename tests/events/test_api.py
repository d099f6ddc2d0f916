"""The events API: submissions, lists, detail, timeline, actions, whistles, public map."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from shezhi.areas.geo.crs import wgs84_to_gcj02
from shezhi.events.models import (
    EmergencyPeriod,
    Event,
    EventPhoto,
    EventTransition,
    WhistleSummons,
)
from tests.areas.test_api import bearer
from tests.events.conftest import (
    IN_COMMUNITY2,
    IN_MICRO1,
    IN_MICRO2,
    IN_OTHER_DISTRICT,
    act,
    jpeg,
    report,
    run_to_closed,
)

pytestmark = pytest.mark.django_db

JSON = "application/json"


def counts() -> tuple[int, int, int]:
    return Event.objects.count(), EventTransition.objects.count(), EventPhoto.objects.count()


def submit(client, headers, _headers=None, **body):
    data = {
        "category": "0101",
        "description": "小区门口垃圾堆放两天无人清运",
        "lng": IN_MICRO1[0],
        "lat": IN_MICRO1[1],
    }
    data.update(body)
    return client.post("/api/v1/events", data, content_type=JSON, **headers, **(_headers or {}))


def do(client, headers, event, action, **body):
    return client.post(
        f"/api/v1/events/{event.pk}/actions/{action}", body, content_type=JSON, **headers
    )


def media_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# ---------------------------------------------------------------------------
# Health, auth, categories, schema


def test_health_needs_no_sign_in(client):
    resp = client.get("/api/v1/health")
    assert resp.status_code == 200 and resp.json() == {"ok": True}


def test_events_api_needs_authentication(client, actors):
    assert client.get("/api/v1/events").status_code == 401
    assert client.get("/api/v1/events/categories").status_code == 401
    before = counts()
    resp = client.post(
        "/api/v1/events",
        {"category": "0101", "description": "x", "lng": 104.02, "lat": 30.62},
        content_type=JSON,
    )
    assert resp.status_code == 401
    assert counts() == before


def test_session_sign_in_works_too(client, actors):
    report(actors.resident)
    client.force_login(actors.resident)
    assert client.get("/api/v1/events").json()["count"] == 1


def test_categories_tree(client, actors):
    headers = bearer(client, "resident")
    tree = client.get("/api/v1/events/categories", **headers).json()
    top = next(t for t in tree if t["code"] == "01")
    assert top["name"] == "市容环境" and top["kind"] == "urban"
    sub = next(s for s in top["subcategories"] if s["code"] == "0101")
    assert sub == {
        "code": "0101",
        "name": "暴露垃圾",
        "name_en": "Exposed rubbish",
        "department_code": "cg",
        "deadline": {"value": 4, "unit": "hours"},
        "emergency_deadline": {"value": 2, "unit": "hours"},
        "allows_anonymous": True,
        "grid_can_solve": True,
        "allows_spot_handling": True,
    }
    disputes = next(t for t in tree if t["code"] == "11")
    assert not next(s for s in disputes["subcategories"] if s["code"] == "1101")["allows_anonymous"]


def test_openapi_documents_every_events_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/health", "get"),
        ("/api/v1/events/categories", "get"),
        ("/api/v1/events", "post"),
        ("/api/v1/events", "get"),
        ("/api/v1/events/with-photos", "post"),
        ("/api/v1/events/{event_id}", "get"),
        ("/api/v1/events/{event_id}/timeline", "get"),
        ("/api/v1/events/{event_id}/actions/{action}", "post"),
        ("/api/v1/events/{event_id}/actions/{action}/with-photos", "post"),
        ("/api/v1/events/{event_id}/whistles", "get"),
        ("/api/v1/whistles/summonses", "get"),
        ("/api/v1/events/public", "get"),
        ("/api/v1/areas/{code}/emergency", "post"),
        ("/api/v1/areas/{code}/emergency/end", "post"),
    ]:
        op = paths[path][method]
        assert op["summary"], path
    create = paths["/api/v1/events"]["post"]
    assert {"201", "200", "400"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    action = paths["/api/v1/events/{event_id}/actions/{action}"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(action["responses"])


# ---------------------------------------------------------------------------
# Submitting


def test_submit_creates_and_answers_the_event(client, actors):
    headers = bearer(client, "resident")
    before = counts()
    resp = submit(client, headers, address="凤凰路1号", contact_phone="13812345678")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    event = Event.objects.get()
    assert body["id"] == event.pk and body["number"] == event.number
    assert body["state"] == "reported" and body["source"] == "api"
    assert body["category"]["code"] == "0101" and body["category"]["class_code"] == "01"
    assert body["area"]["code"] == "510113001001001001"
    assert body["owner_area"]["code"] == "510113001001001"
    assert body["handler"] is None and body["sla"] == "" and body["version"] == 0
    assert "13812345678" not in resp.content.decode()
    assert counts() == (before[0] + 1, before[1] + 1, before[2])
    assert event.submitted_by == actors.resident and event.reporter == actors.resident


def test_submit_adds_no_query_to_the_service(client, actors):
    """The hot path: the handler serialises from the objects the service already holds."""
    headers = bearer(client, "resident")
    submit(client, headers)  # the token's last use is touched once
    with CaptureQueriesContext(connection) as direct:
        report(actors.resident, description="直接调用服务")
    with CaptureQueriesContext(connection) as through_api:
        assert submit(client, headers, description="经接口提交").status_code == 201
    assert len(through_api) <= len(direct) + 1  # + the bearer token's lookup


def test_idempotent_replay_returns_the_same_event(client, actors):
    headers = bearer(client, "resident")
    first = submit(client, headers, _headers={"HTTP_IDEMPOTENCY_KEY": "k-1"})
    assert first.status_code == 201
    before = counts()
    again = submit(client, headers, _headers={"HTTP_IDEMPOTENCY_KEY": "k-1"})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["area"] == first.json()["area"]
    # the same key in the body field is the same submission
    body = submit(client, headers, idempotency_key="k-1")
    assert body.status_code == 200 and body.json()["id"] == first.json()["id"]
    assert counts() == before
    # a key is per submitter: another user's k-1 is a new event
    other = submit(client, bearer(client, "resident2"), idempotency_key="k-1")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_header_and_body_keys_must_agree(client, actors):
    headers = bearer(client, "resident")
    before = counts()
    resp = submit(client, headers, idempotency_key="a", _headers={"HTTP_IDEMPOTENCY_KEY": "b"})
    assert resp.status_code == 400
    assert resp.json()["code"] == "bad_input" and resp.json()["field"] == "idempotency_key"
    assert counts() == before


def test_submit_in_another_crs(client, actors):
    headers = bearer(client, "resident")
    lng, lat = wgs84_to_gcj02(*IN_MICRO2)
    resp = submit(client, headers, lng=lng, lat=lat, crs="gcj02")
    assert resp.status_code == 201
    body = resp.json()
    assert body["area"]["code"] == "510113001001001002"
    assert abs(body["lng"] - IN_MICRO2[0]) < 1e-6 and abs(body["lat"] - IN_MICRO2[1]) < 1e-6


@pytest.mark.parametrize(
    ("user", "body", "field"),
    [
        ("resident", {"category": "9999"}, "category"),
        ("resident", {"category": "01"}, "category"),  # a class, not a subcategory
        ("resident", {"lng": 110.0, "lat": 20.0}, "location"),  # outside every district
        ("resident", {"lng": None, "lat": None}, "location"),  # no point, no photo
        ("resident", {"description": "   "}, "description"),
        ("resident", {"category": "1101", "anonymous": True}, "anonymous"),
        ("resident", {"source": "patrol"}, "location"),  # not their grid to patrol
        ("resident", {"source": "hotline"}, "source"),  # staff only
        ("mg_worker2", {"source": "patrol"}, "location"),  # micro1 is not theirs
        ("resident", {"contact_phone": "12345"}, "contact_phone"),
    ],
)
def test_bad_submissions_write_nothing(client, actors, user, body, field):
    headers = bearer(client, user)
    before = counts()
    resp = submit(client, headers, **body)
    assert resp.status_code == 400, resp.content
    assert resp.json()["code"] == "bad_input"
    assert resp.json()["field"] == field
    assert resp.json()["detail"]
    assert counts() == before


def test_bad_input_message_follows_the_language(client, actors):
    headers = bearer(client, "resident")
    with override("en"):
        resp = submit(client, headers, category="9999", _headers={"HTTP_ACCEPT_LANGUAGE": "en"})
    assert resp.status_code == 400
    assert resp.json()["detail"].startswith("Unknown event category 9999")


def test_schema_errors_are_422(client, actors):
    headers = bearer(client, "resident")
    before = counts()
    assert submit(client, headers, crs="mars").status_code == 422
    assert submit(client, headers, source="carrier_pigeon").status_code == 422
    assert counts() == before


def test_a_key_reused_for_another_request_is_422(client, actors):
    """As payment APIs answer: the key stands for one request, not for whatever comes."""
    headers = bearer(client, "resident")
    first = submit(client, headers, _headers={"HTTP_IDEMPOTENCY_KEY": "k-2"})
    assert first.status_code == 201
    before = counts()
    for change in ({"description": "另一件事"}, {"lng": IN_MICRO2[0]}, {"anonymous": True}):
        resp = submit(client, headers, _headers={"HTTP_IDEMPOTENCY_KEY": "k-2"}, **change)
        assert resp.status_code == 422, change
        body = resp.json()
        assert body["code"] == "idempotency_key_reused" and body["field"] == "idempotency_key"
    # with photos (the early look-up before the photo work) too
    resp = post_with_photos(
        client, headers, [jpeg()], description="又一件事", _key="k-2", lng=str(IN_MICRO1[0])
    )
    assert resp.status_code == 422 and resp.json()["code"] == "idempotency_key_reused"
    assert counts() == before
    # the same request again is still the retry it was
    again = submit(client, headers, _headers={"HTTP_IDEMPOTENCY_KEY": "k-2"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_over_long_address_and_contact_name_are_refused_not_cut(client, actors):
    headers = bearer(client, "community")
    before = counts()
    resp = submit(client, headers, source="hotline", address="路" * 201)
    assert resp.status_code == 422
    assert resp.json()["field"] == "address" and "200" in resp.json()["detail"]
    resp = submit(client, headers, source="hotline", contact_name="名" * 51)
    assert resp.status_code == 422
    assert resp.json()["field"] == "contact_name" and "50" in resp.json()["detail"]
    assert counts() == before
    # the service refuses them too (pages, imports), naming the limit
    from shezhi.core.errors import BadInput

    for field, value, limit in (("address", "路" * 201, "200"), ("contact_name", "名" * 51, "50")):
        with pytest.raises(BadInput) as caught:
            report(actors.community, source="hotline", **{field: value})
        assert caught.value.field == field and limit in caught.value.message
    assert counts() == before
    ok = submit(client, headers, source="hotline", address="路" * 200, contact_name="名" * 50)
    assert ok.status_code == 201 and ok.json()["address"] == "路" * 200


def test_booleans_are_true_or_false_only(client, actors):
    headers = bearer(client, "resident")
    before = counts()
    for value in ("yes", "true", 1, "1", "on", None):
        resp = submit(client, headers, anonymous=value)
        assert resp.status_code == 422, value
        assert resp.json()["field"] == "anonymous"
    resp = post_with_photos(client, headers, [], anonymous="yes")
    assert resp.status_code == 422 and resp.json()["field"] == "anonymous"
    assert counts() == before
    assert client.get("/api/v1/events?mine=yes", **headers).status_code == 422
    assert client.get("/api/v1/events?mine=true", **headers).status_code == 200
    assert submit(client, headers, anonymous=True).json()["anonymous"] is True
    assert post_with_photos(client, headers, [], anonymous="false").status_code == 201


def test_a_lone_surrogate_is_refused_naming_the_field(client, actors):
    headers = bearer(client, "resident")
    before = counts()
    resp = submit(client, headers, description="坏\ud800字")
    assert resp.status_code == 422, resp.content
    assert resp.json()["code"] == "invalid" and resp.json()["field"] == "description"
    # in the token sign-in, which needs no token
    resp = client.post(
        "/api/v1/auth/token",
        '{"username": "resident", "password": "\\udfff"}',
        content_type=JSON,
    )
    assert resp.status_code == 422 and resp.json()["field"] == "password"
    # deep inside an action's data, as a key or a value
    event = report(actors.resident)
    for data in ({"x\ud800": 1}, {"departments": ["\udc00"]}):
        resp = do(client, bearer(client, "community"), event, "register", data=data)
        assert resp.status_code == 422 and resp.json()["field"].startswith("data."), data
        resp.json()["field"].encode("utf-8")  # named in text that can be stored
    resp = client.post(
        f"/api/v1/events/{event.pk}/actions/register/with-photos",
        {"data": '{"result": "\\ud800"}'},
        **bearer(client, "community"),
    )
    assert resp.status_code == 400 and resp.json()["field"] == "data.result"
    assert counts() == (before[0] + 1, before[1] + 1, before[2])
    # not JSON at all: ninja's 400, in the project's shape
    resp = client.post("/api/v1/events", "{", content_type=JSON, **headers)
    assert resp.status_code == 400 and resp.json()["code"] == "bad_input"


def test_a_category_of_odd_digits_is_a_400(client, actors):
    headers = bearer(client, "resident")
    for code in ("¹", "٣", "²³"):
        resp = submit(client, headers, category=code)
        assert resp.status_code == 400, code
        assert resp.json()["field"] == "category"
    event = report(actors.resident)
    act(actors.community, event, "register")
    event.refresh_from_db()
    resp = do(
        client,
        bearer(client, "community"),
        event,
        "dispatch",
        data={"target": "department", "department": "¹"},
    )
    assert resp.status_code == 400 and resp.json()["field"] == "department"


def test_paging_and_days_are_bounded(client, actors):
    headers = bearer(client, "district")
    huge = 2**64
    for query, field in (
        (f"limit={huge}", "limit"),
        (f"offset={huge}", "offset"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("reported_from=0001-01-01", "reported_from"),
        ("reported_to=9999-12-31", "reported_to"),
    ):
        resp = client.get(f"/api/v1/events?{query}", **headers)
        assert resp.status_code == 422, query
        body = resp.json()
        assert body["code"] == "invalid" and body["field"] == field, body
        assert body["errors"][0]["field"] == field
    assert client.get("/api/v1/events?offset=10000000&limit=500", **headers).status_code == 200
    # after and offset together: refused, naming the field, in the caller's language.
    for lang, words in (("zh-hans", "after 和 offset 只能给一个。"), ("en", "not both")):
        resp = client.get("/api/v1/events?after=x&offset=1", HTTP_ACCEPT_LANGUAGE=lang, **headers)
        assert resp.status_code == 400 and resp.json()["field"] == "offset"
        assert words in str(resp.json()), lang


def test_public_map_refuses_days_out_of_range(client, actors):
    for since in ("0001-01-01", "1999-12-31", "2101-01-01"):
        resp = client.get(f"/api/v1/events/public?since={since}")
        assert resp.status_code == 422, since
        assert resp.json()["field"] == "since"
    assert client.get("/api/v1/events/public?since=2000-01-01").status_code == 200


def test_patrol_and_hotline_by_the_right_people(client, actors):
    patrol = submit(client, bearer(client, "mg_worker"), source="patrol")
    assert patrol.status_code == 201 and patrol.json()["source"] == "patrol"
    hotline = submit(
        client, bearer(client, "community"), source="hotline", contact_phone="13900001111"
    )
    assert hotline.status_code == 201
    event = Event.objects.get(pk=hotline.json()["id"])
    assert event.reporter is None and event.submitted_by == actors.community


# ---------------------------------------------------------------------------
# Submitting with photos


def post_with_photos(client, headers, files, _key=None, **fields):
    if _key:
        headers = {**headers, "HTTP_IDEMPOTENCY_KEY": _key}
    data = {
        "category": "0101",
        "description": "路边垃圾",
        "lng": str(IN_MICRO1[0]),
        "lat": str(IN_MICRO1[1]),
        **fields,
    }
    if files:
        data["photos"] = files
    return client.post("/api/v1/events/with-photos", data, **headers)


def test_submit_with_photos(client, actors):
    headers = bearer(client, "resident")
    resp = post_with_photos(
        client, headers, [jpeg(), jpeg(color=(1, 2, 3), name="b.jpg")], anonymous="true"
    )
    assert resp.status_code == 201, resp.content
    event = Event.objects.get(pk=resp.json()["id"])
    assert event.anonymous is True
    assert event.photos.filter(stage="report").count() == 2
    detail = client.get(f"/api/v1/events/{event.pk}", **headers).json()
    photo = event.photos.order_by("id").first()
    assert detail["photos"][0]["url"] == f"/api/v1/events/{event.pk}/photos/{photo.pk}"
    assert detail["photos"][0]["stage"] == "report" and detail["photos"][0]["width"] == 400


def test_bearer_clients_fetch_the_photos_of_events_in_scope(client, actors):
    """The photo URL the API gives answers a bearer token (the page route wanted a session);
    outside the event's scope, or through another event's id, it is a 404."""
    event = report(actors.resident, photos=[jpeg()])
    photo = event.photos.get()
    other = report(actors.resident2, point=IN_MICRO2, photos=[jpeg()])
    for username in ("resident", "community", "district"):
        headers = bearer(client, username)
        url = client.get(f"/api/v1/events/{event.pk}", **headers).json()["photos"][0]["url"]
        resp = client.get(url, **headers)
        assert resp.status_code == 200, username
        assert resp["Content-Type"] == "image/jpeg"
        assert b"".join(resp.streaming_content)[:2] == b"\xff\xd8"
        assert "private" in resp["Cache-Control"]
    url = f"/api/v1/events/{event.pk}/photos/{photo.pk}"
    for username in ("resident2", "community2", "other_admin", "nobody"):
        resp = client.get(url, **bearer(client, username))
        assert resp.status_code == 404, username
        assert resp.json()["code"] == "not_found"
    stranger = other.photos.get()
    headers = bearer(client, "community")
    assert (
        client.get(f"/api/v1/events/{event.pk}/photos/{stranger.pk}", **headers).status_code == 404
    )
    assert client.get(url).status_code == 401


def test_photo_location_is_used_without_a_point(client, actors):
    headers = bearer(client, "resident")
    resp = client.post(
        "/api/v1/events/with-photos",
        {"category": "0101", "description": "路边垃圾", "photos": [jpeg(gps=IN_MICRO2)]},
        **headers,
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["area"]["code"] == "510113001001001002"


def test_failed_photo_writes_nothing(client, actors, settings):
    headers = bearer(client, "resident")
    before = counts()
    not_image = SimpleUploadedFile("notes.jpg", b"not a picture at all", "image/jpeg")
    resp = post_with_photos(client, headers, [jpeg(), not_image])
    assert resp.status_code == 400
    assert resp.json()["code"] == "bad_input" and resp.json()["field"] == "photos"
    assert "notes.jpg" in resp.json()["detail"]

    settings.SHEZHI_MAX_PHOTO_BYTES = 1000
    big = post_with_photos(client, headers, [jpeg(width=1200, height=900)])
    assert big.status_code == 400 and big.json()["field"] == "photos"
    assert counts() == before
    assert media_files(settings) == []


def test_idempotent_replay_with_photos(client, actors):
    headers = {**bearer(client, "resident"), "HTTP_IDEMPOTENCY_KEY": "photo-1"}
    first = post_with_photos(client, headers, [jpeg()])
    assert first.status_code == 201
    before = counts()
    again = post_with_photos(client, headers, [jpeg()])
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert counts() == before


# ---------------------------------------------------------------------------
# Lists


def test_list_is_scoped(client, actors):
    mine = report(actors.resident)
    theirs = report(actors.resident2, point=IN_MICRO2)
    elsewhere = report(actors.other_district, point=IN_OTHER_DISTRICT, source="api")

    def ids(user):
        data = client.get("/api/v1/events?limit=100", **bearer(client, user)).json()
        assert data["count"] == len(data["items"])
        return {row["id"] for row in data["items"]}

    assert ids("resident") == {mine.pk}
    assert ids("resident2") == {theirs.pk}
    assert ids("community") == {mine.pk, theirs.pk}
    assert ids("mg_worker") == {mine.pk}
    assert ids("community2") == set()
    assert ids("other_admin") == {elsewhere.pk}
    assert ids("nobody") == set()
    assert ids("dept_zj") == set()  # nothing dispatched or whistled to 住建 yet


def test_list_filters(client, actors):
    a = report(actors.resident, code="0101")
    b = report(actors.resident2, point=IN_MICRO2, code="0201")
    c = report(actors.mg_worker, source="patrol", code="0102")
    act(actors.community, a, "register")
    act(actors.community, a, "dispatch", data={"target": "worker"})
    act(actors.community, b, "register")
    headers = bearer(client, "community")

    def get(qs=""):
        resp = client.get(f"/api/v1/events?{qs}", **headers)
        assert resp.status_code == 200, resp.content
        return [row["id"] for row in resp.json()["items"]]

    assert get() == [c.pk, b.pk, a.pk]  # newest first
    assert get("state=reported") == [c.pk]
    assert set(get("state=registered&state=dispatched")) == {a.pk, b.pk}
    assert get("category=0201") == [b.pk]
    assert set(get("category=01")) == {a.pk, c.pk}
    assert get("category=0999") == []
    assert get("area=510113001001001002") == [b.pk]
    assert set(get("area=510113001001")) == {a.pk, b.pk, c.pk}
    assert get("source=patrol") == [c.pk]
    assert get("sla=green") == [a.pk]
    assert get("sla=red") == []
    today = timezone.localdate()
    assert len(get(f"reported_from={today}&reported_to={today}")) == 3
    assert get(f"reported_to={today - dt.timedelta(days=1)}") == []
    assert get(f"reported_from={today + dt.timedelta(days=1)}") == []

    page = client.get("/api/v1/events?limit=2&offset=0", **headers).json()
    assert page["count"] == 3 and [r["id"] for r in page["items"]] == [c.pk, b.pk]
    page = client.get("/api/v1/events?limit=2&offset=2", **headers).json()
    assert page["count"] == 3 and [r["id"] for r in page["items"]] == [a.pk]

    # an area outside the caller's scope, and bad filter values
    assert client.get("/api/v1/events?area=510113001002", **headers).status_code == 404
    assert client.get("/api/v1/events?area=510114", **headers).status_code == 404
    assert client.get("/api/v1/events?state=lost", **headers).status_code == 422
    assert client.get("/api/v1/events?sla=blue", **headers).status_code == 422
    bad = client.get("/api/v1/events?handler=someone", **headers)
    assert bad.status_code == 400 and bad.json()["field"] == "handler"


def test_list_pages_by_cursor_and_says_whether_its_count_is_capped(client, actors):
    made = [report(actors.resident) for _ in range(5)]
    headers = bearer(client, "community")
    first = client.get("/api/v1/events?limit=2", **headers).json()
    assert first["count"] == 5 and first["count_capped"] is False
    assert [r["id"] for r in first["items"]] == [made[4].pk, made[3].pk]
    seen, after = [r["id"] for r in first["items"]], first["next_cursor"]
    while after:
        page = client.get(f"/api/v1/events?limit=2&after={after}", **headers).json()
        assert page["count"] == 5
        seen += [r["id"] for r in page["items"]]
        after = page["next_cursor"]
    assert seen == [e.pk for e in reversed(made)]
    # The same pages by offset; a cursor and an offset together, or a foreign cursor: 400.
    assert client.get("/api/v1/events?limit=2&offset=4", **headers).json()["next_cursor"] is None
    both = client.get(f"/api/v1/events?offset=2&after={first['next_cursor']}", **headers)
    assert both.status_code == 400 and both.json()["field"] == "offset"
    foreign = client.get("/api/v1/events?after=bm90IG91cnM", **headers)
    assert foreign.status_code == 400 and foreign.json()["field"] == "after"


def test_list_count_stops_at_the_cap(client, actors, monkeypatch):
    from shezhi.core import lists

    for _ in range(4):
        report(actors.resident)
    # Every set "large": the page is walked and the count capped at 2.
    monkeypatch.setattr(lists, "GATHER_MAX", 0)
    monkeypatch.setattr(lists, "COUNT_CAP", 2)
    data = client.get("/api/v1/events?limit=3", **bearer(client, "community")).json()
    assert data["count"] == 2 and data["count_capped"] is True and len(data["items"]) == 3


def test_mine_and_handler_inbox(client, actors):
    a = report(actors.resident)
    b = report(actors.resident2, point=IN_MICRO2)
    act(actors.resident2, a, "me_too")
    act(actors.community, a, "register")
    act(actors.community, a, "dispatch", data={"target": "worker"})

    r2 = bearer(client, "resident2")
    mine = client.get("/api/v1/events?mine=true", **r2).json()
    assert {row["id"] for row in mine["items"]} == {a.pk, b.pk}

    worker = bearer(client, "mg_worker")
    inbox = client.get("/api/v1/events?handler=me", **worker).json()
    assert [row["id"] for row in inbox["items"]] == [a.pk]
    assert inbox["items"][0]["handler"] == {
        "kind": "worker",
        "user": "mg_worker",
        "area": None,
        "department": None,
    }
    assert client.get("/api/v1/events?handler=me", **r2).json()["count"] == 0
    community = bearer(client, "community")
    assert client.get("/api/v1/events?mine=true", **community).json()["count"] == 0
    assert client.get("/api/v1/events?mine=false", **community).json()["count"] == 2


def test_list_query_count_does_not_grow_with_rows(client, actors, django_assert_max_num_queries):
    for _ in range(8):
        e = report(actors.resident)
        act(actors.community, e, "register")
        act(actors.community, e, "dispatch", data={"target": "worker"})
    headers = bearer(client, "community")
    with django_assert_max_num_queries(8):
        data = client.get("/api/v1/events?limit=100", **headers).json()
    assert data["count"] == 8 and all(r["handler"]["user"] == "mg_worker" for r in data["items"])


# ---------------------------------------------------------------------------
# Detail and timeline


def test_detail(client, actors):
    event = report(actors.resident, contact_name="王小明", contact_phone="13812345678")
    act(actors.community, event, "register")
    resp = client.get(f"/api/v1/events/{event.pk}", **bearer(client, "community"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["state"] == "registered" and body["version"] == 1
    assert body["area"] == {
        "code": "510113001001001001",
        "name": "第1微网格",
        "level": "micro_grid",
    }
    assert body["reporter"] == {
        "username": "resident",
        "contact_name": "王**",
        "contact_phone": "*******5678",
    }
    assert "dispatch" in body["allowed_actions"] and "register" not in body["allowed_actions"]
    assert body["counts"]["dispatches"] == 0 and body["rating"] is None
    text = resp.content.decode()
    assert "13812345678" not in text and "王小明" not in text

    mine = client.get(f"/api/v1/events/{event.pk}", **bearer(client, "resident")).json()
    assert mine["allowed_actions"] == []  # nothing for the reporter to do yet


def test_detail_out_of_scope_is_404(client, actors):
    event = report(actors.resident)
    for user in ("resident2", "community2", "other_admin", "nobody", "dept_zj", "mg_worker2"):
        headers = bearer(client, user)
        assert client.get(f"/api/v1/events/{event.pk}", **headers).status_code == 404, user
        assert client.get(f"/api/v1/events/{event.pk}/timeline", **headers).status_code == 404
        assert client.get(f"/api/v1/events/{event.pk}/whistles", **headers).status_code == 404
    headers = bearer(client, "community")
    assert client.get(f"/api/v1/events/{event.pk + 999}", **headers).status_code == 404


def test_anonymous_reporter_is_hidden_from_everyone_else(client, actors):
    event = report(actors.resident, anonymous=True, contact_phone="13812345678")
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    act(actors.mg_worker, event, "handle", data={"result": "已清运"})
    act(actors.resident, event, "verify_pass")

    for user in ("community", "mg_worker", "street", "district"):
        headers = bearer(client, user)
        body = client.get(f"/api/v1/events/{event.pk}", **headers).json()
        assert body["reporter"] is None and body["anonymous"] is True
        steps = client.get(f"/api/v1/events/{event.pk}/timeline", **headers).json()
        assert [s["actor"] for s in steps if s["action"] in ("report", "verify_pass")] == [
            None,
            None,
        ]
        assert "resident" not in {s["actor"] for s in steps}

    own = bearer(client, "resident")
    assert client.get(f"/api/v1/events/{event.pk}", **own).json()["reporter"]["username"] == (
        "resident"
    )
    steps = client.get(f"/api/v1/events/{event.pk}/timeline", **own).json()
    assert steps[0]["actor"] == "resident"


def test_timeline(client, actors):
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    act(actors.mg_worker, event, "return", reason="不属于本网格")
    steps = client.get(f"/api/v1/events/{event.pk}/timeline", **bearer(client, "resident")).json()
    assert [(s["action"], s["from_state"], s["to_state"], s["actor"]) for s in steps] == [
        ("report", "", "reported", "resident"),
        ("register", "reported", "registered", "community"),
        ("dispatch", "registered", "dispatched", "community"),
        ("accept", "dispatched", "accepted", "mg_worker"),
        ("return", "accepted", "returned", "mg_worker"),
    ]
    assert steps[-1]["reason"] == "不属于本网格"
    assert steps[2]["data"]["handler_kind"] == "worker"
    assert steps[0]["at"] <= steps[-1]["at"]


# ---------------------------------------------------------------------------
# Actions


def test_the_whole_loop_through_the_api(client, actors):
    event = report(actors.resident)
    community, worker, resident = (
        bearer(client, u) for u in ("community", "mg_worker", "resident")
    )

    resp = do(client, community, event, "register", version=0)
    assert resp.status_code == 200 and resp.json()["state"] == "registered"
    resp = do(client, community, event, "dispatch", data={"target": "worker"}, version=1)
    assert resp.json()["state"] == "dispatched"
    assert resp.json()["handler"]["user"] == "mg_worker"
    assert resp.json()["deadline_at"] and resp.json()["sla"] == "green"
    assert do(client, worker, event, "accept").json()["allowed_actions"][:3] == [
        "return",
        "handle",
        "request_deferral",
    ]
    resp = do(client, worker, event, "handle", data={"result": "已清运"})
    assert resp.json()["state"] == "handled" and resp.json()["result"] == "已清运"
    resp = do(client, resident, event, "verify_pass")
    assert resp.json()["state"] == "closed" and resp.json()["closed_at"]
    resp = do(client, resident, event, "rate", data={"rating": "satisfied", "comment": "很快"})
    assert resp.status_code == 200
    assert resp.json()["rating"]["rating"] == "satisfied"
    assert resp.json()["rating"]["comment"] == "很快"
    event.refresh_from_db()
    assert event.rating == "satisfied" and event.transitions.count() == 7


def transitions_of(event) -> int:
    return EventTransition.objects.filter(event=event).count()


def test_refused_actions_write_nothing(client, actors):
    event = report(actors.resident)
    community, resident = bearer(client, "community"), bearer(client, "resident")

    def refused(headers, action, status, code, field=None, **body):
        event.refresh_from_db()
        before = (transitions_of(event), event.version, event.state)
        resp = do(client, headers, event, action, **body)
        assert resp.status_code == status, (action, resp.content)
        assert resp.json()["code"] == code and resp.json()["detail"]
        if field:
            assert resp.json()["field"] == field
        event.refresh_from_db()
        assert (transitions_of(event), event.version, event.state) == before

    # not possible from the current state
    refused(community, "accept", 409, "not_allowed")
    refused(community, "rate", 409, "not_allowed", data={"rating": "satisfied"})
    # not for this actor
    refused(resident, "register", 403, "forbidden")
    # bad data
    refused(community, "void", 400, "bad_input", field="reason")
    refused(community, "void", 400, "bad_input", field="void_kind", reason="无效",
            data={"void_kind": "boring"})  # fmt: skip
    refused(community, "fly_away", 400, "bad_input", field="action")
    refused(community, "merge", 400, "bad_input", field="master", data={"master": event.pk})
    # a stale version
    act(actors.community, event, "register")
    refused(community, "dispatch", 409, "conflict", version=0, data={"target": "worker"})
    refused(community, "dispatch", 400, "bad_input", field="target", data={"target": "moon"})
    # the rating is the reporter's
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    act(actors.mg_worker, event, "handle", data={"result": "已清运"})
    act(actors.resident, event, "verify_pass")
    refused(community, "rate", 403, "forbidden", data={"rating": "satisfied"})
    refused(bearer(client, "mg_worker"), "rate", 403, "forbidden", data={"rating": "satisfied"})
    refused(resident, "rate", 400, "bad_input", field="rating", data={"rating": "superb"})
    assert do(client, resident, event, "rate", data={"rating": "unsatisfied"}).status_code == 200
    refused(resident, "rate", 409, "not_allowed", data={"rating": "satisfied"})


def test_actions_out_of_scope_are_404_before_anything_else(client, actors):
    event = report(actors.resident)
    for user in ("community2", "other_admin", "resident2", "nobody"):
        headers = bearer(client, user)
        before = transitions_of(event)
        assert do(client, headers, event, "register").status_code == 404
        assert do(client, headers, event, "no_such_action").status_code == 404
        resp = client.post(
            f"/api/v1/events/{event.pk}/actions/handle/with-photos",
            {"result": "x", "photos": [jpeg()]},
            **headers,
        )
        assert resp.status_code == 404
        assert transitions_of(event) == before


def test_handle_with_result_photos(client, actors, settings):
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    worker = bearer(client, "mg_worker")
    url = f"/api/v1/events/{event.pk}/actions/handle/with-photos"

    before = counts()
    bad = client.post(
        url,
        {"result": "已清运", "photos": [SimpleUploadedFile("a.txt", b"hello", "text/plain")]},
        **worker,
    )
    assert bad.status_code == 400 and bad.json()["field"] == "photos"
    bad_data = client.post(url, {"data": "[1, 2]"}, **worker)
    assert bad_data.status_code == 400 and bad_data.json()["field"] == "data"
    event.refresh_from_db()
    assert event.state == "accepted" and counts() == before
    assert media_files(settings) == []

    resp = client.post(url, {"result": "已清运", "version": "3", "photos": [jpeg()]}, **worker)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["state"] == "handled" and body["result"] == "已清运"
    assert [p["stage"] for p in body["photos"]] == ["result"]
    assert event.photos.get().transition.action == "handle"


def test_data_as_json_in_the_multipart_variant(client, actors):
    event = report(actors.resident)
    resp = client.post(
        f"/api/v1/events/{event.pk}/actions/void/with-photos",
        {"reason": "重复上报", "data": '{"void_kind": "duplicate"}'},
        **bearer(client, "community"),
    )
    assert resp.status_code == 200, resp.content
    assert event.transitions.get(action="void").data == {"void_kind": "duplicate"}


# ---------------------------------------------------------------------------
# Whistles and report-in


def test_whistle_report_in_and_rating(client, actors):
    event = report(actors.resident)
    community = bearer(client, "community")
    assert do(client, community, event, "register").status_code == 200
    resp = do(client, community, event, "escalate", reason="网格无法处置")
    assert resp.json()["owner_area"]["code"] == "510113001001"
    resp = do(
        client,
        community,
        event,
        "whistle",
        reason="需要住建部门",
        data={"departments": ["zj"], "report_in_minutes": 20},
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["handler"]["department"]["code"] == "zj"

    dept = bearer(client, "dept_zj")
    waiting = client.get("/api/v1/whistles/summonses", **dept).json()
    assert len(waiting) == 1
    assert waiting[0]["event_id"] == event.pk and waiting[0]["department"]["code"] == "zj"
    assert 0 < waiting[0]["seconds_left"] <= 20 * 60 and waiting[0]["overdue"] is False
    assert client.get("/api/v1/whistles/summonses", **community).json() == []

    # the summoned department now sees the event
    assert client.get(f"/api/v1/events/{event.pk}", **dept).status_code == 200
    assert do(client, dept, event, "report_in", data={"note": "已到场"}).status_code == 200
    assert client.get("/api/v1/whistles/summonses", **dept).json() == []
    refused = do(client, dept, event, "report_in")
    assert refused.status_code == 409 and refused.json()["code"] == "not_allowed"

    whistles = client.get(f"/api/v1/events/{event.pk}/whistles", **community).json()
    assert len(whistles) == 1
    w = whistles[0]
    assert w["blown_by"] == "community" and w["area"]["code"] == "510113001001"
    assert w["reason"] == "需要住建部门" and w["closed_at"] is None
    (s,) = w["summonses"]
    assert s["department"]["code"] == "zj" and s["on_time"] is True and s["note"] == "已到场"

    summons = WhistleSummons.objects.get()
    wrong = do(client, dept, event, "rate_whistle", data={"summons": summons.pk, "rating": 4})
    assert wrong.status_code == 403
    resp = do(client, community, event, "rate_whistle", data={"summons": summons.pk, "rating": 4})
    assert resp.status_code == 200
    assert (
        client.get(f"/api/v1/events/{event.pk}/whistles", **community).json()[0]["summonses"][0][
            "rating"
        ]
        == 4
    )


# ---------------------------------------------------------------------------
# The public map


def test_public_map_leaks_nothing(client, actors):
    secret = "张家后门第三根电线杆下"
    event = report(
        actors.resident,
        description=secret,
        address="凤凰路88号",
        contact_name="王小明",
        contact_phone="13812345678",
    )
    report(actors.resident2, point=IN_MICRO2, anonymous=True)
    run_to_closed(actors, event)
    voided = report(actors.resident, point=IN_COMMUNITY2)
    act(actors.community2, voided, "void", reason="无效")

    resp = client.get("/api/v1/events/public")  # no sign-in
    assert resp.status_code == 200 and resp["Content-Type"] == "application/geo+json"
    data = resp.json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 2
    feature = next(f for f in data["features"] if f["id"] == event.pk)
    assert feature["properties"]["open"] is False and feature["properties"]["closed_on"]
    assert feature["properties"]["category"] == "暴露垃圾"
    assert feature["geometry"]["type"] == "Point"
    text = resp.content.decode()
    for leak in (secret, "凤凰路88号", "王小明", "5678", "resident", "mg_worker", "community"):
        assert leak not in text
    assert set(feature) == {"type", "id", "geometry", "properties"}
    assert set(feature["properties"]) == {"open", "category", "class", "reported_on", "closed_on"}


def test_public_map_filters(client, actors):
    a = report(actors.resident)
    b = report(actors.resident2, point=IN_MICRO2)
    Event.objects.filter(pk=a.pk).update(created_at=timezone.now() - dt.timedelta(days=10))

    def ids(qs):
        resp = client.get(f"/api/v1/events/public?{qs}")
        assert resp.status_code == 200, resp.content
        return {f["id"] for f in resp.json()["features"]}

    assert ids("bbox=104.0,30.6,104.05,30.7") == {a.pk}
    assert ids("bbox=104.05,30.6,104.1,30.7") == {b.pk}
    assert ids(f"since={timezone.localdate() - dt.timedelta(days=2)}") == {b.pk}
    for bad in ("1,2,3", "a,b,c,d", "104.1,30.6,104.0,30.7"):
        resp = client.get(f"/api/v1/events/public?bbox={bad}")
        assert resp.status_code == 400 and resp.json()["field"] == "bbox"


# ---------------------------------------------------------------------------
# Emergency mode


def test_emergency_mode(client, actors):
    street = bearer(client, "street")
    url = "/api/v1/areas/510113001/emergency"
    resp = client.post(url, {"reason": "暴雨"}, content_type=JSON, **street)
    assert resp.status_code == 201, resp.content
    assert resp.json()["area"]["code"] == "510113001" and resp.json()["ended_at"] is None
    assert resp.json()["started_by"] == "street"

    again = client.post(url, {"reason": "暴雨"}, content_type=JSON, **street)
    assert again.status_code == 409 and again.json()["code"] == "not_allowed"
    # a community below is already in emergency mode through its street
    below = client.post(
        "/api/v1/areas/510113001001/emergency", {"reason": "x"}, content_type=JSON, **street
    )
    assert below.status_code == 409

    # events dispatched inside it get the emergency deadline
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    detail = client.get(f"/api/v1/events/{event.pk}", **street).json()
    assert detail["emergency"] is True

    ended = client.post(f"{url}/end", **street)
    assert ended.status_code == 200 and ended.json()["ended_at"]
    assert EmergencyPeriod.objects.get().ended_at is not None
    again = client.post(f"{url}/end", **street)
    assert again.status_code == 409 and again.json()["code"] == "not_allowed"


def test_emergency_refusals(client, actors):
    url = "/api/v1/areas/510113001/emergency"
    community = bearer(client, "community")
    resp = client.post(url, {"reason": "暴雨"}, content_type=JSON, **community)
    assert resp.status_code == 404  # the street is above the community's scope
    resp = client.post(
        "/api/v1/areas/510113001001/emergency", {"reason": "暴雨"}, content_type=JSON, **community
    )
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"
    street = bearer(client, "street")
    resp = client.post(url, {"reason": "  "}, content_type=JSON, **street)
    assert resp.status_code == 400 and resp.json()["field"] == "reason"
    far = bearer(client, "other_admin")
    assert client.post(url, {"reason": "暴雨"}, content_type=JSON, **far).status_code == 404
    assert client.post(f"{url}/end", **far).status_code == 404
    assert EmergencyPeriod.objects.count() == 0
