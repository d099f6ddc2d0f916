"""The household import in a real browser: from the overview to the import page, a file
with a bad row refused with its row and column, then its valid rows imported; the
masked export downloaded from the overview. Desktop, then the report on a phone."""

from __future__ import annotations

import io
import os

import openpyxl
import pytest

from shezhi.households import services
from shezhi.households.models import Resident
from tests.factories import make_user
from tests.households.test_transfer import good_rows, row, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def compound(territory):
    staff = make_user("community_staff", role="community_staff", area=territory["community"])
    compound = services.create_compound(
        actor=staff, community=territory["community"], name="凤凰家园"
    )
    services.create_building(
        actor=staff, compound=compound, number="1", lng=104.02, lat=30.62, floors=6, units=2
    )
    return compound


def test_import_from_the_overview_then_export_masked(
    page, console, sign_in, live_server, territory, compound, tmp_path, shots_dir
):
    upload = tmp_path / "凤凰社区住户.xlsx"
    upload.write_bytes(xlsx([*good_rows(), row(room="303", kind="别墅")]))
    code = territory["community"].code

    sign_in(page, "community_staff", next_path=f"/households/overview/{code}/")
    with page.expect_navigation():
        page.click("[data-testid=household-import-link]")
    page.wait_for_selector("[data-testid=household-import-form]")
    assert page.locator("[data-testid=household-template]").count() == 1
    page.set_input_files("input[type=file]", str(upload))
    page.click("[data-testid=household-import-submit]")
    page.wait_for_selector("[data-testid=household-import-summary]")
    assert page.locator("[data-testid=household-import-status]").inner_text() == "未通过（未写入）"
    errors = page.locator("[data-testid=household-import-errors] tbody tr")
    assert errors.count() == 1
    cells = errors.first.locator("td").all_inner_texts()
    assert cells[0] == "5" and cells[1] == "户类型" and "别墅" in cells[3]
    assert not Resident.objects.exists()
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(
        path=os.path.join(shots_dir, "household-import-report-phone.png"), full_page=True
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 800})

    page.click("a:has-text('←')")
    page.wait_for_selector("[data-testid=household-import-form]")
    page.set_input_files("input[type=file]", str(upload))
    page.check("input[name=valid_rows_only][value='1']")
    page.click("[data-testid=household-import-submit]")
    page.wait_for_selector("[data-testid=household-import-summary]")
    assert page.locator("[data-testid=residents-created]").inner_text() == "3"
    assert page.locator("[data-testid=households-created]").inner_text() == "2"
    assert page.locator("[data-testid=rows-rejected]").inner_text() == "1"
    page.screenshot(path=os.path.join(shots_dir, "household-import-valid-rows.png"), full_page=True)
    assert Resident.objects.count() == 3

    page.goto(f"{live_server.url}/households/overview/{code}/")
    with page.expect_download() as download:
        page.click("[data-testid=household-export]")
    # By its bytes: the artifact's path has no .xlsx suffix, which openpyxl insists on.
    with open(download.value.path(), "rb") as f:
        sheet = openpyxl.load_workbook(io.BytesIO(f.read()))
    values = str([[c.value for c in r] for r in sheet.worksheets[0].iter_rows()])
    assert "张**" in values and "张大爷" not in values and "13987654321" not in values
    assert console.clean() == []
