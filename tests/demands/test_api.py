"""/api/v1/demands and /api/v1/demand-groups: a resident raises and follows their own,
staff read and manage their scope's; 404 outside scope; bad input a 400 naming the
field, nothing written; an anonymous demand names nobody to staff."""

from __future__ import annotations

import pytest

from shezhi.demands.models import Demand
from shezhi.incentives.models import Transfer
from tests.factories import PASSWORD

from .conftest import IN_MICRO1

pytestmark = pytest.mark.django_db

WISH = {
    "kind": "parking",
    "text": "车位太少，晚上没地方停车",
    "lng": IN_MICRO1[0],
    "lat": IN_MICRO1[1],
}


def _as(client, user):
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    return client


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_resident_raises_and_follows_their_own(client, place, shared_cast):
    _as(client, shared_cast.resident)
    r = _post(client, "/api/v1/demands", {**WISH, "anonymous": True})
    assert r.status_code == 201, r.content
    mine = r.json()
    assert mine["asker"] == "resident" and mine["status"] == "grouped"
    assert mine["area"]["level"] == "micro_grid"
    page = client.get("/api/v1/demands").json()
    assert [d["id"] for d in page["items"]] == [mine["id"]] and page["next_cursor"] is None
    assert client.get(f"/api/v1/demands/{mine['id']}").status_code == 200
    assert client.get("/api/v1/demand-groups").json()["items"] == []
    assert not Transfer.objects.filter(rule="demand_collected").exists()

    _as(client, shared_cast.resident2)  # another resident: not theirs
    assert client.get(f"/api/v1/demands/{mine['id']}").status_code == 404
    assert client.get("/api/v1/demands").json()["items"] == []

    staff = _as(client, shared_cast.community)
    seen = staff.get(f"/api/v1/demands/{mine['id']}").json()
    assert seen["asker"] is None and seen["text"] == WISH["text"]
    (group,) = staff.get("/api/v1/demand-groups").json()["items"]
    assert group["residents"] == 1 and group["confirmed"] is False
    assert _post(staff, f"/api/v1/demand-groups/{group['id']}/confirm", {}).json()["confirmed"]
    closed = _post(staff, f"/api/v1/demands/{mine['id']}/close", {"outcome": "已新增20个车位"})
    assert closed.status_code == 200 and closed.json()["outcome"] == "已新增20个车位"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "flying"}, "kind"),
        ({"text": " "}, "text"),
        ({"text": "x" * 1001}, "text"),
        ({"lng": 200.0}, "location"),
        ({"lng": None, "lat": None}, "location"),
        ({"source": "fax"}, "source"),
        ({"address": "x" * 201}, "address"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, place, shared_cast, change, field):
    _as(client, shared_cast.resident)
    r = _post(client, "/api/v1/demands", {**WISH, **change})
    assert r.status_code in (400, 422), r.content
    assert field in r.content.decode()
    assert not Demand.objects.exists()


def test_collected_by_a_worker_pays_once_and_outside_is_404(client, place, shared_cast):
    worker = _as(client, shared_cast.mg_worker)
    body = {"kind": "convenience", "text": "希望装快递柜", "source": "staff",
            "area": place.h101.micro_grid.code, "address": "凤凰家园1栋"}  # fmt: skip
    r = _post(worker, "/api/v1/demands", body)
    assert r.status_code == 201, r.content
    assert Transfer.objects.filter(rule="demand_collected", user=shared_cast.mg_worker).count() == 1
    d = r.json()["id"]
    assert _post(worker, f"/api/v1/demands/{d}/close", {"outcome": "x"}).status_code == 403
    for outsider in (shared_cast.community2, shared_cast.dept_cg, shared_cast.alliance):
        c = _as(client, outsider)
        assert c.get(f"/api/v1/demands/{d}").status_code == 404
        assert c.get(f"/api/v1/demand-groups/{Demand.objects.get().group_id}").status_code == 404
        assert _post(c, f"/api/v1/demands/{d}/split", {}).status_code == 404
    c = _as(client, shared_cast.mg_worker2)
    r = _post(c, "/api/v1/demands", {**body, "area": place.h101.micro_grid.code})
    assert r.status_code == 404  # micro1 is not the micro2 worker's area
    assert Demand.objects.count() == 1


def test_a_demand_with_photos(client, place, shared_cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.events.conftest import jpeg

    c = _as(client, shared_cast.resident)
    form = {"kind": "greenery", "text": "希望补种绿化", "lng": IN_MICRO1[0], "lat": IN_MICRO1[1]}
    r = c.post("/api/v1/demands/with-photos", {**form, "photos": [jpeg()]})
    assert r.status_code == 201, r.content
    body = r.json()
    (photo,) = body["photos"]
    assert photo["url"] == f"/api/v1/demands/{body['id']}/photos/{photo['id']}"
    got = c.get(photo["url"])
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    assert c.get(f"/api/v1/demands/{body['id']}").json()["photos"] == [photo]
    assert _as(client, shared_cast.community2).get(photo["url"]).status_code == 404
    assert _as(client, shared_cast.resident2).get(photo["url"]).status_code == 404
    c = _as(client, shared_cast.resident)
    bad = SimpleUploadedFile("x.jpg", b"nope", content_type="image/jpeg")
    r = c.post("/api/v1/demands/with-photos", {**form, "photos": [bad]})
    assert r.status_code == 400 and r.json()["field"] == "photos"
    assert Demand.objects.count() == 1
