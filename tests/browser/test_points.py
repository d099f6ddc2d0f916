"""Points on a phone: a resident reads their points, redeems a reward; staff hand it over."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from shezhi.incentives import selectors
from shezhi.incentives.models import Redemption
from tests.events.conftest import actors  # noqa: F401
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
    tissues = make_reward(territory["community"], name="纸巾", cost=5, stock=10)

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

    # 11 points left: the 20-point reward cannot be redeemed, and the card says why.
    button = card.locator("[data-testid=do-redeem]")
    expect(button).to_be_disabled()
    expect(card.locator("[data-testid=short]")).to_have_text("还差 9 积分。")
    assert button.get_attribute("aria-describedby") == f"why-not-{reward.pk}"
    # Asking for more than the points allow: the refusal is shown on that card.
    cheap = page.locator(f"[data-testid=reward][data-reward='{tissues.pk}']")
    expect(cheap.locator("[data-testid=do-redeem]")).to_be_enabled()
    cheap.locator("input[name=quantity]").fill("3")
    with page.expect_navigation():
        cheap.locator("[data-testid=do-redeem]").click()
    cheap = page.locator(f"[data-testid=reward][data-reward='{tissues.pk}']")
    expect(cheap.locator("[data-testid=form-error]")).to_be_visible()
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


def test_an_anonymous_reports_points_name_it_to_the_reporter_only(
    phone_page,
    console,
    sign_in,
    actors,  # noqa: F811
    live_server,
    shots_dir,
):
    """Issue 12, item 1: staff read 匿名上报 on the reporter's statement; the reporter reads
    which of their reports it was, with a link to it."""
    from django.utils import timezone

    from tests.events.conftest import act, report

    event = report(actors.resident, anonymous=True)
    act(actors.community, event, "register")
    event.refresh_from_db()
    month = timezone.localdate().strftime("%Y-%m")

    page = phone_page
    sign_in(page, "community", next_path=f"/points/people/{actors.resident.pk}/?month={month}")
    line = page.locator("[data-testid=statement-line]")
    expect(line).to_have_count(1)
    text = line.inner_text()
    assert "匿名上报" in text and event.number not in text
    expect(line.locator("[data-testid=cause-link]")).to_have_count(0)
    assert event.number not in page.content()
    no_sideways_scroll(page)
    page.screenshot(
        path=os.path.join(shots_dir, "points-anonymous-staff-phone.png"), full_page=True
    )
    assert console.clean() == []

    page.context.clear_cookies()
    sign_in(page, "resident", next_path="/points/")
    line = page.locator("[data-testid=statement-line]")
    expect(line).to_have_count(1)
    link = line.locator("[data-testid=cause-link]")
    expect(link).to_contain_text(event.number)
    assert link.get_attribute("href") == f"/events/{event.pk}/"
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "points-anonymous-own-phone.png"), full_page=True)
    assert console.clean() == []


def test_long_lists_come_in_pages_with_filters(
    page,
    phone_page,
    console,
    sign_in,
    cast,  # noqa: F811
    territory,
    live_server,
    shots_dir,
):
    """Issue 12, item 31: /points/manage/ and the rewards page filter and page their lists."""
    from shezhi.incentives import services
    from tests.factories import make_user

    rewards = [
        make_reward(territory["community"], name=f"奖品{i:02d}", cost=10 + i, stock=None)
        for i in range(30)
    ]
    for i in range(23):
        person = make_user(f"pts_b{i:02d}", role="resident", area=territory["micro1"])
        award(person, territory["micro1"], f"b{i}", quantity=3)
        services.redeem(user=person, reward=rewards[i % 2])
    award(cast.resident, territory["micro1"], "mine", quantity=2)  # 20 points

    # Staff on a desktop: 20 of 23 waiting, then the last 3 on page 2; filter by person.
    sign_in(page, "pts_community", next_path="/points/manage/")
    expect(page.locator("[data-testid=waiting-count]")).to_have_text("23")
    expect(page.locator("[data-testid=waiting-redemption]")).to_have_count(20)
    expect(page.locator("[data-testid=managed-reward]")).to_have_count(20)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 12_000, height
    page.screenshot(path=os.path.join(shots_dir, "points-manage-paged-wide.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=waiting-pager] [data-testid=pager-next]")
    expect(page.locator("[data-testid=waiting-redemption]")).to_have_count(3)
    page.fill("[data-testid=waiting-filters] input[name=w-q]", "pts_b07")
    with page.expect_navigation():
        page.click("[data-testid=waiting-filters] button")
    expect(page.locator("[data-testid=waiting-redemption]")).to_have_count(1)
    page.select_option("[data-testid=reward-filters] select[name=r-offered]", "yes")
    page.fill("[data-testid=reward-filters] input[name=r-q]", "奖品0")
    with page.expect_navigation():
        page.click("[data-testid=reward-filters] button")
    expect(page.locator("[data-testid=managed-reward]")).to_have_count(10)
    # The other list's filter is kept.
    expect(page.locator("[data-testid=waiting-redemption]")).to_have_count(1)
    assert console.clean() == []

    # A resident on a phone: 24 rewards a page, the dear ones disabled with the reason.
    phone = phone_page
    sign_in(phone, "pts_resident", next_path="/points/rewards/")
    expect(phone.locator("[data-testid=reward]")).to_have_count(24)
    dear = phone.locator(f"[data-testid=reward][data-reward='{rewards[20].pk}']")
    expect(dear.locator("[data-testid=do-redeem]")).to_be_disabled()
    expect(dear.locator("[data-testid=short]")).to_have_text("还差 10 积分。")
    no_sideways_scroll(phone)
    phone.screenshot(path=os.path.join(shots_dir, "points-rewards-paged-phone.png"), full_page=True)
    phone.check("[data-testid=catalogue-filters] input[name=affordable]")
    with phone.expect_navigation():
        phone.click("[data-testid=catalogue-filters] button")
    expect(phone.locator("[data-testid=reward]")).to_have_count(11)  # cost 10..20
    expect(phone.locator("[data-testid=do-redeem]:disabled")).to_have_count(0)
    with phone.expect_navigation():
        phone.click("[data-testid=clear-filters]")
    with phone.expect_navigation():
        phone.click("[data-testid=catalogue-pager] [data-testid=pager-next]")
    expect(phone.locator("[data-testid=reward]")).to_have_count(6)
    no_sideways_scroll(phone)
    assert console.clean() == []
