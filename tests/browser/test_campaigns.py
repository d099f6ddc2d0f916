"""Campaign screens in a browser (axe-checked as every browser test): the staff's board
with its five stages and the broadcast composer; a resident answers the broadcast on a
phone (390x844); a worker records a street stop on the round page and take-up on the
package page, on a phone."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from shezhi.campaigns import services
from shezhi.campaigns.models import Broadcast, RoundStop, TakeUp
from shezhi.demands.models import Demand
from shezhi.households.models import Resident
from tests.factories import make_user

from .test_households import households, no_sideways_scroll  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _campaign(territory):
    street = make_user("street_boss", role="street_staff", area=territory["street1"])
    c = services.create_campaign(
        actor=street, name="社治专列·东风", area=territory["street1"],
        starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 12, 31),
    )  # fmt: skip
    return street, c


def test_staff_board_and_composer(
    page,
    console,
    sign_in,
    territory,
    households,  # noqa: F811  (the fixture imported above)
    live_server,
    shots_dir,
):
    _street, c = _campaign(territory)
    sign_in(page, "street_boss", next_path=f"/campaigns/{c.pk}/")
    stages = page.locator("[data-testid=stages] li")
    assert stages.count() == 5
    assert page.locator("[data-figure=demands_collected]").count() == 1
    page.screenshot(path=os.path.join(shots_dir, "campaign-board.png"), full_page=True)
    page.click("[data-testid=compose]")
    page.fill("input[name=area]", territory["community"].code)
    page.fill("input[name=title]", "小广播：家门口还缺什么？")
    page.fill("textarea[name=body]", "社区正在征集大家的需求。")
    page.fill("input[name=question]", "您最希望增加什么服务？")
    page.screenshot(path=os.path.join(shots_dir, "campaign-compose.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=send]")
    assert Broadcast.objects.get().reach == 0
    assert "小广播：家门口还缺什么？" in page.locator("[data-testid=broadcasts]").inner_text()
    assert console.clean() == []


def test_a_resident_answers_on_a_phone(
    phone_page,
    console,
    sign_in,
    territory,
    households,  # noqa: F811  (the fixture imported above)
    live_server,
    shots_dir,
):
    street, c = _campaign(territory)
    user = make_user("resident_zhang", role="resident", area=territory["micro1"])
    Resident.objects.filter(pk=households["zhang"].pk).update(user=user)
    b = services.send_broadcast(
        actor=street, campaign=c, area=territory["community"], title="小广播：家门口还缺什么？",
        body="社区正在征集大家的需求。", question="您最希望增加什么服务？",
    )  # fmt: skip
    page = phone_page
    sign_in(page, "resident_zhang", next_path=f"/campaigns/broadcasts/{b.pk}/")
    page.fill("textarea[name=text]", "希望小区里有老年食堂")
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "campaign-answer-phone.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=submit-answer]")
    assert "希望小区里有老年食堂" in page.locator("[data-testid=my-answer]").inner_text()
    assert Demand.objects.get().household == households["h101"]
    no_sideways_scroll(page)
    assert console.clean() == []


def test_a_worker_on_a_round_and_take_up(
    phone_page,
    console,
    sign_in,
    territory,
    households,  # noqa: F811  (the fixture imported above)
    live_server,
    shots_dir,
):
    street, c = _campaign(territory)
    from django.contrib.auth import get_user_model

    worker = get_user_model().objects.get(username="mg_worker")
    r = services.open_round(
        actor=street, campaign=c, title="小红帽·凤凰家园", area=territory["micro1"],
        day=timezone.localdate(), workers=[worker],
    )  # fmt: skip
    p = services.create_package(
        actor=street, campaign=c, name="适老安居包", contents="扶手、燃气报警器",
        area=territory["micro1"],
    )  # fmt: skip
    page = phone_page
    sign_in(page, "mg_worker", next_path=f"/campaigns/rounds/{r.pk}/")
    assert page.locator("[data-testid=round-households] li").count() == 12
    page.fill("input[name=address]", "东风路12号临街商铺")
    page.select_option("select[name=kind]", "safety")
    page.fill("textarea[name=wish]", "路口缺少减速带")
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "campaign-round-phone.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=record-stop]")
    assert RoundStop.objects.count() == 1 and Demand.objects.get().campaign == c
    page.goto(f"{live_server.url}/campaigns/packages/{p.pk}/")
    row = page.locator(f"[data-household='{households['h101'].pk}']")
    with page.expect_navigation():
        row.locator("button[value=taken]").click()
    assert TakeUp.objects.get().household == households["h101"]
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "campaign-take-up-phone.png"), full_page=True)
    assert console.clean() == []
