"""The case library on a phone (390x844): a visitor searches in Chinese, opens a case;
the editor on a desktop: staff write a case, a colleague reviews and publishes it.
Axe-checked, 44 px targets and 16 px text on the phone, console clean, screenshots."""

from __future__ import annotations

import os

import pytest

from shezhi.cases.models import Case
from tests.cases.conftest import publish, write

from .test_households import no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_searches_the_case_library_on_a_phone(
    phone_page, console, territory, shared_cast, live_server, shots_dir
):
    lift = publish(shared_cast, write(shared_cast, territory))
    canteen = publish(
        shared_cast,
        write(
            shared_cast,
            territory,
            title="社区食堂：让独居老人吃上热乎饭",
            summary="助餐点升级为社区食堂，志愿者送餐上门。",
            approach="引入餐饮企业按成本价供餐。",
            tags="社区食堂，老年助餐",
        ),
    )
    page = phone_page
    page.goto(f"{live_server.url}/cases/")
    cards = page.locator("[data-testid=case-results] [data-testid=case-link]")
    assert cards.count() == 2
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "cases-library-phone.png"), full_page=True)
    page.fill("[data-testid=case-q]", "送餐")
    with page.expect_navigation():
        page.click("[data-testid=case-search-submit]")
    assert cards.count() == 1 and canteen.title in cards.first.inner_text()
    assert "送餐" in page.locator("[data-testid=case-results]").inner_text()
    # A single character is no word of these cases: nothing found, and said so.
    page.fill("[data-testid=case-q]", "老")
    with page.expect_navigation():
        page.click("[data-testid=case-search-submit]")
    assert page.locator("[data-testid=case-empty]").is_visible()
    page.goto(f"{live_server.url}/cases/?q=加装电梯")
    with page.expect_navigation():
        cards.first.click()
    assert page.url.endswith(f"/cases/{lift.pk}/")
    assert "楼栋长挨家挨户" in page.locator("[data-testid=case-article]").inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "cases-detail-phone.png"), full_page=True)
    assert console.clean() == []


def test_staff_write_and_publish_a_case_on_a_desktop(
    page, console, sign_in, territory, shared_cast, live_server, shots_dir
):
    assert shared_cast.community and shared_cast.street  # made before signing in
    sign_in(page, "community_staff", next_path="/cases/manage/")
    with page.expect_navigation():
        page.click("[data-testid=case-new]")
    page.select_option("#id_area", str(territory["community"].pk))
    page.fill("#id_title", "四点半课堂：放学后的孩子有人管")
    page.fill("#id_summary", "双职工家庭的孩子放学后在社区写作业。")
    page.fill("#id_approach", "社区提供场地，大学生志愿者辅导作业。")
    page.fill("#id_figures", "参与孩子 | 45 | 名\n志愿者 | 12 | 人")
    page.fill("#id_tags", "四点半课堂，托管")
    page.screenshot(path=os.path.join(shots_dir, "cases-editor.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=case-save]")
    case = Case.objects.get()
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert "45" in page.locator("[data-testid=case-figures]").inner_text()
    page.context.clear_cookies()
    sign_in(page, "street_staff", next_path=f"/cases/{case.pk}/")
    with page.expect_navigation():
        page.click("[data-testid=case-review]")
    with page.expect_navigation():
        page.click("[data-testid=case-publish]")
    case.refresh_from_db()
    assert case.status == "published"
    assert page.locator("[data-testid=case-unpublish]").is_visible()
    page.goto(f"{live_server.url}/cases/?q=托管")
    assert case.title in page.locator("[data-testid=case-results]").inner_text()
    assert console.clean() == []
