"""The workforce pages in a real browser: filter, open, reveal, team, phone layout."""

from __future__ import annotations

import os

import pytest

from shezhi.core import personal_data as pd
from shezhi.core.models import PersonalDataView
from shezhi.people import services
from shezhi.people.models import Person
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13812345678"
COMMUNITY = "510113001001"
MICRO1 = "510113001001001001"


@pytest.fixture
def workforce(territory):
    """A community with a responsible worker (张伟, party member) and a crowd of others."""
    staff = make_user("community_staff", role="community_staff", area=territory["community"])
    actor = staff
    zhang = services.create_person(
        actor=actor,
        area=territory["micro1"],
        name="张伟",
        category="micro_grid_worker",
        force_type="part_time",
        phone=PHONE,
        party_member=True,
        group_leader=True,
        lives_in=territory["micro1"],
    )
    services.assign(actor=actor, person=zhang, area=territory["micro1"], role="responsible_worker")
    cadre = services.create_person(
        actor=actor,
        area=territory["micro1"],
        name="赵干部",
        category="embedded_cadre",
        force_type="professional",
        employer="区民政局",
        party_member=True,
        veteran=True,
    )
    services.assign(actor=actor, person=cadre, area=territory["micro1"], role="embedded_cadre")
    crowd = []
    for i in range(58):
        phone = f"139{i:08d}"
        crowd.append(
            Person(
                area=territory["micro2"] if i % 2 else territory["micro1"],
                name=f"居民{i:02d}号",
                category="micro_grid_worker",
                force_type="self_governance" if i % 3 else "part_time",
                veteran=i % 7 == 0,
                phone=phone,
                phone_index=pd.blind_index("phone", phone),
                phone_last4=phone[-4:],
            )
        )
    Person.objects.bulk_create(crowd)
    return {"staff": staff, "zhang": zhang, "cadre": cadre}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def names_listed(page) -> list[str]:
    return page.locator("[data-testid=people-table] .person-name a").all_inner_texts()


def test_filter_open_reveal_and_team(page, console, sign_in, workforce, live_server, shots_dir):
    sign_in(page, "community_staff", next_path="/areas/")
    assert page.url.endswith(f"/areas/{COMMUNITY}/")
    with page.expect_navigation():
        page.click("nav.area-links a[data-link=people]")
    assert page.url.endswith(f"/people/area/{COMMUNITY}/")
    assert len(names_listed(page)) == 50  # 60 people, 50 a page
    assert page.locator(".pager").is_visible()

    # Filter by party member.
    page.click(".more-filters > summary")
    page.select_option("#id_party_member", "yes")
    with page.expect_navigation():
        page.click(".filter-actions button[type=submit]")
    assert "party_member=yes" in page.url
    assert names_listed(page) == ["张伟", "赵干部"]
    assert page.locator(".more-filters").get_attribute("open") is not None
    assert PHONE not in page.content()
    assert "*******5678" in page.locator(f"tr[data-person='{workforce['zhang'].pk}']").inner_text()
    page.screenshot(path=os.path.join(shots_dir, "people-list-wide.png"), full_page=True)

    # Open the person, reveal the phone with a reason.
    with page.expect_navigation():
        page.click("[data-testid=people-table] .person-name a:text-is('张伟')")
    assert page.locator("#person-name").inner_text().startswith("张伟")
    assert page.locator("[data-fact=phone]").inner_text() == "*******5678"
    assert PHONE not in page.content()
    page.check("input[name=field][value=phone]")
    page.fill("#id_reason", "核实联系方式，上门走访")
    with page.expect_navigation():
        page.click("[data-testid=reveal-form] button[type=submit]")
    assert page.locator("[data-testid=revealed-value]").inner_text() == PHONE
    view = PersonalDataView.objects.get()
    assert view.reason == "核实联系方式，上门走访" and view.field_name == "phone"

    # Back to the person, then the micro-grid's team through the current assignment.
    with page.expect_navigation():
        page.click(".revealed-card a.button")
    with page.expect_navigation():
        page.click(f"[data-testid=current-assignments] a[href='/people/team/{MICRO1}/']")
    assert page.locator("[data-testid=responsible-worker]").inner_text().startswith("张伟")
    assert "赵干部" in page.locator("[data-testid=cadres]").inner_text()
    assert console.clean() == []


def test_phone_layout_without_sideways_scrolling(
    phone_page, console, sign_in, workforce, live_server, shots_dir
):
    page = phone_page
    sign_in(page, "community_staff", next_path=f"/people/area/{COMMUNITY}/")
    assert page.url.endswith(f"/people/area/{COMMUNITY}/")
    no_sideways_scroll(page)
    # Rows are stacked cards: each at most the screen's width.
    first = page.locator("[data-testid=people-table] tbody tr").first.bounding_box()
    assert first["width"] <= 390
    page.screenshot(path=os.path.join(shots_dir, "people-list-phone.png"), full_page=False)
    page.click(".more-filters > summary")
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "people-filters-phone.png"), full_page=False)
    # The reason field and the button are big enough to hit with a thumb.
    page.goto(f"{live_server.url}/people/{workforce['zhang'].pk}/")
    no_sideways_scroll(page)
    assert (
        page.locator("[data-testid=reveal-form] button[type=submit]").bounding_box()["height"] >= 44
    )
    page.screenshot(path=os.path.join(shots_dir, "person-phone.png"), full_page=True)
    page.fill("#id_reason", "核实联系方式")
    with page.expect_navigation():
        page.click("[data-testid=reveal-form] button[type=submit]")
    assert page.locator("[data-testid=revealed-value]").inner_text() == PHONE
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "person-revealed-phone.png"), full_page=True)
    for path in (f"/people/team/{MICRO1}/", f"/people/counts/{COMMUNITY}/"):
        page.goto(f"{live_server.url}{path}")
        no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "people-counts-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/people/team/{MICRO1}/")
    page.screenshot(path=os.path.join(shots_dir, "people-team-phone.png"), full_page=True)
    assert console.clean() == []


def test_a_role_that_reads_figures_only_is_led_to_the_counts(
    phone_page, console, sign_in, workforce, territory, live_server, shots_dir
):
    """Department staff: no list of individuals, told so, one tap to the counts (phone)."""
    make_user("dept_staff", role="department_staff", area=territory["community"])
    page = phone_page
    sign_in(page, "dept_staff", next_path=f"/people/area/{COMMUNITY}/")
    notice = page.locator("[data-testid=people-not-readable]")
    assert "职能部门人员" in notice.inner_text() and "力量统计" in notice.inner_text()
    assert "本区域尚未登记人员" not in page.content()
    assert page.locator("[data-testid=people-table]").count() == 0
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "people-figures-only-phone.png"), full_page=True)
    link = notice.get_by_role("link", name="查看力量统计")
    assert link.bounding_box()["height"] >= 44
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(f"/people/counts/{COMMUNITY}/")
    assert int(page.locator("[data-count=total]").first.inner_text()) == 60
    assert console.clean() == []
