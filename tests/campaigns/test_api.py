"""/api/v1/campaigns: staff start and run campaigns in their scope (404 outside), the
board's stages with live counts, rounds and stops, broadcasts answered by the residents
they reached, take-up once per household, results; bad input a 400 naming the field,
nothing written."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shezhi.campaigns.models import Campaign, TakeUp
from shezhi.demands.models import Demand
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = {"name": "社治专列", "area": "510113001", "starts_on": "2026-11-01", "ends_on": "2026-12-31"}


def _as(client, user):
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    return client


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_staff_start_a_campaign_and_read_its_board(client, shared_cast):
    c = _as(client, shared_cast.street)
    r = _post(c, "/api/v1/campaigns", NEW)
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    detail = c.get(f"/api/v1/campaigns/{cid}").json()
    assert [s["stage"] for s in detail["stages"]] == [
        "collect", "publish", "incubate", "share", "present",
    ]  # fmt: skip
    collect = detail["stages"][0]
    assert collect["current"] and {f["key"] for f in collect["figures"]} >= {"demands_collected"}
    moved = _post(c, f"/api/v1/campaigns/{cid}/stage", {"stage": "publish"})
    assert moved.status_code == 200 and moved.json()["stage"] == "publish"
    skip = _post(c, f"/api/v1/campaigns/{cid}/stage", {"stage": "present"})
    assert skip.status_code == 400 and skip.json()["field"] == "stage"
    page = c.get("/api/v1/campaigns").json()
    assert [x["id"] for x in page["items"]] == [cid] and page["next_cursor"] is None


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": " "}, "name"),
        ({"ends_on": "2026-10-01"}, "ends_on"),
        ({"area": "510113001001001"}, "area"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, shared_cast, change, field):
    r = _post(_as(client, shared_cast.street), "/api/v1/campaigns", {**NEW, **change})
    assert r.status_code == 400 and r.json()["field"] == field
    assert not Campaign.objects.exists()


def test_outside_scope_is_404(client, shared_cast, campaign):
    for who in (shared_cast.other_street, shared_cast.resident, shared_cast.alliance):
        c = _as(client, who)
        assert c.get(f"/api/v1/campaigns/{campaign.pk}").status_code == 404
        assert c.get("/api/v1/campaigns").json()["items"] == []
    r = _post(_as(client, shared_cast.other_street), "/api/v1/campaigns", NEW)
    assert r.status_code == 404


def test_broadcast_answer_round_and_take_up(client, shared_cast, campaign, bound):
    staff = _as(client, shared_cast.street)
    b = _post(
        staff, f"/api/v1/campaigns/{campaign.pk}/broadcasts",
        {"area": "510113001001", "title": "小广播", "body": "征集意见", "question": "想要什么？",
         "kind": "elderly_care"},
    )  # fmt: skip
    assert b.status_code == 201, b.content
    bid = b.json()["id"]
    assert b.json()["reach"] == 2
    resident = _as(client, shared_cast.resident)
    seen = resident.get(f"/api/v1/campaigns/broadcasts/{bid}").json()
    assert seen["reach"] is None and seen["answered"] is False
    a = _post(resident, f"/api/v1/campaigns/broadcasts/{bid}/answer", {"text": "老年食堂"})
    assert a.status_code == 201, a.content
    again = _post(resident, f"/api/v1/campaigns/broadcasts/{bid}/answer", {"text": "再来"})
    assert again.status_code == 400 and again.json()["field"] == "text"
    outsider = _as(client, shared_cast.outsider_resident)
    assert outsider.get(f"/api/v1/campaigns/broadcasts/{bid}").status_code == 404
    assert Demand.objects.get().kind == "elderly_care"

    staff = _as(client, shared_cast.street)
    counts = staff.get(f"/api/v1/campaigns/broadcasts/{bid}").json()
    assert (counts["reach"], counts["read"], counts["answers"]) == (2, 1, 1)
    rnd = _post(
        staff, f"/api/v1/campaigns/{campaign.pk}/rounds",
        {"title": "小红帽", "area": "510113001001001001", "day": str(timezone.localdate()),
         "workers": [shared_cast.mg_worker.pk]},
    )  # fmt: skip
    assert rnd.status_code == 201, rnd.content
    worker = _as(client, shared_cast.mg_worker)
    stop = _post(
        worker, f"/api/v1/campaigns/rounds/{rnd.json()['id']}/stops",
        {"address": "东风路8号", "wish": "路灯太暗", "kind": "safety"},
    )  # fmt: skip
    assert stop.status_code == 201 and stop.json()["stops"] == 1
    bad = _post(worker, f"/api/v1/campaigns/rounds/{rnd.json()['id']}/stops", {"address": ""})
    assert bad.status_code == 400 and bad.json()["field"] == "address"

    staff = _as(client, shared_cast.street)
    p = _post(
        staff, f"/api/v1/campaigns/{campaign.pk}/packages",
        {"name": "安居包", "contents": "适老化改造", "area": "510113001001"},
    )  # fmt: skip
    pid = p.json()["id"]
    t = _post(staff, f"/api/v1/campaigns/packages/{pid}/take-ups",
              {"household": bound.h101.pk, "answer": "taken"})  # fmt: skip
    assert t.status_code == 201
    t = _post(staff, f"/api/v1/campaigns/packages/{pid}/take-ups",
              {"household": bound.h101.pk, "answer": "refused"})  # fmt: skip
    assert t.status_code == 400 and t.json()["field"] == "household"
    assert TakeUp.objects.count() == 1
    assert staff.get(f"/api/v1/campaigns/packages/{pid}").json()["taken"] == 1
    detail = staff.get(f"/api/v1/campaigns/{campaign.pk}").json()
    figures = {f["key"]: f["count"] for s in detail["stages"] for f in s["figures"]}
    assert figures["demands_collected"] == 2 and figures["package_take_up"] == 1

    result = {"title": "成果", "summary": "新增老年食堂", "figures": [{"label": "户", "value": 27}]}
    res = _post(staff, f"/api/v1/campaigns/{campaign.pk}/results", result)
    assert res.status_code == 201
    pub = _post(staff, f"/api/v1/campaigns/results/{res.json()['id']}/publish", {})
    assert pub.status_code == 200 and pub.json()["published_at"]
    assert len(staff.get(f"/api/v1/campaigns/{campaign.pk}/results").json()) == 1


def test_each_stage_figure_has_its_definition(client, shared_cast):
    found = _as(client, shared_cast.street).get("/api/v1/campaigns/figures").json()
    by_key = {f["key"]: f for f in found}
    assert by_key["demands_collected"]["stage"] == "collect"
    assert "count(" in by_key["demands_collected"]["definition"]
