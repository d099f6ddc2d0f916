"""The service hubs in the browser: a resident finds the hubs of their area from a phone and
opens a 码头's page (its figures, its compounds' containers, today's roster); community
staff change it; the same page reads on a wide screen."""

from __future__ import annotations

import os
import re

import pytest

from shezhi.places import services
from tests.factories import BuildingFactory, CompoundFactory, PersonFactory, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HERE = {"longitude": 104.02, "latitude": 30.62}  # micro-grid 1 of 凤凰社区
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
HOURS = {d: [["08:30", "12:00"], ["14:00", "17:30"]] for d in EVERY_DAY}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.fixture
def hubs(territory):
    staff = make_user("community_staff", role="community_staff", area=territory["community"])
    admin = make_user("district_admin", role="district_admin", area=territory["district"])
    person = PersonFactory(area=territory["micro1"], name="王芳")

    def make(actor, **kw):
        return services.create_hub(
            actor=actor, lng=HERE["longitude"], lat=HERE["latitude"], opening_hours=HOURS,
            services=["居民议事", "社保代办"], address="凤凰大道88号", **kw,
        )  # fmt: skip

    made = {
        "district": make(admin, tier="district", area=territory["district"], name="测试区社治港湾"),
        "street": make(admin, tier="street", area=territory["street1"], name="东风街道社治港口"),
        "community": make(
            staff, tier="community", area=territory["community"], name="凤凰社区社治码头",
            duties=[{"person": person.pk, "days": EVERY_DAY, "duty": "值班社工"}],
        ),
    }  # fmt: skip
    for name in ("誉府小区", "锦城华府"):
        compound = CompoundFactory(community=territory["community"], name=name)
        BuildingFactory(compound=compound, micro_grid=territory["micro1"],
                        area_path=territory["micro1"].path)  # fmt: skip
        make(staff, tier="compound", compound=compound, name=f"{name}服务集装箱")
    made["staff"] = staff
    return made


def test_resident_finds_the_hubs_of_their_area_on_a_phone(
    phone_page, console, hubs, live_server, shots_dir
):
    page = phone_page
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(HERE)
    page.goto(f"{live_server.url}/hubs/")
    with page.expect_navigation():
        page.click("[data-testid=hubs-use-location]")
    page.wait_for_url(re.compile(r"/hubs/\?lng=104\.020000&lat=30\.620000"))
    mine = page.locator("[data-testid=hubs-mine] li")
    tiers = mine.evaluate_all("els => els.map(e => e.dataset.tier)")
    assert tiers == ["district", "street", "community", "compound", "compound"]
    assert mine.first.bounding_box()["height"] >= 44
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "hubs-directory-phone.png"), full_page=True)

    with page.expect_navigation():
        page.click(f"[data-testid=hubs-mine] li[data-hub='{hubs['community'].pk}'] a")
    detail = page.locator("[data-testid=hub-detail]")
    assert detail.get_attribute("data-tier") == "community"
    assert page.locator("[data-testid=hub-figures] [data-figure]").count() >= 2
    rows = page.locator("[data-testid=hub-children] tbody tr")
    assert rows.count() == 2 and "服务集装箱" in rows.first.inner_text()
    assert "王芳" in page.locator("[data-testid=hub-on-duty]").inner_text()
    assert "东风街道社治港口" in page.locator("[data-testid=hub-parents]").inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "hub-page-phone.png"), full_page=True)
    with page.expect_navigation():
        page.click("text=本月")  # the figures of this month
    assert "from=" in page.url
    assert console.clean() == []


def test_staff_change_their_hub_and_the_page_reads_on_a_wide_screen(
    page, console, hubs, live_server, sign_in, shots_dir
):
    sign_in(page, "community_staff", f"/hubs/{hubs['community'].pk}/")
    with page.expect_navigation():
        page.click("[data-testid=edit-hub]")
    page.fill("#id_name", "凤凰码头")
    page.fill("#id_services", "居民议事\n法律咨询")
    with page.expect_navigation():
        page.click("[data-testid=hub-form] button[type=submit]")
    assert page.locator("[data-testid=hub-name]").inner_text() == "凤凰码头"
    assert "法律咨询" in page.locator("[data-testid=hub-services]").inner_text()
    page.goto(f"{live_server.url}/hubs/{hubs['street'].pk}/?wall=1")
    assert page.locator("[data-testid=hub-children] tbody tr").count() == 1
    page.screenshot(path=os.path.join(shots_dir, "hub-page-wall.png"), full_page=True)
    assert console.clean() == []
