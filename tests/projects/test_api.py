"""/api/v1/projects: the life through the API, scoped (404 outside), bad input a 4xx
naming the field with nothing written, public accounts that reconcile, payers masked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.projects.models import Payment, Project
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def proposal(world, **kw):
    body = {
        "area": world.territory["micro1"].code,
        "title": "小区健身角",
        "problem": "老人没地方锻炼",
        "plan": "在空地装健身器材",
        "budget": [
            {"kind": "materials", "description": "器材", "amount": 18_000},
            {"kind": "labour", "description": "安装", "amount": 2_000},
        ],
        "deadline": (timezone.now() + timedelta(days=20)).isoformat(),
    }
    body.update(kw)
    return body


def test_the_life_through_the_api(client, world):
    _as(client, world.initiator)
    r = _post(client, "/api/v1/projects", proposal(world))
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert r.json()["target"] == 20_000 and r.json()["stage"] == "backing"
    for n in world.neighbours[:2]:
        _as(client, n)
        assert _post(client, f"/api/v1/projects/{pid}/back").status_code == 200
    _as(client, world.staff)
    queue = client.get("/api/v1/project-review-queue").json()["items"]
    assert [p["id"] for p in queue] == [pid]
    r = _post(client, f"/api/v1/projects/{pid}/review", {"decision": "approve"})
    assert r.status_code == 200 and r.json()["stage"] == "funding", r.content
    _as(client, world.neighbours[0])
    assert _post(client, f"/api/v1/projects/{pid}/pledges", {"amount": 5_000}).status_code == 201
    _as(client, world.staff)
    body = {"payer_name": "张三", "amount": 5_000, "channel": "wechat", "reference": "wx9"}
    r = _post(client, f"/api/v1/projects/{pid}/payments", body)
    assert r.status_code == 201 and r.json()["payer"] == "张*"
    again = _post(client, f"/api/v1/projects/{pid}/payments", body)
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    r = _post(client, f"/api/v1/projects/{pid}/payments", {**body, "amount": 5_001})
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    named = {
        "payer_name": "李四",
        "amount": 8_334,
        "channel": "bank",
        "reference": "b1",
        "named": True,
    }
    assert _post(client, f"/api/v1/projects/{pid}/payments", named).json()["payer"] == "李四"
    project = client.get(f"/api/v1/projects/{pid}").json()
    assert project["stage"] == "delivery" and project["raised"] == 20_000
    r = _post(
        client,
        f"/api/v1/projects/{pid}/expenses",
        {"payee": "体育用品店", "description": "器材", "amount": 20_001},
    )
    assert r.status_code == 400 and r.json()["field"] == "amount"
    r = _post(
        client,
        f"/api/v1/projects/{pid}/expenses",
        {"payee": "体育用品店", "description": "器材", "amount": 18_000},
    )
    assert r.status_code == 201
    acc = client.get(f"/api/v1/projects/{pid}/accounts").json()
    assert acc["reconciles"] and acc["balance"] == acc["ledger_balance"] == 2_000
    assert acc["residents"] == 13_334 and acc["match"] == 6_666 and acc["spent"] == 18_000
    assert {line["who"] for line in acc["lines"] if line["kind"] == "payment"} == {"张*", "李四"}
    r = _post(client, f"/api/v1/projects/{pid}/complete", {"closing_note": "已建成"})
    assert r.json()["stage"] == "completed"
    _as(client, world.neighbours[0])
    assert _post(client, f"/api/v1/projects/{pid}/ratings", {"stars": 5}).status_code == 201
    funds = _as(client, world.staff).get("/api/v1/project-funds").json()["items"]
    assert funds[0]["balance"] == 1_000_000 - 6_666


def test_outside_scope_is_404(client, world):
    project = world.funding()
    payment = world.pay(project, 100)
    _as(client, world.cast.outsider_resident)
    for url in (
        f"/api/v1/projects/{project.pk}",
        f"/api/v1/projects/{project.pk}/accounts",
    ):
        assert client.get(url).status_code == 404
    assert _post(client, f"/api/v1/projects/{project.pk}/back").status_code == 404
    assert (
        _post(
            client, f"/api/v1/projects/{project.pk}/payments/{payment.pk}/refund", {"reason": "x"}
        ).status_code
        == 404
    )
    assert client.get("/api/v1/projects").json()["items"] == []
    _as(client, world.cast.other_district)
    assert client.get(f"/api/v1/projects/{project.pk}").status_code == 404
    assert client.get("/api/v1/project-funds").json()["items"] == []


def test_inside_scope_a_resident_may_not_review(client, world):
    project = world.propose()
    Project.objects.filter(pk=project.pk).update(stage="review")
    _as(client, world.neighbours[0])
    r = _post(client, f"/api/v1/projects/{project.pk}/review", {"decision": "approve"})
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"title": ""}, 400, "title"),
        ({"budget": []}, 400, "budget"),
        ({"budget": [{"kind": "gold", "description": "x", "amount": 1}]}, 422, None),
        ({"budget": [{"kind": "labour", "description": "x", "amount": 1.5}]}, 422, None),
        ({"deadline": "not a date"}, 422, None),
        ({"area": "999"}, 400, "area"),
    ],
)
def test_bad_proposals(client, world, change, status, field):
    _as(client, world.initiator)
    r = _post(client, "/api/v1/projects", proposal(world, **change))
    assert r.status_code == status, r.content
    if field:
        assert r.json()["field"] == field
    else:
        assert r.json().get("field")
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"payer_name": "张三", "amount": -1, "channel": "bank", "reference": "r"},
        {"payer_name": "张三", "amount": "lots", "channel": "bank", "reference": "r"},
        {"payer_name": "张三", "amount": 1, "channel": "paypal", "reference": "r"},
        {"payer_name": "张三", "amount": 1, "channel": "cash"},
        {"payer_name": "", "amount": 1, "channel": "bank", "reference": "r"},
    ],
)
def test_bad_payments(client, world, body):
    project = world.funding()
    _as(client, world.staff)
    r = _post(client, f"/api/v1/projects/{project.pk}/payments", body)
    assert r.status_code in (400, 422) and r.json()["field"], r.content
    assert not Payment.objects.exists()
