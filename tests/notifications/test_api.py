"""The notifications API: own only, filters, paging, marking read."""

from __future__ import annotations

import pytest

from shezhi.notifications import services
from shezhi.notifications.models import Notification
from tests.areas.test_api import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(people):
    alice, bob = people["alice"], people["bob"]
    for i in range(5):
        services.notify([alice], kind="event.dispatched", title=f"通知{i}", url=f"/events/{i}/")
    services.notify([bob], kind="k", title="鲍勃的")
    return {
        "alice": list(Notification.objects.filter(user=alice).order_by("pk")),
        "bob": Notification.objects.get(user=bob),
    }


def test_signed_out_gets_401(client, inbox):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/read-all").status_code == 401
    assert client.post(f"/api/v1/notifications/{inbox['bob'].pk}/read").status_code == 401


def test_list_own_newest_first_paginated(client, inbox):
    headers = bearer(client, "alice")
    data = client.get("/api/v1/notifications", **headers).json()
    assert data["count"] == 5
    assert [i["title"] for i in data["items"]] == [f"通知{i}" for i in range(4, -1, -1)]
    first = data["items"][0]
    assert set(first) == {
        "id",
        "kind",
        "title",
        "body",
        "url",
        "event_id",
        "created_at",
        "read_at",
        "read",
    }
    assert first["read"] is False and first["url"] == "/events/4/" and first["event_id"] is None
    page = client.get("/api/v1/notifications?limit=2&offset=2", **headers).json()
    assert page["count"] == 5 and [i["title"] for i in page["items"]] == ["通知2", "通知1"]


def test_unread_filter_and_count(client, inbox):
    headers = bearer(client, "alice")
    services.mark_read(user=inbox["alice"][0].user, notification_id=inbox["alice"][0].pk)
    unread = client.get("/api/v1/notifications?unread=true", **headers).json()
    assert unread["count"] == 4 and all(not i["read"] for i in unread["items"])
    read = client.get("/api/v1/notifications?unread=false", **headers).json()
    assert [i["id"] for i in read["items"]] == [inbox["alice"][0].pk]
    assert read["items"][0]["read"] is True and read["items"][0]["read_at"]
    assert client.get("/api/v1/notifications/unread-count", **headers).json() == {"unread": 4}


def test_bad_input_is_a_clear_422(client, inbox):
    headers = bearer(client, "alice")
    resp = client.get("/api/v1/notifications?unread=maybe", **headers)
    assert resp.status_code == 422 and "unread" in resp.content.decode()
    assert client.get("/api/v1/notifications?limit=-1", **headers).status_code == 422
    resp = client.post("/api/v1/notifications/abc/read", **headers)
    assert resp.status_code == 422 and "notification_id" in resp.content.decode()


def test_mark_one_read_own_only(client, inbox):
    headers = bearer(client, "alice")
    mine = inbox["alice"][0]
    resp = client.post(f"/api/v1/notifications/{mine.pk}/read", **headers)
    assert resp.status_code == 200
    body = resp.json()
    assert body["id"] == mine.pk and body["read"] is True and body["read_at"]
    assert client.post(f"/api/v1/notifications/{mine.pk}/read", **headers).status_code == 200

    theirs = inbox["bob"]
    resp = client.post(f"/api/v1/notifications/{theirs.pk}/read", **headers)
    assert resp.status_code == 404
    assert client.post("/api/v1/notifications/999999/read", **headers).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all(client, inbox):
    headers = bearer(client, "alice")
    assert client.post("/api/v1/notifications/read-all", **headers).json() == {"marked": 5}
    assert client.post("/api/v1/notifications/read-all", **headers).json() == {"marked": 0}
    inbox["bob"].refresh_from_db()
    assert inbox["bob"].read_at is None
    assert client.get("/api/v1/notifications/unread-count", **headers).json() == {"unread": 0}


