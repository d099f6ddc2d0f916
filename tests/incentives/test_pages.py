"""/points/ pages: my points, rewards, leaderboard, piece rates, the staff's desk.

Every page and POST: what it shows (data attributes, not the Chinese words), who
may see it (404 outside scope), and that bad input is shown with nothing written.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shezhi.incentives import selectors, services
from shezhi.incentives.models import PieceRateRule, Redemption, Reward, Transfer
from tests.factories import PASSWORD, make_user

from .conftest import award, make_reward

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 20, 10))
LAST_MONTH = timezone.make_aware(datetime(2026, 10, 5, 9))


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def as_(client, user):
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    return client


def html(response) -> str:
    return response.content.decode()


def attr(page: str, testid: str, name: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*\s{name}="([^"]*)"', page)
    assert found, f"{testid} {name} not on the page"
    return found[1]


def all_of(page: str, testid: str, name: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}"[^>]*?\s{name}="([^"]*)"', page)


def event_award(user, area, event_id: int, number: str, at=NOW) -> Transfer:
    return services.award_piece(
        kind="event_registered",
        user=user,
        area=area,
        cause_type="event",
        cause_id=str(event_id),
        cause_ref=number,
        at=at,
    )


# ---------------------------------------------------------------------------
# 我的积分


def test_my_points_show_balances_and_this_months_statement(client, cast, territory):
    award(cast.resident, territory["micro1"], "old", at=LAST_MONTH)  # 10 other, last month
    award(cast.resident, territory["micro1"], "a1", quantity=2, at=NOW)  # 20 other
    ev = event_award(cast.resident, territory["micro1"], 4242, "E20261120001")  # 2 routine
    r = as_(client, cast.resident).get(reverse("incentives:home"))
    assert r.status_code == 200
    page = html(r)
    assert attr(page, "balance-total", "data-points") == "32"
    assert attr(page, "balance-routine", "data-points") == "2"
    assert attr(page, "balance-emergency", "data-points") == "0"
    assert attr(page, "balance-other", "data-points") == "30"
    # This month only, opening carried from October, running balance on each line.
    assert attr(page, "statement", "data-opening") == "10"
    assert attr(page, "statement", "data-closing") == "32"
    assert attr(page, "statement", "data-month") == "2026-11"
    assert all_of(page, "statement-line", "data-points") == ["20", "2"]
    assert all_of(page, "statement-line", "data-balance") == ["30", "32"]
    assert all_of(page, "statement-line", "data-cause-type") == ["activity", "event"]
    # The event's line links to the event's page.
    assert f'href="{reverse("events:detail", args=[4242])}"' in page
    assert "E20261120001" in page
    assert f'data-transfer="{ev.pk}"' in page
    # A resident is offered neither the leaderboard nor the staff's desk, nor reverse forms.
    assert 'data-tab="leaderboard"' not in page and 'data-tab="manage"' not in page
    assert 'data-testid="reverse-form"' not in page


def test_my_points_month_picker_and_bad_month(client, cast, territory):
    award(cast.resident, territory["micro1"], "old", at=LAST_MONTH)
    c = as_(client, cast.resident)
    page = html(c.get(reverse("incentives:home"), {"month": "2026-10"}))
    assert attr(page, "statement", "data-opening") == "0"
    assert all_of(page, "statement-line", "data-points") == ["10"]
    assert 'data-testid="month-next"' in page
    empty = html(c.get(reverse("incentives:home"), {"month": "2026-09"}))
    assert 'data-testid="no-lines"' in empty
    for bad in ("2026-13", "November", "2026-1", "1999-01"):
        r = c.get(reverse("incentives:home"), {"month": bad}, HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 400, bad
        assert 'data-testid="month-error"' in html(r)
        assert "is not a month like 2026-01" in html(r)
        assert 'data-testid="statement"' not in html(r)


def test_a_reversal_line_shows_its_reason_and_the_original_is_marked(client, cast, territory):
    original = award(cast.resident, territory["micro1"], "a1", at=NOW)
    services.reverse_transfer(actor=cast.community, transfer=original, reason="重复记录")
    page = html(as_(client, cast.resident).get(reverse("incentives:home")))
    assert all_of(page, "statement-line", "data-kind") == ["award", "reversal"]
    assert all_of(page, "statement-line", "data-balance") == ["10", "0"]
    assert 'data-testid="reversed"' in page
    assert "重复记录" in page


def test_points_pages_need_a_sign_in(client, cast):
    for name in ("home", "rewards", "leaderboard", "rules", "manage"):
        r = client.get(reverse(f"incentives:{name}"))
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], name


def test_staff_get_the_leaderboard_and_the_desk_in_their_tabs(client, cast):
    page = html(as_(client, cast.community).get(reverse("incentives:home")))
    assert 'data-tab="leaderboard"' in page and 'data-tab="manage"' in page
    assert 'data-testid="go-leaderboard"' in page
    worker = html(as_(client, cast.worker).get(reverse("incentives:home")))
    assert 'data-tab="leaderboard"' in worker and 'data-tab="manage"' not in worker


# ---------------------------------------------------------------------------
# Rewards


def test_rewards_list_what_the_user_can_redeem(client, cast, territory):
    mine = make_reward(territory["community"], name="洗衣液", cost=20, stock=5)
    unlimited = make_reward(territory["district"], name="优秀网格员", cost=50, stock=None)
    empty = make_reward(territory["community"], name="雨伞", cost=5, stock=0)
    elsewhere = make_reward(territory["other_district"], name="邻区奖品")
    Reward.objects.filter(pk=make_reward(territory["community"], name="停发").pk).update(
        active=False
    )
    page = html(as_(client, cast.resident).get(reverse("incentives:rewards")))
    listed = all_of(page, "reward", "data-reward")
    assert set(listed) == {str(mine.pk), str(unlimited.pk), str(empty.pk)}
    assert str(elsewhere.pk) not in listed
    assert all_of(page, "reward", "data-stock") == ["0", "5", "none"]  # by cost
    # Out of stock: the button is off.
    assert re.search(rf'action="/points/rewards/{empty.pk}/redeem/".*?disabled', page, re.S)
    assert 'data-testid="no-redemptions"' in page


def test_redeem_takes_the_points_and_lists_the_redemption(client, cast, territory):
    award(cast.resident, territory["micro1"], "a1", quantity=5, at=NOW)  # 50
    reward = make_reward(territory["community"], cost=20, stock=5)
    c = as_(client, cast.resident)
    r = c.post(reverse("incentives:redeem", args=[reward.pk]), {"quantity": "2"})
    assert r.status_code == 302 and r["Location"] == reverse("incentives:rewards")
    done = Redemption.objects.get()
    assert (done.user, done.quantity, done.points, done.status) == (
        cast.resident,
        2,
        40,
        "redeemed",
    )
    assert selectors.balances(cast.resident).total == 10
    page = html(c.get(reverse("incentives:rewards")))
    assert 'data-testid="flash"' in page
    assert attr(page, "balance-total", "data-points") == "10"
    assert all_of(page, "redemption", "data-status") == ["redeemed"]
    assert 'data-testid="cancel-redemption"' in page
    assert attr(page, "reward", "data-stock") == "3"
    # The statement has the redemption.
    home = html(c.get(reverse("incentives:home")))
    assert all_of(home, "statement-line", "data-kind") == ["award", "redemption"]


def test_redeem_refusals_are_shown_and_write_nothing(client, cast, territory):
    award(cast.resident, territory["micro1"], "a1", at=NOW)  # 10
    dear = make_reward(territory["community"], name="电饭煲", cost=50, stock=5)
    gone = make_reward(territory["community"], name="雨伞", cost=5, stock=0)
    c = as_(client, cast.resident)

    def refused(reward, quantity, status):
        r = c.post(
            reverse("incentives:redeem", args=[reward.pk]),
            {"quantity": quantity},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert r.status_code == status, (reward.name, quantity, r.status_code)
        assert Redemption.objects.count() == 0
        assert selectors.balances(cast.resident).total == 10
        return html(r)

    page = refused(dear, "1", 409)
    assert "costs 50 points; you have 10" in page
    assert 'data-testid="form-error"' in page
    page = refused(gone, "1", 409)
    assert "Only 0 of" in page
    for bad in ("0", "21", "two", ""):
        page = refused(dear, bad, 400)
        assert 'data-testid="field-error"' in page, bad
    assert Reward.objects.get(pk=gone.pk).stock == 0


def test_redeem_outside_the_users_areas_is_404(client, cast, territory):
    award(cast.outsider_resident, territory["other_district"], "x", quantity=5, at=NOW)
    reward = make_reward(territory["community"])
    r = as_(client, cast.outsider_resident).post(
        reverse("incentives:redeem", args=[reward.pk]), {"quantity": "1"}
    )
    assert r.status_code == 404
    assert Redemption.objects.count() == 0
    assert (
        as_(client, cast.resident).get(reverse("incentives:redeem", args=[reward.pk])).status_code
        == 405
    )


def test_a_person_cancels_their_own_redemption_before_hand_over(client, cast, territory):
    award(cast.resident, territory["micro1"], "a1", quantity=3, at=NOW)  # 30
    reward = make_reward(territory["community"], cost=20, stock=5)
    done = services.redeem(user=cast.resident, reward=reward, quantity=1)
    # Somebody else's redemption: 404, untouched.
    r = as_(client, cast.worker).post(reverse("incentives:cancel_mine", args=[done.pk]))
    assert r.status_code == 404
    assert Redemption.objects.get().status == "redeemed"
    c = as_(client, cast.resident)
    r = c.post(reverse("incentives:cancel_mine", args=[done.pk]))
    assert r.status_code == 302
    assert Redemption.objects.get().status == "cancelled"
    assert selectors.balances(cast.resident).total == 30
    assert Reward.objects.get(pk=reward.pk).stock == 5
    page = html(c.get(reverse("incentives:rewards")))
    assert all_of(page, "redemption", "data-status") == ["cancelled"]
    assert 'data-testid="cancel-redemption"' not in page
    # Cancelling again: refused, shown, nothing written.
    transfers = Transfer.objects.count()
    r = c.post(reverse("incentives:cancel_mine", args=[done.pk]))
    assert r.status_code == 409
    assert attr(html(r), "redemption-error", "data-redemption") == str(done.pk)
    assert Transfer.objects.count() == transfers


# ---------------------------------------------------------------------------
# Leaderboard


def test_leaderboard_is_this_months_top_ten_of_the_users_area(client, cast, territory):
    award(cast.resident, territory["micro1"], "1", quantity=3, at=NOW)
    award(cast.worker, territory["micro1"], "2", quantity=1, at=NOW)
    award(cast.worker2, territory["micro2"], "3", quantity=2, at=LAST_MONTH)
    event_award(cast.worker2, territory["micro2"], 7, "E7")  # 2 routine this month
    for i in range(12):
        extra = make_user(f"extra{i}", role="resident", area=territory["micro2"])
        award(extra, territory["micro2"], f"x{i}", quantity=0.1 * (i + 1), at=NOW)
    c = as_(client, cast.community)
    page = html(c.get(reverse("incentives:leaderboard")))
    assert attr(page, "leaderboard", "data-area") == territory["community"].code
    assert attr(page, "leaderboard", "data-month") == "2026-11"
    ranks = all_of(page, "rank", "data-user")
    assert len(ranks) == 10
    assert ranks[0] == str(cast.resident.pk)
    assert all_of(page, "rank", "data-points")[:2] == ["30", "12"]
    # Routine bucket only: the event award.
    page = html(c.get(reverse("incentives:leaderboard"), {"bucket": "routine"}))
    assert all_of(page, "rank", "data-user") == [str(cast.worker2.pk)]
    # Last month, a narrower area.
    page = html(
        c.get(
            reverse("incentives:leaderboard"),
            {"month": "2026-10", "area": territory["micro2"].code, "bucket": "all"},
        )
    )
    assert attr(page, "leaderboard", "data-area") == territory["micro2"].code
    assert all_of(page, "rank", "data-user") == [str(cast.worker2.pk)]
    assert all_of(page, "rank", "data-points") == ["20"]
    # The picker offers the community, its parents in scope (none) and its children.
    codes = re.findall(r'<option value="(\d+)"', page)
    assert territory["community"].code in codes and territory["micro2"].code in codes


def test_leaderboard_scope_and_bad_input(client, cast, territory):
    for user in (cast.resident, cast.nobody, cast.outsider_resident):
        assert as_(client, user).get(reverse("incentives:leaderboard")).status_code == 404
    r = as_(client, cast.resident).get(
        reverse("incentives:leaderboard"), {"area": territory["micro1"].code}
    )
    assert r.status_code == 404
    c = as_(client, cast.community)
    for code in (territory["other_district"].code, territory["street2"].code, "nope"):
        assert c.get(reverse("incentives:leaderboard"), {"area": code}).status_code == 404
    assert (
        as_(client, cast.worker)
        .get(reverse("incentives:leaderboard"), {"area": territory["micro1"].code})
        .status_code
        == 200
    )
    c = as_(client, cast.community)
    for params in ({"bucket": "gold"}, {"month": "2026-00"}):
        r = c.get(reverse("incentives:leaderboard"), params)
        assert r.status_code == 400, params
        assert 'data-testid="leaderboard-error"' in html(r)
        assert 'data-testid="leaderboard"' not in html(r)


# ---------------------------------------------------------------------------
# Piece rates


def test_rules_are_read_by_everyone_in_the_district(client, cast, territory):
    for user in (cast.resident, cast.worker, cast.community):
        r = as_(client, user).get(reverse("incentives:rules"))
        assert r.status_code == 200
        page = html(r)
        assert attr(page, "rules", "data-district") == territory["district"].code
        assert attr(page, "rules", "data-editable") == "false"
        assert 'data-testid="rule-form"' not in page
        assert len(all_of(page, "rule", "data-kind")) == 7
    page = html(as_(client, cast.resident).get(reverse("incentives:rules")))
    assert re.search(
        r'data-kind="event_closed_on_time" data-bucket="routine" data-points="5"', page
    )
    assert 'data-testid="no-district"' in html(
        as_(client, cast.nobody).get(reverse("incentives:rules"))
    )
    # Another district's rates: 404 to those outside it.
    for user in (cast.other_district, cast.outsider_resident):
        r = as_(client, user).get(
            reverse("incentives:rules"), {"district": territory["district"].code}
        )
        assert r.status_code == 404


def test_a_district_admin_changes_a_rate_for_later_work(client, cast, territory):
    past = award(cast.resident, territory["micro1"], "a1", at=NOW)  # 10 at the default rate
    c = as_(client, cast.district)
    page = html(c.get(reverse("incentives:rules")))
    assert attr(page, "rules", "data-editable") == "true"
    assert page.count('data-testid="rule-form"') == 7
    url = reverse("incentives:rules") + f"?district={territory['district'].code}"
    r = c.post(
        url,
        {
            "kind": "volunteer_hour",
            "bucket": "other",
            "points": "15",
            "daily_cap": "",
            "active": "on",
        },
    )
    assert r.status_code == 302
    rule = PieceRateRule.objects.get()
    assert (rule.kind, rule.points, rule.daily_cap, rule.active) == (
        "volunteer_hour",
        15,
        None,
        True,
    )
    assert Transfer.objects.get(pk=past.pk).points == 10  # past entries keep theirs
    page = html(c.get(url))
    assert re.search(
        r'data-kind="volunteer_hour" data-bucket="other" data-points="15" data-cap="" '
        r'data-active="true" data-custom="true"',
        page,
    )
    # Switched off.
    c.post(url, {"kind": "household_visit", "bucket": "routine", "points": "1", "daily_cap": "30"})
    assert PieceRateRule.objects.get(kind="household_visit").active is False


def test_rate_refusals_are_shown_and_write_nothing(client, cast, territory):
    url = reverse("incentives:rules") + f"?district={territory['district'].code}"
    c = as_(client, cast.district)
    for data in (
        {"kind": "volunteer_hour", "bucket": "other", "points": "-1"},
        {"kind": "volunteer_hour", "bucket": "other", "points": "1001"},
        {"kind": "volunteer_hour", "bucket": "gold", "points": "3"},
        {"kind": "volunteer_hour", "bucket": "other", "points": "3", "daily_cap": "0"},
        {"kind": "nothing", "bucket": "other", "points": "3"},
    ):
        r = c.post(url, data)
        assert r.status_code == 400, data
        assert 'data-testid="rule-error"' in html(r)
        assert PieceRateRule.objects.count() == 0
    page = html(c.post(url, {"kind": "volunteer_hour", "bucket": "other", "points": "-1"}))
    assert 'data-testid="field-error"' in page
    # Staff who are not the district's administrators: refused by the service.
    for user in (cast.community, cast.street):
        r = as_(client, user).post(
            url, {"kind": "volunteer_hour", "bucket": "other", "points": "3"}
        )
        assert r.status_code == 403
        assert PieceRateRule.objects.count() == 0
    r = as_(client, cast.other_district).post(
        url, {"kind": "volunteer_hour", "bucket": "other", "points": "3"}
    )
    assert r.status_code == 404
    assert PieceRateRule.objects.count() == 0


# ---------------------------------------------------------------------------
# The staff's desk: redemptions to hand over


def _redeemed(cast, territory, *, cost=20):
    award(cast.resident, territory["micro1"], "a1", quantity=5, at=NOW)  # 50
    reward = make_reward(territory["community"], cost=cost, stock=5)
    return services.redeem(user=cast.resident, reward=reward, quantity=1)


def test_the_desk_is_for_points_staff_only(client, cast, territory):
    for user in (cast.resident, cast.worker, cast.nobody, cast.outsider_resident):
        c = as_(client, user)
        assert c.get(reverse("incentives:manage")).status_code == 404
        assert c.get(reverse("incentives:reward_new")).status_code == 404
        assert c.get(reverse("incentives:person", args=[cast.resident.pk])).status_code == 404


def test_staff_hand_over_a_redemption_in_scope(client, cast, territory):
    done = _redeemed(cast, territory)
    # Outside the reward's area: 404 and nothing changes.
    for user in (cast.other_district, cast.resident):
        r = as_(client, user).post(reverse("incentives:hand_over", args=[done.pk]))
        assert r.status_code == 404
    assert Redemption.objects.get().status == "redeemed"
    c = as_(client, cast.community)
    page = html(c.get(reverse("incentives:manage")))
    assert all_of(page, "waiting-redemption", "data-redemption") == [str(done.pk)]
    assert attr(page, "waiting-redemption", "data-user") == str(cast.resident.pk)
    assert 'data-testid="nothing-waiting"' not in html(
        as_(client, cast.street).get(reverse("incentives:manage"))
    )
    other = html(as_(client, cast.other_district).get(reverse("incentives:manage")))
    assert 'data-testid="nothing-waiting"' in other
    c = as_(client, cast.community)
    r = c.post(reverse("incentives:hand_over", args=[done.pk]))
    assert r.status_code == 302
    got = Redemption.objects.get()
    assert (got.status, got.handed_over_by) == ("handed_over", cast.community)
    page = html(c.get(reverse("incentives:manage")))
    assert 'data-testid="nothing-waiting"' in page
    assert f'data-redemption="{done.pk}"' in page  # under "handed over lately"
    # Twice: refused and shown; the resident can no longer cancel it.
    r = c.post(reverse("incentives:hand_over", args=[done.pk]))
    assert r.status_code == 409
    assert attr(html(r), "action-error", "data-redemption") == str(done.pk)
    mine = html(as_(client, cast.resident).get(reverse("incentives:rewards")))
    assert all_of(mine, "redemption", "data-status") == ["handed_over"]
    assert 'data-testid="cancel-redemption"' not in mine


def test_staff_cancel_a_redemption_with_a_reason(client, cast, territory):
    done = _redeemed(cast, territory)
    c = as_(client, cast.community)
    r = c.post(reverse("incentives:cancel_managed", args=[done.pk]), {"reason": "  "})
    assert r.status_code == 400
    page = html(r)
    assert 'data-testid="field-error"' in page and 'data-testid="action-error"' in page
    assert Redemption.objects.get().status == "redeemed"
    assert selectors.balances(cast.resident).total == 30
    r = as_(client, cast.other_district).post(
        reverse("incentives:cancel_managed", args=[done.pk]), {"reason": "错误"}
    )
    assert r.status_code == 404
    r = as_(client, cast.community).post(
        reverse("incentives:cancel_managed", args=[done.pk]), {"reason": "奖品已停发"}
    )
    assert r.status_code == 302
    got = Redemption.objects.get()
    assert (got.status, got.cancel_reason) == ("cancelled", "奖品已停发")
    assert selectors.balances(cast.resident).total == 50


# ---------------------------------------------------------------------------
# The staff's desk: rewards


def test_staff_offer_a_reward(client, cast, territory):
    c = as_(client, cast.community)
    page = html(c.get(reverse("incentives:reward_new")))
    offered = re.findall(r'<option value="(\d+)"', page)
    assert offered == [territory["community"].code]  # a community's staff offer in it only
    street_page = html(as_(client, cast.street).get(reverse("incentives:reward_new")))
    assert set(re.findall(r'<option value="(\d{9,12})"', street_page)) == {
        territory["street1"].code,
        territory["community"].code,
        territory["community2"].code,
    }
    c = as_(client, cast.community)
    r = c.post(
        reverse("incentives:reward_new"),
        {
            "area": territory["community"].code,
            "name": "社区理发券",
            "kind": "service",
            "cost": "30",
            "stock": "",
            "description": "每月第一个周六",
            "active": "on",
        },
    )
    assert r.status_code == 302 and r["Location"] == reverse("incentives:manage")
    reward = Reward.objects.get()
    assert (reward.area, reward.name, reward.kind, reward.cost, reward.stock, reward.active) == (
        territory["community"],
        "社区理发券",
        "service",
        30,
        None,
        True,
    )
    page = html(c.get(reverse("incentives:manage")))
    assert all_of(page, "managed-reward", "data-reward") == [str(reward.pk)]


def test_reward_refusals_are_shown_and_write_nothing(client, cast, territory):
    c = as_(client, cast.community)
    good = {"area": territory["community"].code, "name": "毛巾", "kind": "goods", "cost": "10"}
    for change in (
        {"cost": "0"},
        {"cost": "ten"},
        {"name": "  "},
        {"kind": "cash"},
        {"stock": "-1"},
        {"area": territory["other_district"].code},
        {"area": territory["street1"].code},  # above the community: not theirs
    ):
        r = c.post(reverse("incentives:reward_new"), {**good, **change})
        assert r.status_code == 400, change
        assert 'data-testid="field-error"' in html(r), change
        assert Reward.objects.count() == 0


def test_staff_edit_a_reward_in_scope_only(client, cast, territory):
    reward = make_reward(territory["community"], name="洗衣液", cost=20, stock=5)
    url = reverse("incentives:reward_edit", args=[reward.pk])
    for user in (cast.other_district, cast.resident, cast.worker):
        assert as_(client, user).get(url).status_code == 404
        assert as_(client, user).post(url, {"name": "x"}).status_code == 404
    c = as_(client, cast.community)
    page = html(c.get(url))
    assert 'value="洗衣液"' in page
    r = c.post(
        url,
        {
            "area": territory["community"].code,
            "name": "洗衣液(大)",
            "kind": "goods",
            "cost": "25",
            "stock": "8",
        },
    )
    assert r.status_code == 302
    reward.refresh_from_db()
    assert (reward.name, reward.cost, reward.stock, reward.active) == ("洗衣液(大)", 25, 8, False)
    r = c.post(
        url, {"area": territory["community"].code, "name": "", "kind": "goods", "cost": "25"}
    )
    assert r.status_code == 400
    reward.refresh_from_db()
    assert reward.name == "洗衣液(大)"


# ---------------------------------------------------------------------------
# The staff's desk: people and reversals


def test_staff_find_people_in_scope(client, cast, territory):
    c = as_(client, cast.community)
    page = html(c.get(reverse("incentives:manage"), {"q": "pts_res"}))
    assert re.findall(r'data-testid="people-found".*?data-user="(\d+)"', page, re.S) == [
        str(cast.resident.pk)
    ]
    assert f'href="{reverse("incentives:person", args=[cast.resident.pk])}"' in page
    page = html(c.get(reverse("incentives:manage"), {"q": "pts_outsider"}))
    assert 'data-testid="nobody-found"' in page


def test_staff_read_a_persons_statement_in_scope(client, cast, territory):
    award(cast.resident, territory["micro1"], "a1", at=NOW)
    url = reverse("incentives:person", args=[cast.resident.pk])
    page = html(as_(client, cast.community).get(url))
    assert attr(page, "person", "data-user") == str(cast.resident.pk)
    assert attr(page, "balance-total", "data-points") == "10"
    assert page.count('data-testid="reverse-form"') == 1
    for user in (cast.other_district, cast.worker, cast.resident):
        assert as_(client, user).get(url).status_code == 404
    r = as_(client, cast.community).get(
        reverse("incentives:person", args=[cast.outsider_resident.pk])
    )
    assert r.status_code == 404
    r = as_(client, cast.community).get(url, {"month": "2026-99"})
    assert r.status_code == 400 and 'data-testid="month-error"' in html(r)


def test_staff_reverse_an_award_with_a_reason(client, cast, territory):
    original = award(cast.resident, territory["micro1"], "a1", at=NOW)
    url = reverse("incentives:reverse", args=[original.pk])
    c = as_(client, cast.community)
    # No reason: shown on that line's form, nothing written.
    r = c.post(url, {"reason": " ", "month": "2026-11"})
    assert r.status_code == 400
    page = html(r)
    assert attr(page, "action-error", "data-transfer") == str(original.pk)
    assert 'data-testid="form-error"' in page
    assert Transfer.objects.count() == 1
    # Outside scope: 404.
    for user in (cast.other_district, cast.resident):
        assert as_(client, user).post(url, {"reason": "错"}).status_code == 404
    assert Transfer.objects.count() == 1
    c = as_(client, cast.community)
    r = c.post(url, {"reason": "录入错误", "month": "2026-11"})
    assert r.status_code == 302
    assert r["Location"] == reverse("incentives:person", args=[cast.resident.pk]) + "?month=2026-11"
    reversal = Transfer.objects.get(reverses=original)
    assert (reversal.points, reversal.memo, reversal.created_by) == (
        -10,
        "录入错误",
        cast.community,
    )
    assert selectors.balances(cast.resident).total == 0
    page = html(c.get(r["Location"]))
    assert 'data-testid="reverse-form"' not in page  # reversed: no form; a reversal has none
    assert 'data-testid="reversed"' in page
    # Again: refused, nothing written.
    r = c.post(url, {"reason": "再来"})
    assert r.status_code == 409
    assert Transfer.objects.count() == 2


def test_a_redemption_is_not_reversed_from_the_statement(client, cast, territory):
    done = _redeemed(cast, territory)
    page = html(
        as_(client, cast.community).get(reverse("incentives:person", args=[cast.resident.pk]))
    )
    assert page.count('data-testid="reverse-form"') == 1  # the award only
    r = as_(client, cast.community).post(
        reverse("incentives:reverse", args=[done.transfer_id]), {"reason": "x"}
    )
    assert r.status_code == 409
    assert Redemption.objects.get().status == "redeemed"


def test_a_superuser_reaches_every_page(client, cast, territory):
    root = make_user("pts_root", is_superuser=True, is_staff=True)
    reward = make_reward(territory["community"])
    c = as_(client, root)
    for url in (
        reverse("incentives:home"),
        reverse("incentives:rewards"),
        reverse("incentives:leaderboard"),
        reverse("incentives:rules"),
        reverse("incentives:manage"),
        reverse("incentives:reward_new"),
        reverse("incentives:reward_edit", args=[reward.pk]),
        reverse("incentives:person", args=[cast.resident.pk]),
    ):
        r = c.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 200, url
    page = html(c.get(reverse("incentives:leaderboard")))
    assert attr(page, "leaderboard", "data-area") == territory["district"].code
