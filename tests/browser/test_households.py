"""The household pages in a real browser, on a phone: the worker's list, a household, a
resident and a reveal; the figures a department reads."""

from __future__ import annotations

import os

import pytest

from shezhi.core.models import PersonalDataView
from shezhi.households import services
from tests.factories import make_user
from tests.people.conftest import valid_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def households(territory):
    """凤凰家园: building 1 in micro1 with a dozen households, building 2 in micro2."""
    staff = make_user("community_staff", role="community_staff", area=territory["community"])
    make_user("mg_worker", role="micro_grid_worker", area=territory["micro1"])
    compound = services.create_compound(
        actor=staff,
        community=territory["community"],
        name="凤凰家园",
        property_company="青江物业",
        property_phone="028-83331234",
    )
    b1 = services.create_building(
        actor=staff, compound=compound, number="1", lng=104.02, lat=30.62, floors=6, units=2
    )
    b2 = services.create_building(
        actor=staff, compound=compound, number="2", lng=104.07, lat=30.62, floors=6, units=1
    )
    made = {}
    seq = 100
    for unit in ("1", "2"):
        for room in ("101", "102", "201", "202", "301", "302"):
            made[f"{unit}-{room}"] = services.create_household(
                actor=staff, building=b1, unit=unit, room=room, kind="owner_occupied"
            )
    services.create_household(actor=staff, building=b2, unit="1", room="101")

    def resident(where, name, **fields):
        nonlocal seq
        seq += 1
        return services.create_resident(
            actor=staff,
            household=made[where],
            name=name,
            id_number=valid_id_number(birth="19400517", seq=f"{seq:03d}"),
            phone=f"13900{seq:06d}",
            **fields,
        )

    zhang = resident(
        "1-101",
        "张德明",
        relation="head",
        tags=["lives_alone", "very_old", "needs_emergency_help"],
        sensitive_tags=["chronic_illness"],
    )
    resident("1-102", "李秀英", relation="head", tags=["empty_nest"])
    resident("1-102", "王建国", relation="spouse", tags=["veteran", "party_member"])
    resident("2-301", "欧阳娜娜", relation="head")
    return {"zhang": zhang, "h101": made["1-101"], "h102": made["1-102"]}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def listed(page) -> list[str]:
    return page.locator("[data-testid=households] .hh-address").all_inner_texts()


def test_the_workers_phone_page_of_their_households(
    phone_page, console, sign_in, households, live_server, shots_dir
):
    page = phone_page
    sign_in(page, "mg_worker", next_path="/households/")
    assert page.url.endswith("/households/")
    assert len(listed(page)) == 12  # building 2 stands in micro2: not theirs
    assert listed(page)[0] == "凤凰家园 1栋 1单元101室"
    first = page.locator(f"[data-household='{households['h101'].pk}']")
    assert "张**" in first.inner_text() and "张德明" not in page.content()
    assert first.locator("[data-testid=last-visit]").inner_text() == "—"
    assert "慢病" not in page.content() and "13900000101" not in page.content()
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "households-list-phone.png"), full_page=True)

    # A tag chip filters; the search finds a room or a name.
    with page.expect_navigation():
        page.click("[data-testid=tag-filters] a[data-tag=needs_emergency_help]")
    assert listed(page) == ["凤凰家园 1栋 1单元101室"]
    assert page.locator("[data-tag=needs_emergency_help]").get_attribute("aria-current") == "true"
    page.screenshot(path=os.path.join(shots_dir, "households-tag-phone.png"), full_page=False)
    page.goto(f"{live_server.url}/households/")
    page.fill("input[name=q]", "欧阳")
    with page.expect_navigation():
        page.click("[data-testid=households-filter] button[type=submit]")
    assert listed(page) == ["凤凰家园 1栋 2单元301室"]
    page.fill("input[name=q]", "1-102")
    with page.expect_navigation():
        page.click("[data-testid=households-filter] button[type=submit]")
    assert listed(page) == ["凤凰家园 1栋 1单元102室"]
    assert console.clean() == []


def test_the_household_and_resident_pages_on_a_phone(
    phone_page, console, sign_in, households, live_server, shots_dir
):
    page = phone_page
    sign_in(page, "mg_worker", next_path=f"/households/{households['h102'].pk}/")
    assert page.locator("#household-heading").inner_text() == "凤凰家园 1栋 1单元102室"
    cards = page.locator("[data-testid=residents] .hh-address").all_inner_texts()
    assert cards[0].startswith("李秀英") and "户主" in cards[0] and cards[1].startswith("王建国")
    assert "青江物业" in page.content()
    assert page.locator("[data-testid=last-visit]").inner_text() == "—"
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "household-phone.png"), full_page=True)

    page.goto(f"{live_server.url}/households/{households['h101'].pk}/")
    with page.expect_navigation():
        page.click("[data-testid=residents] a")
    assert page.locator("#resident-name").inner_text() == "张德明"
    assert page.locator("[data-fact=phone]").inner_text() == "*******0101"
    assert "慢病" not in page.locator("main").inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "resident-phone.png"), full_page=True)

    # The micro-grid worker reveals the sensitive tags, with a reason; it is recorded.
    page.check("input[name=field][value=sensitive_tags]")
    page.fill("#id_reason", "暴雨前排查需帮扶老人")
    with page.expect_navigation():
        page.click("[data-testid=reveal-form] button[type=submit]")
    assert page.locator("[data-testid=revealed-value]").inner_text() == "慢病"
    view = PersonalDataView.objects.get()
    assert (view.field_name, view.reason) == ("sensitive_tags", "暴雨前排查需帮扶老人")
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "resident-revealed-phone.png"), full_page=True)
    assert console.clean() == []


def test_a_department_reads_the_figures_only(
    phone_page, console, sign_in, households, territory, live_server, shots_dir
):
    make_user("dept_staff", role="department_staff", area=territory["district"])
    page = phone_page
    sign_in(page, "dept_staff", next_path="/households/")
    assert page.url.endswith("/households/overview/510113/")
    assert page.locator("[data-count=households]").inner_text() == "13"
    assert page.locator("[data-count=residents]").inner_text() == "4"
    assert page.locator("[data-testid=by-sensitive-tag]").count() == 0
    assert "张德明" not in page.content()
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "households-figures-phone.png"), full_page=True)
    assert console.clean() == []
