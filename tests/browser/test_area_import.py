"""The web import in a real browser: a district admin uploads, the worker runs, the page reports."""

from __future__ import annotations

import json
import os

import pytest

from shezhi.areas.models import Area
from tests.factories import feature_collection, make_user, territory_features

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district_admin(db):
    from shezhi.areas.services import import_areas

    import_areas(features=territory_features()[:1])
    return make_user("qbj", role="district_admin", area=Area.objects.get(code="510113"))


def test_district_admin_uploads_a_file_and_reads_the_report(
    page, console, sign_in, district_admin, tmp_path, shots_dir
):
    good = tmp_path / "青白江网格.geojson"
    good.write_text(json.dumps(feature_collection(territory_features()), ensure_ascii=False))
    bad_features = territory_features()
    # a bow-tie: the ring crosses itself
    bad_features[7].geometry = {
        "type": "Polygon",
        "coordinates": [
            [[104.0, 30.6], [104.05, 30.7], [104.05, 30.6], [104.0, 30.7], [104.0, 30.6]]
        ],
    }
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(feature_collection(bad_features), ensure_ascii=False))

    sign_in(page, "qbj")
    page.click(".nav-more > summary")  # the header's 更多 menu
    page.click("a.nav-link:has-text('导入区域')")
    page.wait_for_selector("[data-testid=import-form]")

    page.set_input_files("input[type=file]", str(bad))
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_selector("[data-testid=import-summary]")
    assert page.locator("[data-testid=import-status]").inner_text() == "未通过（未写入）"
    errors = page.locator("[data-testid=import-errors] tbody tr")
    assert errors.count() >= 1
    assert "510113001001001001" in errors.first.inner_text()
    assert Area.objects.count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=os.path.join(shots_dir, "area-import-report-phone.png"), full_page=True)
    # No sideways scrolling on a phone, even with long messages.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.click("a:has-text('← 导入区域')")
    page.set_input_files("input[type=file]", str(good))
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_selector("[data-testid=import-summary]")
    assert page.locator("[data-testid=import-status]").inner_text() == "已导入"
    assert "新增 9 个" in page.locator("[data-testid=import-summary]").inner_text()
    assert Area.objects.count() == 10
    assert console.clean() == []


def test_street_staff_has_no_import_page(page, console, sign_in, live_server, district_admin):
    make_user("staff", role="street_staff", area=Area.objects.get(code="510113"))
    sign_in(page, "staff")
    assert page.locator("a.nav-link:has-text('导入区域')").count() == 0
    response = page.goto(f"{live_server.url}/areas/imports/")
    assert response.status == 404
    assert console.clean(allow=("status of 404",)) == []
