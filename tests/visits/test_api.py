"""/api/v1/visits: list (keyset), record, one visit; 404 outside scope, 4xx naming the
field for bad input, nothing written."""

from __future__ import annotations

import pytest

from shezhi.incentives.models import Transfer
from shezhi.visits.models import Visit
from tests.factories import PASSWORD

from .conftest import visit

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)


def _post(client, body):
    return client.post("/api/v1/visits", body, content_type="application/json")


def test_record_list_and_read(client, place, residents, shared_cast):
    _login(client, shared_cast.mg_worker)
    body = {"household": place.h101.pk, "outcome": "met", "met": [residents[0].pk],
            "items": ["ebike"], "notes": "楼道充电", "idempotency_key": "a1",
            "tag_proposals": [{"resident": residents[1].pk, "tag": "empty_nest"}]}  # fmt: skip
    created = _post(client, body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["items"][0]["code"] == "ebike" and data["met"] == [residents[0].pk]
    assert data["tag_proposals"] == [
        {"resident": residents[1].pk, "tag": "empty_nest", "add": True}
    ]
    again = _post(client, body)
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert Transfer.objects.filter(rule="household_visit").count() == 1
    for _ in range(3):
        visit(shared_cast.mg_worker, place.h102)
    page = client.get("/api/v1/visits?limit=2").json()
    assert page["count"] == 4 and len(page["items"]) == 2 and page["next_cursor"]
    rest = client.get(f"/api/v1/visits?limit=2&cursor={page['next_cursor']}").json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    assert client.get(f"/api/v1/visits?household={place.h101.pk}").json()["count"] == 1
    assert client.get(f"/api/v1/visits/{data['id']}").json()["notes"] == "楼道充电"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"outcome": "met"}, 400, "met"),
        ({"outcome": "perhaps"}, 422, "outcome"),
        ({"items": ["nope"]}, 422, "items"),
        ({"tag_proposals": [{"resident": 1, "tag": "disability"}]}, 422, "tag_proposals"),
        ({"at": "2001-01-01T00:00:00+08:00"}, 400, "at"),
        ({"notes": "x" * 2001}, 422, "notes"),
        ({"household": 2**70}, 422, "household"),
    ],
)
def test_bad_input(client, place, shared_cast, body, status, field):
    _login(client, shared_cast.mg_worker)
    resp = _post(client, {"household": place.h101.pk, "outcome": "nobody_home", **body})
    assert resp.status_code == status, resp.content
    assert resp.json()["field"] == field or field in str(resp.json())
    assert not Visit.objects.exists()


def test_outside_scope_is_404(client, place, shared_cast):
    v = visit(shared_cast.mg_worker, place.h101)
    _login(client, shared_cast.mg_worker2)
    assert client.get(f"/api/v1/visits/{v.pk}").status_code == 404
    assert _post(client, {"household": place.h101.pk, "outcome": "nobody_home"}).status_code == 404
    assert client.get(f"/api/v1/visits?household={place.h101.pk}").status_code == 404
    assert client.get("/api/v1/visits").json()["count"] == 0
    _login(client, shared_cast.dept_cg)
    assert client.get(f"/api/v1/visits/{v.pk}").status_code == 404
    assert client.get("/api/v1/visits").json()["count"] == 0
    assert not Visit.objects.exclude(pk=v.pk).exists()
