"""/api/v1/points/: a person's own points, staff in scope, clear refusals, nothing half-written."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from shezhi.incentives import selectors
from shezhi.incentives.models import PieceRateRule, Redemption, Reward, Transfer
from tests.factories import PASSWORD

from .conftest import award

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 20, 10))


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def as_(client, user):
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    return client


def test_my_balance_and_statement(client, cast, territory):
    award(cast.resident, territory["micro1"], "1", quantity=2, at=NOW)
    award(cast.resident, territory["micro1"], "2", kind="event_registered", at=NOW)
    c = as_(client, cast.resident)
    assert c.get("/api/v1/points/balance").json() == {
        "routine": 2,
        "emergency": 0,
        "other": 20,
        "total": 22,
    }
    body = c.get("/api/v1/points/statement").json()
    assert (body["opening"], body["closing"], body["user"]) == (0, 22, cast.resident.pk)
    assert [(line["points"], line["balance"], line["cause_ref"]) for line in body["lines"]] == [
        (20, 20, "活动 1"),
        (2, 22, "活动 2"),
    ]
    assert body["lines"][0]["area"] == territory["micro1"].code
    bad = c.get("/api/v1/points/statement", {"from": "2026-13-01"})
    assert bad.status_code == 400 and bad.json()["field"] == "period"


def test_a_statement_of_somebody_else_is_for_staff_in_scope_only(client, cast, territory):
    award(cast.resident, territory["micro1"], "1", at=NOW)
    url = f"/api/v1/points/statement?user={cast.resident.pk}"
    assert as_(client, cast.community).get(url).json()["closing"] == 10
    for outsider in (cast.other_district, cast.worker, cast.outsider_resident, cast.nobody):
        assert as_(client, outsider).get(url).status_code == 404, outsider


def test_leaderboard_defaults_to_this_months_top_ten_in_scope(client, cast, territory):
    award(cast.resident, territory["micro1"], "1", quantity=3, at=NOW)
    award(cast.worker, territory["micro1"], "2", quantity=1, at=NOW)
    award(
        cast.worker2,
        territory["micro2"],
        "3",
        quantity=2,
        at=timezone.make_aware(datetime(2026, 10, 5)),
    )
    body = (
        as_(client, cast.community)
        .get("/api/v1/points/leaderboard", {"area": territory["community"].code})
        .json()
    )
    assert (body["start"], body["end"]) == ("2026-11-01", "2026-11-20")
    assert [(r["rank"], r["user"], r["points"]) for r in body["ranking"]] == [
        (1, cast.resident.pk, 30),
        (2, cast.worker.pk, 10),
    ]
    october = as_(client, cast.worker).get(
        "/api/v1/points/leaderboard",
        {"area": territory["micro2"].code, "from": "2026-10-01", "to": "2026-10-31"},
    )
    assert october.status_code == 404  # a worker of micro1 does not hold micro2
    october = as_(client, cast.street).get(
        "/api/v1/points/leaderboard",
        {"area": territory["micro2"].code, "from": "2026-10-01", "to": "2026-10-31"},
    )
    assert october.json()["ranking"][0]["points"] == 20
    bad = as_(client, cast.street).get(
        "/api/v1/points/leaderboard", {"area": territory["street1"].code, "bucket": "gold"}
    )
    assert bad.status_code == 400 and bad.json()["field"] == "bucket"
    for user in (cast.other_district, cast.resident):
        resp = as_(client, user).get(
            "/api/v1/points/leaderboard", {"area": territory["community"].code}
        )
        assert resp.status_code == 404, user


def test_rules_read_in_scope_and_set_by_the_district_admin_only(client, cast, territory):
    code = territory["district"].code
    # Everybody with a role in the district may read what work earns; nobody else.
    assert (
        as_(client, cast.worker).get("/api/v1/points/rules", {"district": code}).status_code == 200
    )
    for outsider in (cast.other_district, cast.nobody):
        resp = as_(client, outsider).get("/api/v1/points/rules", {"district": code})
        assert resp.status_code == 404, outsider
    worker_put = as_(client, cast.community).put(
        f"/api/v1/points/rules/event_registered?district={code}",
        {"bucket": "routine", "points": 9},
        content_type="application/json",
    )
    assert worker_put.status_code == 403
    rows = as_(client, cast.district).get("/api/v1/points/rules", {"district": code}).json()
    registered = next(r for r in rows if r["kind"] == "event_registered")
    assert (registered["points"], registered["custom"]) == (2, False)
    assert next(r for r in rows if r["kind"] == "event_reworked")["deduction"] is True
    put = as_(client, cast.district).put(
        f"/api/v1/points/rules/event_registered?district={code}",
        {"bucket": "routine", "points": 4, "daily_cap": 40, "active": True},
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["points"] == 4 and put.json()["custom"]
    for body, field in (
        ({"bucket": "gold", "points": 4}, "bucket"),
        ({"bucket": "routine", "points": -1}, "points"),
        ({"bucket": "routine", "points": 4, "daily_cap": 0}, "daily_cap"),
    ):
        resp = as_(client, cast.district).put(
            f"/api/v1/points/rules/event_registered?district={code}",
            body,
            content_type="application/json",
        )
        assert resp.status_code == 400 and resp.json()["field"] == field, body
    assert PieceRateRule.objects.get().points == 4
    unknown = as_(client, cast.district).put(
        f"/api/v1/points/rules/nap?district={code}",
        {"bucket": "routine", "points": 4},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "kind"
    street = as_(client, cast.district).get(
        "/api/v1/points/rules", {"district": territory["street1"].code}
    )
    assert street.status_code == 404  # rules belong to districts
    other = as_(client, cast.other_district).put(
        f"/api/v1/points/rules/event_registered?district={code}",
        {"bucket": "routine", "points": 9},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_rewards_offered_redeemed_cancelled_and_handed_over(client, cast, territory):
    award(cast.resident, territory["micro1"], "1", quantity=5, at=NOW)  # 50
    staff = as_(client, cast.community)
    made = staff.post(
        "/api/v1/points/rewards",
        {
            "area": territory["community"].code,
            "name": "洗衣液",
            "kind": "goods",
            "cost": 20,
            "stock": 3,
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    reward_id = made.json()["id"]
    bad = staff.post(
        "/api/v1/points/rewards",
        {"area": territory["community"].code, "name": " ", "kind": "goods", "cost": 20},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "name"
    assert Reward.objects.count() == 1
    outside = as_(client, cast.community).post(
        "/api/v1/points/rewards",
        {"area": territory["other_district"].code, "name": "x", "kind": "goods", "cost": 1},
        content_type="application/json",
    )
    assert outside.status_code == 404

    me = as_(client, cast.resident)
    assert [r["id"] for r in me.get("/api/v1/points/rewards").json()] == [reward_id]
    done = me.post(
        f"/api/v1/points/rewards/{reward_id}/redeem",
        {"quantity": 2},
        content_type="application/json",
    )
    assert done.status_code == 201 and done.json()["points"] == 40
    poor = me.post(
        f"/api/v1/points/rewards/{reward_id}/redeem",
        {"quantity": 1},
        content_type="application/json",
    )
    assert poor.status_code == 409 and "10" in poor.json()["detail"]
    redemption_id = done.json()["id"]
    assert [r["id"] for r in me.get("/api/v1/points/redemptions").json()] == [redemption_id]
    # Somebody outside the reward's areas cannot see or redeem it.
    far = as_(client, cast.outsider_resident).post(
        f"/api/v1/points/rewards/{reward_id}/redeem",
        {"quantity": 1},
        content_type="application/json",
    )
    assert far.status_code == 404
    assert (
        as_(client, cast.other_district)
        .post(f"/api/v1/points/redemptions/{redemption_id}/hand-over")
        .status_code
        == 404
    )
    todo = as_(client, cast.community).get("/api/v1/points/redemptions/managed").json()
    assert [r["id"] for r in todo] == [redemption_id]
    cancelled = as_(client, cast.resident).post(
        f"/api/v1/points/redemptions/{redemption_id}/cancel", {}, content_type="application/json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert selectors.balances(cast.resident).total == 50
    again = as_(client, cast.community).post(
        f"/api/v1/points/redemptions/{redemption_id}/hand-over"
    )
    assert again.status_code == 409
    assert Redemption.objects.get().status == "cancelled"


def test_staff_reverse_an_award_in_scope_with_a_reason(client, cast, territory):
    t = award(cast.resident, territory["micro1"], "1", at=NOW)
    url = f"/api/v1/points/transfers/{t.pk}/reverse"
    assert (
        as_(client, cast.other_district)
        .post(url, {"reason": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    assert (
        as_(client, cast.resident)
        .post(url, {"reason": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    empty = as_(client, cast.community).post(url, {"reason": ""}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["field"] == "reason"
    done = as_(client, cast.community).post(
        url, {"reason": "重复签到"}, content_type="application/json"
    )
    assert done.status_code == 201 and done.json()["points"] == -10
    assert done.json()["reverses"] == t.pk
    twice = as_(client, cast.community).post(
        url, {"reason": "again"}, content_type="application/json"
    )
    assert twice.status_code == 409
    assert Transfer.objects.count() == 2


def test_signed_out_callers_get_nothing(client):
    for path in ("balance", "statement", "rewards", "redemptions"):
        assert client.get(f"/api/v1/points/{path}").status_code == 401


def test_the_hand_over_list_reads_names_without_a_query_per_row(
    client, cast, territory, django_assert_max_num_queries
):
    reward = Reward.objects.create(
        area=territory["community"], area_path=territory["community"].path,
        name="米", kind="goods", cost=1, stock=None,
    )  # fmt: skip
    from shezhi.incentives import services

    for i, who in enumerate((cast.resident, cast.worker, cast.worker2)):
        award(who, territory["micro1"], f"n{i}", at=NOW)
        services.redeem(user=who, reward=reward)
    c = as_(client, cast.community)
    with django_assert_max_num_queries(5):
        rows = c.get("/api/v1/points/redemptions/managed").json()
    assert sorted(r["name"] for r in rows) == ["pts_resident", "pts_worker", "pts_worker2"]


def test_a_statement_pages_by_after_with_every_line_once_and_its_running_balance(
    client, cast, territory
):
    # Two transfers share a moment: the id breaks the tie, no line lost or repeated.
    moments = [datetime(2026, 10, d, 9) for d in (1, 3, 3, 3, 8, 15)] + [datetime(2026, 11, 2, 9)]
    for i, moment in enumerate(moments):
        award(
            cast.resident,
            territory["micro1"],
            str(i),
            quantity=i + 1,
            at=timezone.make_aware(moment),
        )
    c = as_(client, cast.resident)
    for query in ({}, {"from": "2026-10-03", "to": "2026-10-31"}):
        whole = c.get("/api/v1/points/statement", {**query, "limit": 500}).json()
        assert whole["next_cursor"] is None
        for limit in (1, 2, 3):
            lines, page = [], c.get("/api/v1/points/statement", {**query, "limit": limit}).json()
            while True:
                assert (page["opening"], page["closing"]) == (whole["opening"], whole["closing"])
                assert len(page["lines"]) <= limit
                lines += page["lines"]
                if page["next_cursor"] is None:
                    break
                page = c.get(
                    "/api/v1/points/statement",
                    {**query, "limit": limit, "after": page["next_cursor"]},
                ).json()
            assert lines == whole["lines"], (query, limit)
        running = whole["opening"]
        for line in whole["lines"]:
            running += line["points"]
            assert line["balance"] == running
        assert running == whole["closing"]
    assert whole["opening"] == 10 and len(whole["lines"]) == 5  # 1 October's is before


@pytest.mark.parametrize(
    ("query", "field"),
    [({"after": "x"}, "after"), ({"after": "W10"}, "after"), ({"limit": 0}, "limit"),
     ({"limit": 501}, "limit"), ({"after": "a" * 201}, "after")],
)  # fmt: skip
def test_a_statement_page_refuses_bad_paging_naming_the_field(
    client, cast, territory, query, field
):
    award(cast.resident, territory["micro1"], "1", at=NOW)
    before = Transfer.objects.count()
    resp = as_(client, cast.resident).get("/api/v1/points/statement", query)
    assert 400 <= resp.status_code < 500, resp.content
    assert field in resp.content.decode()
    assert Transfer.objects.count() == before


def test_the_leaderboard_names_people_without_decrypting_their_phones(
    client, cast, territory, monkeypatch
):
    from shezhi.core import personal_data
    from tests.factories import PersonFactory

    for i, user in enumerate((cast.resident, cast.worker)):
        PersonFactory(user=user, area=territory["micro1"], name=f"积分人{i}", phone="13800138000")
        award(user, territory["micro1"], str(i), quantity=i + 1, at=NOW)
    decrypted = []
    real = personal_data.decrypt
    monkeypatch.setattr(
        personal_data, "decrypt", lambda token: decrypted.append(real(token)) or real(token)
    )
    body = (
        as_(client, cast.community)
        .get("/api/v1/points/leaderboard", {"area": territory["community"].code})
        .json()
    )
    assert [r["name"] for r in body["ranking"]] == ["积分人1", "积分人0"]
    assert "13800138000" not in decrypted
