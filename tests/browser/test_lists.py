"""The three lists in a real browser (axe-like basics checked as every browser test):
the staff curate a needs list from their community's demand groups on a desktop and
publish it; a resident behind a delivered item finds it on the community's public list
on a phone and rates it."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from shezhi.demands import services as demands
from shezhi.lists import services
from shezhi.lists.models import NeedItem, Rating
from tests.factories import make_user

from .test_households import no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WISH = "希望社区开办老年助餐点，方便独居老人吃饭"


@pytest.fixture
def asked(territory):
    staff = make_user("community_staff", role="community_staff", area=territory["community"])
    residents = [
        make_user(f"resident_{n}", role="resident", area=territory["micro1"]) for n in (1, 2)
    ]
    for n, r in enumerate(residents):
        demands.submit_demand(
            actor=r, kind="elderly_care", text=WISH, area=territory["micro1"], address="1栋",
            anonymous=n == 1,
        )  # fmt: skip
    demands.submit_demand(
        actor=residents[0], kind="parking", text="晚上回来没地方停车，希望增加车位",
        area=territory["micro1"], address="1栋",
    )  # fmt: skip
    return staff, residents


def test_staff_curate_and_publish_a_needs_list_on_a_desktop(
    page, console, sign_in, territory, asked, live_server, shots_dir
):
    sign_in(page, "community_staff", next_path="/lists/")
    page.select_option("#id_area", territory["community"].code)
    page.fill("#id_edition", "2026年第1期")
    page.fill("#id_title", "凤凰社区需求清单")
    page.fill("#id_starts_on", "2026-01-01")
    page.fill("#id_ends_on", "2026-06-30")
    with page.expect_navigation():
        page.click("[data-testid=create-list]")
    form = page.locator("[data-testid=curate-form]")
    assert "老年助餐点" in form.inner_text() and "2" in form.inner_text()
    form.locator("label", has_text="老年助餐点").click()
    page.select_option("#id_priority", "1")
    with page.expect_navigation():
        page.click("[data-testid=add-item]")
    items = page.locator("[data-testid=list-items]")
    assert "老年助餐点" in items.inner_text()
    page.screenshot(path=os.path.join(shots_dir, "lists-curation-desktop.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=publish-list]")
    assert page.locator("[data-testid=list-published]").count() == 1
    item = NeedItem.objects.get()
    assert item.residents == 2 and item.needs_list.published
    assert console.clean() == []


def test_a_resident_rates_a_delivered_item_on_the_public_list_on_a_phone(
    phone_page, console, sign_in, territory, asked, live_server, shots_dir
):
    staff, _residents = asked
    n = services.create_list(
        actor=staff, area=territory["community"], edition="2026年第1期", title="凤凰社区需求清单",
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30),
    )  # fmt: skip
    groups = {g.kind: g for g in services.selectors.open_groups(staff, territory["community"])}
    item = services.add_item(actor=staff, needs_list=n, groups=[groups["elderly_care"].pk])
    services.add_item(actor=staff, needs_list=n, groups=[groups["parking"].pk], priority=1)
    services.publish_list(actor=staff, needs_list=n)
    resource = services.register_resource(
        actor=staff, area=territory["community"], provider_kind="volunteer_team",
        provider_name="凤凰志愿服务队", offer_kind="elderly_care", title="助老送餐",
        capacity=30, capacity_unit="人次",
    )  # fmt: skip
    services.match_resource(
        actor=staff, item=item, resource=resource, plan="每周二、四中午送餐",
        starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 5, 31),
    )  # fmt: skip
    services.move_item(actor=staff, item=item, to="in_delivery")
    services.move_item(actor=staff, item=item, to="delivered", outcome="助餐点已开张")
    page = phone_page
    sign_in(page, "resident_2", next_path=f"/lists/public/{territory['community'].code}/")
    cards = page.locator("[data-testid=public-items]")
    assert "老年助餐点" in cards.inner_text() and "车位" in cards.inner_text()
    assert "resident_1" not in cards.inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "lists-public-phone.png"), full_page=True)
    form = page.locator(f"[data-testid=rate-{item.pk}]")
    form.locator("label", has_text="5").click()
    form.locator("input[name=comment]").fill("很方便")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator(f"[data-testid=rated-{item.pk}]").count() == 1
    assert Rating.objects.get().score == 5
    no_sideways_scroll(page)
    assert console.clean() == []
