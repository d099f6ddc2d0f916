"""Emergency operations under /api/v1/operations: scope both ways, idempotent checks,
409 for the second worker, bad input refused with the field named."""

from __future__ import annotations

import pytest

from shezhi.operations.models import CheckLine, Operation
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

API = "/api/v1/operations"


def as_user(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_street_staff_start_an_operation(client, cast, world, territory):
    c = as_user(client, cast.street)
    body = {"area": territory["community"].code, "kind": "flood", "title": "防汛扫楼",
            "request_key": "start-1"}  # fmt: skip
    resp = post(c, API, body)
    assert resp.status_code == 201, resp.json()
    data = resp.json()
    assert data["households"] == 3 and data["vulnerable"] == 1 and data["state"] == "running"
    assert post(c, API, body).json()["id"] == data["id"]  # a retry: the same operation
    assert Operation.objects.count() == 1
    assert c.get(f"{API}/{data['id']}").json()["area_code"] == territory["community"].code


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"kind": "quake"}, 422, "kind"),
        ({"title": ""}, 422, "title"),
        ({"title": "x" * 101}, 422, "title"),
        ({"area": "999"}, 404, None),
    ],
)
def test_a_bad_start_names_the_field(client, cast, world, territory, body, status, field):
    values = {"area": territory["community"].code, "kind": "flood", "title": "扫楼", **body}
    resp = post(as_user(client, cast.street), API, values)
    assert resp.status_code == status
    if field:
        assert resp.json()["field"] == field
    assert not Operation.objects.exists()


def test_a_community_staff_may_not_start(client, cast, world, territory):
    resp = post(
        as_user(client, cast.community),
        API,
        {"area": territory["community"].code, "kind": "flood", "title": "扫楼"},
    )
    assert resp.status_code == 403 and not Operation.objects.exists()


def test_a_worker_checks_their_households_once_and_a_second_worker_gets_409(
    client, cast, op, world
):
    c = as_user(client, cast.mg_worker)
    lines = c.get(f"{API}/{op.pk}/lines").json()
    # Their micro-grid only, the vulnerable household first.
    assert [i["household_id"] for i in lines["items"]] == [world.h102.pk, world.h101.pk]
    assert lines["items"][0]["vulnerable"] is True
    line = lines["items"][1]["id"]
    url = f"{API}/{op.pk}/lines/{line}/check"
    first = post(c, url, {"outcome": "reached", "request_key": "tap-1"})
    assert first.status_code == 201 and first.json()["outcome"] == "reached"
    retry = post(c, url, {"outcome": "reached", "request_key": "tap-1"})
    assert retry.status_code == 200 and retry.json()["version"] == 1
    c.logout()
    other = as_user(client, cast.post_keeper)  # a second worker of micro1
    lost = post(other, url, {"outcome": "absent", "request_key": "tap-2"})
    assert lost.status_code == 409 and lost.json()["code"] == "conflict"
    assert lost.json()["field"] == "outcome"
    todo = other.get(f"{API}/{op.pk}/lines?todo=true").json()
    assert [i["household_id"] for i in todo["items"]] == [world.h102.pk]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"outcome": "gone", "request_key": "k"}, 422, "outcome"),
        ({"outcome": "reached"}, 422, "request_key"),
        ({"outcome": "needs_help", "request_key": "k"}, 400, "needs"),
        ({"outcome": "needs_help", "needs": ["cash"], "request_key": "k"}, 422, "needs"),
        ({"outcome": "reached", "notes": "x" * 501, "request_key": "k"}, 422, "notes"),
    ],
)
def test_a_bad_check_names_the_field_and_writes_nothing(
    client, cast, op, world, body, status, field
):
    line = CheckLine.objects.get(operation=op, household=world.h101)
    resp = post(as_user(client, cast.mg_worker), f"{API}/{op.pk}/lines/{line.pk}/check", body)
    assert resp.status_code == status, resp.json()
    assert resp.json()["field"].split(".")[0] == field
    line.refresh_from_db()
    assert line.outcome == "" and line.version == 0


def test_outside_the_workers_micro_grid_a_line_is_404(client, cast, op, world):
    line = CheckLine.objects.get(operation=op, household=world.h201)
    c = as_user(client, cast.mg_worker)
    assert post(c, f"{API}/{op.pk}/lines/{line.pk}/check",
                {"outcome": "reached", "request_key": "k"}).status_code == 404  # fmt: skip
    assert post(c, f"{API}/{op.pk}/lines/{line.pk}/hand-outs",
                {"item": "水", "quantity": 1, "signed_by": "王", "request_key": "k"}
                ).status_code == 404  # fmt: skip


def test_read_only_roles_get_counts_not_lines(client, cast, op):
    c = as_user(client, cast.alliance)
    board = c.get(f"{API}/{op.pk}/dashboard")
    assert board.status_code == 200 and board.json()["total"]["households"] == 3
    assert c.get(f"{API}/{op.pk}/lines").status_code == 404
    c.logout()
    c = as_user(client, cast.other_street)
    assert c.get(f"{API}/{op.pk}").status_code == 404
    assert c.get(f"{API}/{op.pk}/dashboard").status_code == 404
    assert c.get(API).json() == []


def test_roll_call_and_hand_out_and_stand_down(client, cast, op, world):
    c = as_user(client, cast.mg_worker)
    resp = post(c, f"{API}/{op.pk}/roll-call", {"status": "on_duty", "lng": 104.02, "lat": 30.62})
    assert resp.status_code == 200 and resp.json()["status"] == "on_duty"
    bad = post(c, f"{API}/{op.pk}/roll-call", {"status": "on_duty"})
    assert bad.status_code == 400 and bad.json()["field"] == "lng"
    line = CheckLine.objects.get(operation=op, household=world.h101)
    hand = {"item": "安居包", "quantity": 2, "signed_by": "张三", "request_key": "h"}
    url = f"{API}/{op.pk}/lines/{line.pk}/hand-outs"
    assert post(c, url, hand).status_code == 201
    assert post(c, url, hand).json()["id"] == post(c, url, hand).json()["id"]
    assert post(c, f"{API}/{op.pk}/stand-down", {}).status_code == 403  # sees it, may not
    c.logout()
    c = as_user(client, cast.street)
    down = post(c, f"{API}/{op.pk}/stand-down", {})
    assert down.status_code == 200 and down.json()["state"] == "stood_down"
    assert post(c, f"{API}/{op.pk}/stand-down", {}).status_code == 409
