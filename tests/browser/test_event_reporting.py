"""A resident reports a problem from a phone, finds it in "my reports" and on the public map."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from shezhi.events.models import Event, EventPhoto
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Inside micro-grid 510113001001001001 (lng 104.00–104.05, lat 30.60–30.70).
HERE = {"longitude": 104.02, "latitude": 30.62}
MAP_READY = '#report-map[data-state="ready"]'


@pytest.fixture
def resident(territory):
    return make_user("resident", role="resident", area=territory["micro1"])


@pytest.fixture
def photo_file(tmp_path):
    from tests.events.conftest import jpeg

    path = tmp_path / "rubbish.jpg"
    path.write_bytes(jpeg(800, 600).read())
    return path


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_resident_reports_from_a_phone(
    phone_page, console, sign_in, resident, photo_file, live_server, shots_dir
):
    page = phone_page
    sign_in(page, "resident", next_path="/events/report/")
    assert page.url.endswith("/events/report/")
    page.wait_for_selector(MAP_READY)
    no_sideways_scroll(page)
    # Thumb-sized controls.
    for selector in ("#id_category", "[data-testid=use-location]", "[data-testid=report-submit]"):
        assert page.locator(selector).bounding_box()["height"] >= 44, selector

    page.select_option("#id_category", "0101")
    page.fill("#id_description", "小区门口垃圾堆放两天无人清运")
    page.set_input_files("#id_photos", str(photo_file))

    # Tapping the map places a point inside the map's area (the resident's micro-grid).
    page.locator("#report-map").tap()
    expect(page.locator("#id_lng")).not_to_have_value("")
    lng = float(page.input_value("#id_lng"))
    lat = float(page.input_value("#id_lat"))
    assert 104.0 < lng < 104.05 and 30.6 < lat < 30.7
    assert page.locator("#report-map path.report-point").count() == 1

    # "Use my location" moves it to where the phone is.
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(HERE)
    page.click("[data-testid=use-location]")
    expect(page.locator("#id_lng")).to_have_value("104.02")
    expect(page.locator("#id_lat")).to_have_value("30.62")
    assert "104.02, 30.62" in page.locator("[data-testid=point-readout]").inner_text()
    page.screenshot(path=os.path.join(shots_dir, "event-report-phone.png"), full_page=True)
    assert console.clean() == []

    with page.expect_navigation():
        page.click("[data-testid=report-submit]")
    event = Event.objects.get()
    assert re.search(rf"/events/{event.pk}/$", page.url), page.url
    assert event.source == Event.Source.RESIDENT
    assert event.area.code == "510113001001001001"
    assert (event.lng, event.lat) == pytest.approx((104.02, 30.62))
    assert EventPhoto.objects.filter(event=event).count() == 1
    # The event's page belongs to the working side and has its own tests; let it
    # finish loading (its photos) so leaving it aborts nothing.
    page.wait_for_load_state("networkidle")
    console.errors.clear()

    # "My reports" lists it, with a link to its page.
    page.goto(f"{live_server.url}/events/mine/")
    item = page.locator(f"[data-testid=my-reports] li[data-event='{event.pk}']")
    assert item.count() == 1
    assert "垃圾" in item.inner_text()
    assert item.locator("a").get_attribute("href") == f"/events/{event.pk}/"
    no_sideways_scroll(page)

    # The public map shows a marker for it, signed out too.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/events/map/")
    page.wait_for_selector('#public-map[data-state="ready"]')
    assert page.locator(f"#public-map path.event-id-{event.pk}.event-open").count() == 1
    assert page.locator("#public-map path.district-outline").count() == 2
    assert "小区门口" not in page.content()
    page.locator(f"#public-map path.event-id-{event.pk}").click()
    tip = page.locator(".leaflet-popup-content")
    tip.wait_for()
    assert "暴露垃圾" in tip.inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "event-public-map-phone.png"))
    assert console.clean() == []


def test_refused_report_keeps_the_form_and_its_point(
    phone_page, console, sign_in, resident, live_server
):
    page = phone_page
    sign_in(page, "resident", next_path="/events/report/")
    page.wait_for_selector(MAP_READY)
    page.select_option("#id_category", "1101")  # 邻里纠纷: never anonymous
    assert page.locator("#id_anonymous").is_disabled()
    page.select_option("#id_category", "0101")
    assert page.locator("#id_anonymous").is_enabled()
    page.fill("#id_description", "楼道堆物")
    # A point far outside every district (set as the geolocation would).
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"longitude": 100.0, "latitude": 20.0})
    page.click("[data-testid=use-location]")
    expect(page.locator("#id_lng")).to_have_value("100")
    with page.expect_navigation():
        page.click("[data-testid=report-submit]")
    assert page.url.endswith("/events/report/")
    page.wait_for_selector(MAP_READY)
    assert Event.objects.count() == 0
    location = page.locator("[data-field=location]")
    assert location.locator(".field-error").count() == 1
    assert page.input_value("#id_description") == "楼道堆物"
    assert page.input_value("#id_lng") == "100"
    assert page.locator("#report-map path.report-point").count() == 1
    assert console.clean() == []


def test_refused_report_keeps_its_photos_and_says_what_is_missing(
    phone_page, console, sign_in, resident, photo_file, live_server, shots_dir
):
    """No point and no located photo: the form comes back with the photo kept (a
    thumbnail, ticked), a summary of what is missing that has the focus, and the
    corrected form sends the photo without choosing it again."""
    page = phone_page
    sign_in(page, "resident", next_path="/events/report/")
    page.wait_for_selector(MAP_READY)
    # The photo field's help text is rendered under the id its input names.
    helptext = page.locator("#id_photos_helptext")
    expect(helptext).to_be_visible()
    assert "id_photos_helptext" in page.get_attribute("#id_photos", "aria-describedby")

    page.select_option("#id_category", "0101")
    page.fill("#id_description", "小区门口垃圾堆放两天无人清运")
    page.set_input_files("#id_photos", str(photo_file))
    with page.expect_navigation():
        page.click("[data-testid=report-submit]")
    page.wait_for_selector(MAP_READY)
    assert Event.objects.count() == 0

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "照片已保留" in summary.inner_text()
    assert "位置" in summary.inner_text()
    thumbs = page.locator("[data-testid=held-photos] img")
    expect(thumbs).to_have_count(1)
    page.wait_for_function(
        "document.querySelector('[data-testid=held-photos] img').naturalWidth > 0"
    )
    assert page.locator("input[name=held_photos]").is_checked()
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "event-report-refused-phone.png"), full_page=True)

    # The summary's link takes the resident to the map.
    summary.locator("a[href='#report-location']").click()
    assert page.evaluate("document.activeElement.id") == "report-location"
    page.locator("#report-map").tap()
    expect(page.locator("#id_lng")).not_to_have_value("")
    with page.expect_navigation():
        page.click("[data-testid=report-submit]")
    event = Event.objects.get()
    assert re.search(rf"/events/{event.pk}/$", page.url), page.url
    assert EventPhoto.objects.filter(event=event).count() == 1
    page.wait_for_load_state("networkidle")
    assert console.clean() == []