def test_session_posts_need_csrf(people, inbox):
    from django.test import Client

    from tests.factories import PASSWORD

    client = Client(enforce_csrf_checks=True)
    client.login(username="alice", password=PASSWORD)
    assert client.get("/api/v1/notifications").json()["count"] == 5
    assert client.post("/api/v1/notifications/read-all").status_code == 403


def test_openapi_documents_the_routes(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert paths["/api/v1/notifications"]["get"]["summary"] == "My notifications, newest first"
    assert "/api/v1/notifications/{notification_id}/read" in paths
    assert "/api/v1/notifications/read-all" in paths


def test_cursor_paging_walks_every_notification_once_and_the_count_is_capped(
    client, inbox, monkeypatch
):
    from shezhi.core import apitypes

    headers = bearer(client, "alice")
    first = client.get("/api/v1/notifications?limit=2", **headers).json()
    assert first["count"] == 5 and first["count_capped"] is False and first["next_cursor"]
    seen, page = [i["title"] for i in first["items"]], first
    while page["next_cursor"]:
        page = client.get(
            f"/api/v1/notifications?limit=2&cursor={page['next_cursor']}", **headers
        ).json()
        seen += [i["title"] for i in page["items"]]
    assert seen == [f"通知{i}" for i in range(4, -1, -1)]
    # An offset's page says where to go on from too.
    offset = client.get("/api/v1/notifications?limit=2&offset=2", **headers).json()
    after = client.get(
        f"/api/v1/notifications?limit=2&cursor={offset['next_cursor']}", **headers
    ).json()
    assert [i["title"] for i in after["items"]] == ["通知0"] and after["next_cursor"] is None

    monkeypatch.setattr(apitypes.KeysetPaging, "cap", 3)
    capped = client.get("/api/v1/notifications?limit=2", **headers).json()
    assert capped["count"] == 3 and capped["count_capped"] is True


@pytest.mark.parametrize("cursor", ["x", "bnVsbA", "W1tdXQ", "W10"])
def test_a_cursor_this_list_did_not_give_out_is_a_400_naming_it(client, inbox, cursor):
    resp = client.get(f"/api/v1/notifications?cursor={cursor}", **bearer(client, "alice"))
    assert resp.status_code == 400
    assert resp.json()["code"] == "bad_input" and resp.json()["field"] == "cursor"


def test_after_is_the_cursor_as_every_list_api_names_it_and_cursor_still_works(client, inbox):
    headers = bearer(client, "alice")
    first = client.get("/api/v1/notifications?limit=2", **headers).json()
    seen, page = [i["title"] for i in first["items"]], first
    while page["next_cursor"]:
        page = client.get(
            f"/api/v1/notifications?limit=2&after={page['next_cursor']}", **headers
        ).json()
        seen += [i["title"] for i in page["items"]]
    assert seen == [f"通知{i}" for i in range(4, -1, -1)]
    # The old name reads the same page; both at once must agree.
    token = first["next_cursor"]
    by_after = client.get(f"/api/v1/notifications?limit=2&after={token}", **headers).json()
    by_cursor = client.get(f"/api/v1/notifications?limit=2&cursor={token}", **headers).json()
    both = client.get(
        f"/api/v1/notifications?limit=2&after={token}&cursor={token}", **headers
    ).json()
    assert by_after == by_cursor == both
    clash = client.get(f"/api/v1/notifications?after={token}&cursor=W10", **headers)
    assert clash.status_code == 400 and clash.json()["field"] == "cursor"


@pytest.mark.parametrize("token", ["x", "bnVsbA", "W1tdXQ", "W10"])
def test_a_foreign_after_is_a_400_naming_after(client, inbox, token):
    resp = client.get(f"/api/v1/notifications?after={token}", **bearer(client, "alice"))
    assert resp.status_code == 400
    assert resp.json()["code"] == "bad_input" and resp.json()["field"] == "after"


def test_openapi_marks_cursor_deprecated_in_favour_of_after(client):
    schema = client.get("/api/v1/openapi.json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/v1/notifications"]["get"]["parameters"]}
    assert "after" in params and params["cursor"].get("deprecated") is True, params["cursor"]
