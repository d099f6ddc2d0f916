"""A resident signs up on a phone with the code the console channel printed, asks to be
bound to their household, the micro-grid worker confirms, and the resident sees their
household and reports with the address filled in (390 x 844, axe on every page)."""

from __future__ import annotations

import os

import pytest

from shezhi.households import services
from tests.accounts.conftest import last_code
from tests.browser.conftest import PHONE as PHONE_VIEW
from tests.browser.conftest import _new_page
from tests.factories import make_user
from tests.people.conftest import valid_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13966667777"


@pytest.fixture
def home(territory, settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["console"]
    staff = make_user("community_staff", role="community_staff", area=territory["community"])
    make_user("mg_worker", role="micro_grid_worker", area=territory["micro1"])
    compound = services.create_compound(
        actor=staff, community=territory["community"], name="凤凰家园"
    )
    building = services.create_building(
        actor=staff, compound=compound, number="1", lng=104.02, lat=30.62, floors=6, units=2
    )
    household = services.create_household(actor=staff, building=building, unit="1", room="101")
    zhang = services.create_resident(
        actor=staff,
        household=household,
        name="张德明",
        relation="head",
        id_number=valid_id_number(birth="19500312", seq="011"),
        phone="13800000011",
    )
    services.create_resident(
        actor=staff, household=household, name="李秀英", relation="spouse", phone="13800000012"
    )
    return {"household": household, "zhang": zhang}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_sign_up_bind_and_see_my_household_on_a_phone(
    phone_page, console, sign_in, home, live_server, shots_dir, capsys, chromium
):
    page = phone_page
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_phone", PHONE)
    with page.expect_navigation():
        page.click("#send-code")
    assert page.locator("#code-sent").is_visible()
    code = last_code(capsys.readouterr().out, PHONE)
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "signup-phone.png"), full_page=True)

    page.fill("#id_code", code)
    page.fill("#id_name", "张德明")
    with page.expect_navigation():
        page.press("#id_name", "Enter")  # Enter signs up; it does not ask for another code
    assert page.url.endswith("/households/bind/")

    # Compound → building → unit and room, then name and ID number's last four.
    page.fill("#bind-q", "凤凰")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    with page.expect_navigation():
        page.click("[data-testid=compound-choices] a")
    with page.expect_navigation():
        page.click("text=1栋")
    page.select_option("#id_household", str(home["household"].pk))
    page.fill("#id_name", "张德明")
    page.fill("#id_id_number", home["zhang"].id_number[-4:])
    with page.expect_navigation():
        page.click("[data-testid=bind-submit]")
    assert page.locator("[data-testid=binding-status]").get_attribute("data-status") == "pending"
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "bind-phone.png"), full_page=True)

    # The micro-grid worker confirms on their phone.
    context, worker = _new_page(
        chromium,
        console,
        viewport=PHONE_VIEW,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    sign_in(worker, "mg_worker", next_path="/households/bindings/")
    card = worker.locator("[data-testid=binding-requests] li")
    worker.screenshot(path=os.path.join(shots_dir, "bindings-phone.png"), full_page=True)
    assert "与登记的居民相符" in card.inner_text()
    with worker.expect_navigation():
        card.locator("[data-testid=confirm-binding]").click()
    assert worker.locator("[data-testid=no-bindings]").is_visible()
    worker.shezhi_audit.final(worker)
    context.close()

    page.goto(f"{live_server.url}/households/mine/")
    assert page.locator("[data-testid=member-names] li").all_inner_texts() == ["张德明", "李秀英"]
    assert "0012" not in page.locator("main").inner_text()  # 李秀英's phone: not shown
    assert page.locator("[data-testid=household-visits]").is_visible()
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "my-household-phone.png"), full_page=True)

    with page.expect_navigation():
        page.click("[data-testid=report-from-home]")
    assert page.input_value("#id_address").startswith("凤凰家园")
    assert console.clean() == []
