"""The audit log page in a real browser: Chinese words, names, local times, cards that fit."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import time_machine
from auditlog.models import LogEntry

from shezhi.people import services
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_admin_reads_who_changed_what(page, console, sign_in, users, territory, shots_dir):
    # 20:30 UTC is 04:30 the next morning in Shanghai.
    with time_machine.travel(dt.datetime(2026, 3, 1, 20, 30, tzinfo=dt.UTC), tick=False):
        staff = make_user(
            "community_staff",
            role="community_staff",
            area=territory["community"],
            first_name="王小林",
        )
        person = services.create_person(
            actor=staff,
            area=territory["micro1"],
            name="张伟",
            category="micro_grid_worker",
            force_type="part_time",
            phone="13812345678",
        )
        person.category = "embedded_cadre"
        person.save()
        services.assign(actor=staff, person=person, area=territory["micro1"], role="member")
    LogEntry.objects.update(actor=staff)

    sign_in(page, "district_admin")
    page.click(".nav-more > summary")  # the header's 更多 menu
    page.click("a.nav-link:has-text('操作日志')")
    page.wait_for_url("**/people/audit/")
    entries = page.locator("[data-testid=audit-entries] > li")
    # count() does not wait: wait for the fourth card before counting, or a slow render
    # on a loaded machine reads an empty list.
    entries.nth(3).wait_for()
    assert entries.count() >= 4  # the role assignments, the person twice, the assignment
    text = page.locator("[data-testid=audit-entries]").inner_text()
    assert "张伟" in text and "新建" in text and "修改" in text
    assert "微网格员" in text and "机关企事业单位党员干部" in text  # choices by their labels
    assert "操作人：王小林" in text and "2026-03-02 04:30" in text
    # The UTC time of the changes made above (other entries are stamped with today's time,
    # which may read 20:30 itself).
    for raw in ("None", "create", "update", "03-01 20:30"):
        assert raw not in text, raw
    assert "13812345678" not in page.content()
    # Desktop: the cards use the page's width instead of a narrow column.
    assert entries.first.bounding_box()["width"] >= 800
    page.screenshot(path=os.path.join(shots_dir, "audit-log-desktop.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for i in range(entries.count()):
        box = entries.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=os.path.join(shots_dir, "audit-log-phone.png"), full_page=True)
    assert console.clean() == []
