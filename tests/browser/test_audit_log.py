"""The audit log page in a real browser."""

from __future__ import annotations

import os

import pytest

from shezhi.people import services
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_admin_reads_who_changed_what(page, console, sign_in, users, territory, shots_dir):
    staff = make_user("community_staff", role="community_staff", area=territory["community"])
    services.create_person(
        actor=staff,
        area=territory["micro1"],
        name="张伟",
        category="micro_grid_worker",
        force_type="part_time",
        phone="13812345678",
    )
    sign_in(page, "district_admin")
    page.click(".nav-more > summary")  # the header's 更多 menu
    page.click("a.nav-link:has-text('操作日志')")
    rows = page.locator("[data-testid=audit-entries] tbody tr")
    assert rows.count() >= 2  # the role assignments and the person
    assert "张伟" in page.locator("[data-testid=audit-entries]").inner_text()
    assert "13812345678" not in page.content()
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=os.path.join(shots_dir, "audit-log-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert console.clean() == []
