"""The roster import in a real browser: a bad row is reported, then only the valid rows go in."""

from __future__ import annotations

import io
import os

import openpyxl
import pytest

from shezhi.people import roster
from shezhi.people.models import Person
from tests.factories import make_user
from tests.people.conftest import valid_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MICRO1 = "510113001001001001"
MICRO2 = "510113001001001002"


def roster_file(path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([col.zh for col in roster.COLUMNS])
    base = {
        "area": MICRO1,
        "category": "微网格员",
        "force_type": "兼职力量",
        "assignment_areas": MICRO2,
        "role": "微网格员",
        "started_on": "2025-03-01",
    }
    rows = [
        {**base, "name": "王芳", "id_number": valid_id_number(seq="101"), "party_member": "是"},
        {**base, "name": "李强", "id_number": valid_id_number(seq="102"), "phone": "12345"},
        {**base, "name": "赵敏", "id_number": valid_id_number(seq="103"), "role": "责任微网格员"},
    ]
    for row in rows:
        ws.append([row.get(col.key) for col in roster.COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    path.write_bytes(out.getvalue())


def test_upload_reports_the_bad_row_then_imports_the_valid_ones(
    page, console, sign_in, live_server, territory, tmp_path, shots_dir
):
    make_user("fenghuang", role="community_staff", area=territory["community"])
    upload = tmp_path / "凤凰社区花名册.xlsx"
    roster_file(upload)

    sign_in(page, "fenghuang")
    page.goto(f"{live_server.url}/people/roster/")
    page.wait_for_selector("[data-testid=roster-form]")
    assert page.locator("[data-testid=roster-template]").count() == 1

    page.set_input_files("input[type=file]", str(upload))
    page.click("[data-testid=roster-form] button[type=submit]")
    page.wait_for_selector("[data-testid=roster-summary]")
    assert page.locator("[data-testid=roster-status]").inner_text() == "未通过（未写入）"
    errors = page.locator("[data-testid=roster-errors] tbody tr")
    assert errors.count() == 1
    cells = errors.first.locator("td").all_inner_texts()
    # The value is masked like every phone in a report (too short to show any of it).
    assert cells[0] == "3" and cells[1] == "手机号" and cells[2] == "*****"
    assert page.locator("[data-testid=people-created]").inner_text() == "0"
    assert Person.objects.count() == 0
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=os.path.join(shots_dir, "roster-report-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 800})

    page.click("a:has-text('←')")
    page.wait_for_selector("[data-testid=roster-form]")
    page.set_input_files("input[type=file]", str(upload))
    page.check("input[name=valid_rows_only]")
    page.click("[data-testid=roster-form] button[type=submit]")
    page.wait_for_selector("[data-testid=roster-summary]")
    assert page.locator("[data-testid=people-created]").inner_text() == "2"
    assert page.locator("[data-testid=assignments-created]").inner_text() == "2"
    assert page.locator("[data-testid=rows-rejected]").inner_text() == "1"
    assert page.locator("[data-testid=roster-errors] tbody tr").count() == 1
    page.screenshot(path=os.path.join(shots_dir, "roster-report-valid-rows.png"), full_page=True)
    assert sorted(Person.objects.values_list("name", flat=True)) == ["王芳", "赵敏"]
    assert console.clean() == []
