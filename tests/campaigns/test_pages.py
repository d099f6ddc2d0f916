"""Campaign pages: the staff's list and board, the composer, the worker's round page,
the resident's answer page and take-up: the answer inside scope, 404 outside, a 400
naming the field for bad input with nothing written."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shezhi.campaigns import services
from shezhi.campaigns.models import Broadcast, BroadcastAnswer, RoundStop, TakeUp
from shezhi.demands.models import Demand
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    return client


def test_list_and_board(client, shared_cast, campaign):
    c = _as(client, shared_cast.street)
    r = c.get("/campaigns/")
    assert r.status_code == 200 and campaign.name in r.content.decode()
    r = c.get(f"/campaigns/{campaign.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and 'data-stage="collect"' in html
    assert 'data-figure="demands_collected"' in html
    r = c.post(f"/campaigns/{campaign.pk}/", {"form": "stage", "stage": "publish"})
    assert r.status_code == 302
    campaign.refresh_from_db()
    assert campaign.stage == "publish"
    r = c.post(f"/campaigns/{campaign.pk}/", {"form": "stage", "stage": "present"})
    assert r.status_code == 400 and 'data-testid="error-stage"' in r.content.decode()
    r = c.post(f"/campaigns/{campaign.pk}/", {"form": "package", "name": "安居包", "area": "x",
                                              "contents": "适老化"})  # fmt: skip
    assert r.status_code == 400 and 'data-testid="error-area"' in r.content.decode()
    r = c.post(f"/campaigns/{campaign.pk}/", {"form": "package", "name": "安居包", "area": "x",
                                              "contents": "适老化"})  # fmt: skip
    assert r.status_code == 400 and 'data-testid="error-area"' in r.content.decode()
    for who in (shared_cast.other_street, shared_cast.resident):
        assert _as(client, who).get(f"/campaigns/{campaign.pk}/").status_code == 404


def test_create_from_the_list_page(client, shared_cast):
    c = _as(client, shared_cast.street)
    r = c.post("/campaigns/", {"name": "专列", "area": "510113001", "starts_on": "2026-12-01",
                               "ends_on": "2026-11-01"})  # fmt: skip
    assert r.status_code == 400 and 'data-testid="error-ends_on"' in r.content.decode()
    r = c.post("/campaigns/", {"name": "专列", "area": "510113001", "starts_on": "2026-11-01",
                               "ends_on": "2026-12-01"})  # fmt: skip
    assert r.status_code == 302


def test_compose_and_answer(client, shared_cast, campaign, bound):
    c = _as(client, shared_cast.street)
    assert c.get(f"/campaigns/{campaign.pk}/broadcast/").status_code == 200
    r = c.post(f"/campaigns/{campaign.pk}/broadcast/", {"area": "510113001001", "title": "",
               "body": "x", "question": "y", "kind": "other"})  # fmt: skip
    assert r.status_code == 400 and not Broadcast.objects.exists()
    r = c.post(f"/campaigns/{campaign.pk}/broadcast/", {"area": "510113001001", "title": "小广播",
               "body": "征集", "question": "想要什么？", "kind": "other"})  # fmt: skip
    assert r.status_code == 302
    b = Broadcast.objects.get()
    assert (
        _as(client, shared_cast.mg_worker).get(f"/campaigns/{campaign.pk}/broadcast/").status_code
        == 404
    )
    resident = _as(client, shared_cast.resident)
    r = resident.get(f"/campaigns/broadcasts/{b.pk}/")
    assert r.status_code == 200 and "想要什么？" in r.content.decode()
    r = resident.post(f"/campaigns/broadcasts/{b.pk}/", {"text": " "})
    assert r.status_code == 400 and not BroadcastAnswer.objects.exists()
    r = resident.post(f"/campaigns/broadcasts/{b.pk}/", {"text": "希望有社区食堂"})
    assert r.status_code == 302 and Demand.objects.get().text == "希望有社区食堂"
    assert (
        'data-testid="my-answer"' in resident.get(f"/campaigns/broadcasts/{b.pk}/").content.decode()
    )
    outsider = _as(client, shared_cast.outsider_resident)
    assert outsider.get(f"/campaigns/broadcasts/{b.pk}/").status_code == 404


def test_round_page_and_take_up(client, shared_cast, campaign, bound, territory):
    r = services.open_round(
        actor=shared_cast.street, campaign=campaign, title="小红帽", area=territory["micro1"],
        day=timezone.localdate(), workers=[shared_cast.mg_worker],
    )  # fmt: skip
    w = _as(client, shared_cast.mg_worker)
    page = w.get(f"/campaigns/rounds/{r.pk}/")
    assert page.status_code == 200 and f"/visits/new/{bound.h101.pk}/" in page.content.decode()
    bad = w.post(f"/campaigns/rounds/{r.pk}/", {"address": "", "kind": "other"})
    assert bad.status_code == 400 and not RoundStop.objects.exists()
    ok = w.post(f"/campaigns/rounds/{r.pk}/", {"address": "东风路1号", "kind": "safety",
                                               "wish": "路灯不亮"})  # fmt: skip
    assert ok.status_code == 302 and Demand.objects.get().campaign == campaign
    assert _as(client, shared_cast.mg_worker2).get(f"/campaigns/rounds/{r.pk}/").status_code == 404

    p = services.create_package(
        actor=shared_cast.street, campaign=campaign, name="安居包", contents="适老化",
        area=territory["micro1"],
    )  # fmt: skip
    w = _as(client, shared_cast.mg_worker)
    assert w.get(f"/campaigns/packages/{p.pk}/").status_code == 200
    r2 = w.post(f"/campaigns/packages/{p.pk}/", {"household": bound.h101.pk, "answer": "taken"})
    assert r2.status_code == 302
    again = w.post(
        f"/campaigns/packages/{p.pk}/", {"household": bound.h101.pk, "answer": "refused"}
    )
    assert again.status_code == 400 and TakeUp.objects.count() == 1
    assert (
        _as(client, shared_cast.mg_worker2).get(f"/campaigns/packages/{p.pk}/").status_code == 404
    )


def test_back_office_lists_campaigns(admin_client, campaign):
    for name in ("campaign", "round", "roundstop", "broadcast", "package", "takeup", "result"):
        assert admin_client.get(f"/admin/campaigns/{name}/").status_code == 200, name
    assert admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").status_code == 200
