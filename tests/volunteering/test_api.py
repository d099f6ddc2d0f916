"""The volunteering API: lists, sign-up, scan, publish, roster; scope 404s and error codes."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from shezhi.incentives.models import Transfer
from shezhi.volunteering import services
from shezhi.volunteering.models import Signup, VolunteerActivity
from tests.areas.test_api import bearer
from tests.volunteering.conftest import place, publish

pytestmark = pytest.mark.django_db

JSON = "application/json"
H = dt.timedelta(hours=1)


@pytest.fixture
def soon(actors, posts):
    return publish(actors.community, posts.post, now=timezone.now(), start_in=H, slots=2)


def test_the_api_needs_a_sign_in(client, soon):
    assert client.get("/api/v1/volunteering/activities").status_code == 401
    assert client.post(f"/api/v1/volunteering/activities/{soon.pk}/signup").status_code == 401


def test_upcoming_list_and_detail(client, actors, posts, soon):
    place(posts.post, starts_at=timezone.now() - 5 * H)  # over: not listed
    far = publish(actors.other_district, posts.far_post, now=timezone.now(), start_in=2 * H)
    auth = bearer(client, "resident")
    rows = client.get("/api/v1/volunteering/activities", **auth).json()
    assert [r["id"] for r in rows] == [soon.pk, far.pk]
    assert rows[0]["post"]["name"] == "誉府会客厅" and rows[0]["slots_left"] == 2
    near = client.get("/api/v1/volunteering/activities?lng=104.7&lat=30.7", **auth).json()
    assert [r["id"] for r in near] == [far.pk, soon.pk] and near[0]["distance_m"] < 10
    assert client.get("/api/v1/volunteering/activities?lat=95&lng=1", **auth).status_code == 422
    detail = client.get(f"/api/v1/volunteering/activities/{soon.pk}", **auth).json()
    assert detail["my_signup"] is None and detail["area_code"] == posts.post.area.code
    assert client.get("/api/v1/volunteering/activities/999999", **auth).status_code == 404


def test_sign_up_cancel_and_specific_errors(client, actors, soon):
    auth = bearer(client, "resident")
    url = f"/api/v1/volunteering/activities/{soon.pk}"
    resp = client.post(f"{url}/signup", **auth)
    assert resp.status_code == 201 and resp.json()["status"] == "signed_up"
    again = client.post(f"{url}/signup", **auth)
    assert again.status_code == 409 and again.json()["code"] == "already_signed_up"
    client.post(f"{url}/signup", **bearer(client, "resident2"))
    full = client.post(f"{url}/signup", **bearer(client, "nobody"))
    assert full.status_code == 409 and full.json()["code"] == "activity_full"
    assert client.get(url, **auth).json()["my_signup"]["status"] == "signed_up"
    cancel = client.post(f"{url}/cancel-signup", **auth)
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    nothing = client.post(f"{url}/cancel-signup", **auth)
    assert nothing.status_code == 409 and nothing.json()["code"] == "not_signed_up"
    soon.refresh_from_db()
    assert soon.signed_up == 1


def test_scan_checks_in_then_out_and_awards_once(client, actors, posts):
    now = timezone.now()
    activity = place(posts.post, starts_at=now - 2 * H, hours=3)
    Signup.objects.create(activity=activity, user=actors.resident, signed_up_at=now - 5 * H)
    auth = bearer(client, "resident")
    token = services.make_scan_token(activity)
    resp = client.post("/api/v1/volunteering/scan", {"token": token}, content_type=JSON, **auth)
    assert resp.status_code == 200, resp.content
    assert resp.json()["action"] == "check_in" and not resp.json()["already"]
    # Pretend the volunteer arrived at the start, then scan out.
    Signup.objects.filter(user=actors.resident).update(checked_in_at=activity.starts_at)
    out = client.post(
        "/api/v1/volunteering/scan",
        {"token": token, "action": "check_out"},
        content_type=JSON,
        **auth,
    ).json()
    assert out["action"] == "check_out" and out["signup"]["minutes"] >= 119
    assert out["signup"]["points"] == 10 * out["signup"]["minutes"] // 60
    repeat = client.post(
        "/api/v1/volunteering/scan", {"token": token}, content_type=JSON, **auth
    ).json()
    assert repeat["already"] is True
    assert Transfer.objects.filter(cause_type="activity").count() == 1
    mine = client.get("/api/v1/volunteering/mine", **auth).json()
    assert mine[0]["points"] == out["signup"]["points"] and mine[0]["activity"]["id"] == activity.pk


def test_scan_errors_are_specific(client, actors, posts):
    now = timezone.now()
    activity = place(posts.post, starts_at=now + 2 * H)
    auth = bearer(client, "resident")
    token = services.make_scan_token(activity)
    scan = lambda body: client.post(  # noqa: E731
        "/api/v1/volunteering/scan", body, content_type=JSON, **auth
    )
    assert scan({"token": token}).json()["code"] == "not_signed_up"
    Signup.objects.create(activity=activity, user=actors.resident, signed_up_at=now)
    early = scan({"token": token})
    assert early.status_code == 409 and early.json()["code"] == "too_early"
    bad = scan({"token": token + "x"})
    assert bad.status_code == 400 and bad.json()["code"] == "token_invalid"
    old = services.make_scan_token(activity, now=now - dt.timedelta(minutes=11))
    assert scan({"token": old}).json()["code"] == "token_expired"
    assert scan({"token": token, "action": "fly"}).status_code == 422
    assert not Signup.objects.filter(checked_in_at__isnull=False).exists()


def test_publish_in_scope_404_outside(client, actors, posts):
    start = timezone.now() + 24 * H
    body = {
        "post_id": posts.post.pk,
        "title": "义诊协助",
        "starts_at": start.isoformat(),
        "ends_at": (start + 2 * H).isoformat(),
        "slots": 6,
    }
    resp = client.post("/api/v1/volunteering/activities", body, content_type=JSON,
                       **bearer(client, "community"))  # fmt: skip
    assert resp.status_code == 201 and resp.json()["slots_left"] == 6
    for who in ("community2", "other_admin", "resident", "mg_worker"):
        r = client.post("/api/v1/volunteering/activities", body, content_type=JSON,
                        **bearer(client, who))  # fmt: skip
        assert r.status_code == 404, who
    # The responsible person publishes at their post.
    r = client.post("/api/v1/volunteering/activities", body, content_type=JSON,
                    **bearer(client, "post_keeper"))  # fmt: skip
    assert r.status_code == 201
    bad = client.post(
        "/api/v1/volunteering/activities",
        {**body, "ends_at": start.isoformat()},
        content_type=JSON,
        **bearer(client, "community"),
    )
    assert bad.status_code == 400 and bad.json()["field"] == "ends_at"
    assert VolunteerActivity.objects.count() == 2


def test_edit_cancel_roster_attendance_and_code_are_scoped(client, actors, posts):
    now = timezone.now()
    activity = publish(actors.community, posts.post, now=now, start_in=H)
    services.sign_up(user=actors.resident, activity=activity)
    url = f"/api/v1/volunteering/activities/{activity.pk}"
    outsider = bearer(client, "community2")
    assert client.get(f"{url}/roster", **outsider).status_code == 404
    assert client.get(f"{url}/code", **outsider).status_code == 404
    assert client.patch(url, {"title": "x"}, content_type=JSON, **outsider).status_code == 404
    assert client.post(f"{url}/cancel", {}, content_type=JSON, **outsider).status_code == 404
    signup = Signup.objects.get(user=actors.resident)
    assert client.post(f"{url}/signups/{signup.pk}/check-in", **outsider).status_code == 404
    staff = bearer(client, "street")
    roster = client.get(f"{url}/roster", **staff).json()
    assert roster["rows"][0]["name"] == "小明 王" and "phone" not in roster["rows"][0]
    assert roster["rows"][0]["attendance"] == "signed_up"
    code = client.get(f"{url}/code", **staff).json()
    assert code["url"].startswith("http://testserver/volunteering/scan/")
    assert code["svg_data_uri"].startswith("data:image/svg+xml")
    assert services.read_scan_token(code["token"]) == activity.pk
    edited = client.patch(url, {"slots": 3}, content_type=JSON, **staff)
    assert edited.status_code == 200 and edited.json()["slots"] == 3
    too_few = client.patch(url, {"slots": 0}, content_type=JSON, **staff)
    assert too_few.status_code == 400 and too_few.json()["field"] == "slots"
    early = client.post(f"{url}/signups/{signup.pk}/check-out", **staff)
    assert early.status_code == 409 and early.json()["code"] == "not_checked_in"
    assert client.post(f"{url}/signups/{signup.pk}/dance", **staff).status_code == 422
    assert client.post(f"{url}/signups/999999/check-in", **staff).status_code == 404
    managed = client.get("/api/v1/volunteering/manage/activities", **staff).json()
    assert [a["id"] for a in managed] == [activity.pk]
    assert client.get("/api/v1/volunteering/manage/activities", **outsider).json() == []
    gone = client.post(f"{url}/cancel", {"reason": "天气"}, content_type=JSON, **staff)
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"


def test_staff_attendance_by_hand(client, actors, posts):
    now = timezone.now()
    activity = place(posts.post, starts_at=now - 2 * H, hours=3)
    s = Signup.objects.create(activity=activity, user=actors.resident, signed_up_at=now - 5 * H)
    url = f"/api/v1/volunteering/activities/{activity.pk}/signups/{s.pk}"
    staff = bearer(client, "community")
    at_in = activity.starts_at.isoformat()
    r = client.post(f"{url}/check-in", QUERY_STRING=urlencode({"at": at_in}), **staff)
    assert r.status_code == 200 and r.json()["checked_in_at"]
    at_out = (activity.starts_at + 90 * dt.timedelta(minutes=1)).isoformat()
    r = client.post(f"{url}/check-out", QUERY_STRING=urlencode({"at": at_out}), **staff)
    assert r.status_code == 200 and r.json()["minutes"] == 90 and r.json()["points"] == 15
    r = client.post(f"{url}/check-out", **staff)
    assert r.status_code == 409


def test_ids_and_counts_beyond_a_database_integer_are_a_422(client, actors, posts, soon):
    """?post_id=2**64 reached a foreign-key filter and the database (a 500, found by the
    fuzz run in tests/test_openapi.py)."""
    auth = bearer(client, "resident")
    for query in (f"post_id={2**64}", "post_id=0"):
        resp = client.get(f"/api/v1/volunteering/activities?{query}", **auth)
        assert resp.status_code == 422 and resp.json()["field"] == "post_id", query
    staff = bearer(client, "community")
    resp = client.get(f"/api/v1/volunteering/manage/activities?post_id={2**64}", **staff)
    assert resp.status_code == 422 and resp.json()["field"] == "post_id"
    start = timezone.now() + 2 * H
    body = {
        "post_id": posts.post.pk,
        "title": "清扫",
        "starts_at": start.isoformat(),
        "ends_at": (start + H).isoformat(),
        "slots": 2**40,
    }
    resp = client.post("/api/v1/volunteering/activities", body, content_type=JSON, **staff)
    assert resp.status_code == 422 and resp.json()["field"] == "slots"
    before = VolunteerActivity.objects.count()
    body.update(slots=3, starts_at="1999-01-01T09:00:00+08:00")
    resp = client.post("/api/v1/volunteering/activities", body, content_type=JSON, **staff)
    assert resp.status_code == 422 and resp.json()["field"] == "starts_at"
    assert VolunteerActivity.objects.count() == before
