"""Points on a phone: a resident reads their points, redeems a reward; staff hand it over."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from shezhi.incentives import selectors
from shezhi.incentives.models import Redemption
from tests.incentives.conftest import award, cast, make_reward  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_resident_redeems_and_staff_hand_over_on_a_phone(
    phone_page,
    console,
    sign_in,
    cast,  # noqa: F811
    territory,
    live_server,
    shots_dir,
):
    award(cast.resident, territory["micro1"], "act-1", quantity=3)  # 30 other points
    award(cast.resident, territory["micro1"], "act-2", kind="household_visit")  # 1 routine
    reward = make_reward(territory["community"], name="洗衣液", cost=20, stock=5)

    page = phone_page
    sign_in(page, "pts_resident", next_path="/points/")
    assert page.url.endswith("/points/")
    no_sideways_scroll(page)
    expect(page.locator("[data-testid=balance-total]")).to_have_attribute("data-points", "31")
    expect(page.locator("[data-testid=balance-other]")).to_have_attribute("data-points", "30")
    expect(page.locator("[data-testid=balance-routine]")).to_have_attribute("data-points", "1")
    assert "31" in page.locator("[data-testid=balance-total]").inner_text()
    lines = page.locator("[data-testid=statement-line]")
    expect(lines).to_have_count(2)
    assert lines.nth(0).get_attribute("data-points") == "30"
    assert lines.nth(1).get_attribute("data-balance") == "31"
    assert "活动 act-1" in lines.nth(0).inner_text()
    page.screenshot(path=os.path.join(shots_dir, "points-home-phone.png"), full_page=True)
    assert console.clean() == []

    # To the rewards: redeem one.
    with page.expect_navigation():
        page.click("[data-testid=go-rewards]")
    assert page.url.endswith("/points/rewards/")
    no_sideways_scroll(page)
    card = page.locator(f"[data-testid=reward][data-reward='{reward.pk}']")
    assert card.get_attribute("data-stock") == "5"
    button = card.locator("[data-testid=do-redeem]")
    assert button.bounding_box()["height"] >= 44
    assert card.locator("input[name=quantity]").bounding_box()["height"] >= 44
    with page.expect_navigation():
        button.click()
    expect(page.locator("[data-testid=flash]")).to_be_visible()
    expect(page.locator("[data-testid=balance-total]")).to_have_attribute("data-points", "11")
    expect(card).to_have_attribute("data-stock", "4")
    mine = page.locator("[data-testid=redemption]")
    expect(mine).to_have_count(1)
    assert mine.first.get_attribute("data-status") == "redeemed"
    assert "洗衣液" in mine.first.inner_text()
    redemption = Redemption.objects.get()
    assert (redemption.user_id, redemption.points) == (cast.resident.pk, 20)
    assert selectors.balances(cast.resident).total == 11
    no_sideways_scroll(page)

    # Asking for two more than the points allow: the refusal is shown on that card.
    card.locator("input[name=quantity]").fill("2")
    with page.expect_navigation():
        card.locator("[data-testid=do-redeem]").click()
    card = page.locator(f"[data-testid=reward][data-reward='{reward.pk}']")
    expect(card.locator("[data-testid=form-error]")).to_be_visible()
    assert Redemption.objects.count() == 1
    page.screenshot(path=os.path.join(shots_dir, "points-rewards-phone.png"), full_page=True)
    console.errors.clear()  # the refused POST answers 409, which the browser reports

    # The statement shows the redemption.
    page.goto(f"{live_server.url}/points/")
    expect(page.locator("[data-testid=statement-line][data-kind=redemption]")).to_have_count(1)
    expect(page.locator("[data-testid=balance-total]")).to_have_attribute("data-points", "11")
    assert console.clean() == []

    # Community staff hand it over from their phone.
    page.context.clear_cookies()
    sign_in(page, "pts_community", next_path="/points/manage/")
    assert page.url.endswith("/points/manage/")
    no_sideways_scroll(page)
    waiting = page.locator(f"[data-testid=waiting-redemption][data-redemption='{redemption.pk}']")
    expect(waiting).to_be_visible()
    page.screenshot(path=os.path.join(shots_dir, "points-manage-phone.png"), full_page=True)
    hand = waiting.locator("[data-testid=hand-over]")
    assert hand.bounding_box()["height"] >= 44
    with page.expect_navigation():
        hand.click()
    expect(page.locator("[data-testid=flash]")).to_be_visible()
    expect(page.locator("[data-testid=nothing-waiting]")).to_be_visible()
    expect(
        page.locator(f"[data-testid=handed-over] [data-redemption='{redemption.pk}']")
    ).to_be_visible()
    redemption.refresh_from_db()
    assert (redemption.status, redemption.handed_over_by_id) == ("handed_over", cast.community.pk)

    # The staff member looks the resident up and opens their statement.
    page.fill("[data-testid=person-search] input[name=q]", "pts_res")
    with page.expect_navigation():
        page.click("[data-testid=person-search] button")
    with page.expect_navigation():
        page.click("[data-testid=person-link]")
    assert page.url.endswith(f"/points/people/{cast.resident.pk}/")
    expect(page.locator("[data-testid=balance-total]")).to_have_attribute("data-points", "11")
    expect(page.locator("[data-testid=reverse-form]")).to_have_count(2)  # the two awards
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "points-person-phone.png"), full_page=True)
    assert console.clean() == []


def test_worker_reads_the_leaderboard_and_an_admin_sets_a_rate_on_a_phone(
    phone_page,
    console,
    sign_in,
    cast,  # noqa: F811
    territory,
    live_server,
    shots_dir,
):
    from shezhi.incentives.models import PieceRateRule

    award(cast.worker, territory["micro1"], "w1", quantity=2)  # 20 other
    award(cast.worker2, territory["micro2"], "w2", quantity=3)  # 30 other
    award(cast.worker, territory["micro1"], "w3", kind="emergency_task")  # 10 emergency

    page = phone_page
    sign_in(page, "pts_worker", next_path="/points/leaderboard/")
    assert page.url.endswith("/points/leaderboard/")
    no_sideways_scroll(page)
    board = page.locator("[data-testid=leaderboard]")
    assert board.get_attribute("data-area") == territory["micro1"].code
    ranks = page.locator("[data-testid=rank]")
    expect(ranks).to_have_count(1)  # micro1 only: worker2 works in micro2
    assert ranks.first.get_attribute("data-points") == "30"
    page.select_option("[data-testid=bucket-select]", "emergency")
    with page.expect_navigation():
        page.click("[data-testid=apply]")
    expect(page.locator("[data-testid=leaderboard]")).to_have_attribute("data-bucket", "emergency")
    expect(page.locator("[data-testid=rank]")).to_have_count(1)
    assert page.locator("[data-testid=rank]").first.get_attribute("data-points") == "10"
    page.screenshot(path=os.path.join(shots_dir, "points-leaderboard-phone.png"), full_page=True)
    assert console.clean() == []

    page.context.clear_cookies()
    sign_in(page, "pts_district", next_path="/points/rules/")
    assert page.url.endswith("/points/rules/")
    no_sideways_scroll(page)
    rule = page.locator("[data-testid=rule][data-kind=volunteer_hour]")
    rule.locator("[data-testid=edit-rule]").click()
    form = rule.locator("[data-testid=rule-form]")
    form.locator("input[name=points]").fill("12")
    form.locator("input[name=daily_cap]").fill("")
    page.screenshot(path=os.path.join(shots_dir, "points-rules-phone.png"), full_page=True)
    with page.expect_navigation():
        form.locator("[data-testid=save-rule]").click()
    expect(page.locator("[data-testid=flash]")).to_be_visible()
    rule = page.locator("[data-testid=rule][data-kind=volunteer_hour]")
    expect(rule).to_have_attribute("data-points", "12")
    expect(rule).to_have_attribute("data-cap", "")
    saved = PieceRateRule.objects.get()
    assert (saved.kind, saved.points, saved.daily_cap) == ("volunteer_hour", 12, None)
    assert console.clean() == []
