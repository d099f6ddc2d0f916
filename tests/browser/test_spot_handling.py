"""当场处置 on a phone: a micro-grid worker closes a small matter in one step; a spot
check goes to the community, whose staff verify it; a refusal names its field."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from shezhi.events.models import Event, EventPhoto
from shezhi.notifications.models import Notification

# ``actors`` is the events tests' fixture, used here as well.
from tests.events.conftest import IN_MICRO2, actors, jpeg  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HERE = {"longitude": 104.02, "latitude": 30.62}  # inside micro1, the worker's grid
MAP_READY = '#report-map[data-state="ready"]'


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def photo(tmp_path, name, color):
    path = tmp_path / name
    path.write_bytes(jpeg(800, 600, color=color).read())
    return str(path)


def fill_the_form(page, tmp_path, live_server):
    page.wait_for_selector(MAP_READY)
    page.select_option("#id_category", "0101")
    page.set_input_files("#id_before_photos", photo(tmp_path, "before.jpg", (150, 90, 40)))
    page.fill("#id_description", "3栋单元门口暴露垃圾一堆")
    page.set_input_files("#id_after_photos", photo(tmp_path, "after.jpg", (40, 150, 60)))
    page.fill("#id_result", "已当场清扫装袋，送至垃圾房")
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(HERE)
    page.click("[data-testid=use-location]")
    expect(page.locator("#id_lng")).to_have_value("104.02")


def test_a_worker_handles_it_on_the_spot_from_a_phone(
    phone_page,
    console,
    sign_in,
    actors,  # noqa: F811
    live_server,
    shots_dir,
    tmp_path,
    settings,
):
    settings.SHEZHI_SPOT_CHECK_SHARE = 0
    page = phone_page
    sign_in(page, "mg_worker", next_path="/events/patrol/")
    # From the patrol page, one tap to the on-the-spot page.
    with page.expect_navigation():
        page.click("[data-testid=patrol-to-spot]")
    assert page.url.endswith("/events/spot/")
    page.wait_for_selector(MAP_READY)
    no_sideways_scroll(page)
    for selector in ("#id_category", "[data-testid=use-location]", "[data-testid=spot-submit]"):
        assert page.locator(selector).bounding_box()["height"] >= 44, selector
    # Only small routine matters are offered.
    options = page.locator("#id_category option").evaluate_all("els => els.map(e => e.value)")
    assert "0101" in options and "0501" not in options
    fill_the_form(page, tmp_path, live_server)
    page.screenshot(path=os.path.join(shots_dir, "event-spot-phone.png"), full_page=True)
    assert console.clean() == []

    with page.expect_navigation():
        page.click("[data-testid=spot-submit]")
    event = Event.objects.get()
    assert re.search(rf"/events/{event.pk}/$", page.url), page.url
    assert event.state == Event.State.CLOSED and event.on_spot
    assert event.handler_user == actors.mg_worker
    assert sorted(EventPhoto.objects.filter(event=event).values_list("stage", flat=True)) == [
        "report",
        "result",
    ]
    expect(page.locator("[data-testid=flash]")).to_contain_text("已当场处置并结案")
    expect(page.locator("body")).to_contain_text("当场处置：结案")
    page.wait_for_load_state("networkidle")
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "event-spot-closed-phone.png"), full_page=True)
    assert console.clean() == []


def test_a_spot_check_is_verified_by_the_community(
    phone_page,
    console,
    sign_in,
    actors,  # noqa: F811
    live_server,
    shots_dir,
    tmp_path,
    settings,
):
    settings.SHEZHI_SPOT_CHECK_SHARE = 1
    page = phone_page
    sign_in(page, "mg_worker", next_path="/events/spot/")
    fill_the_form(page, tmp_path, live_server)
    with page.expect_navigation():
        page.click("[data-testid=spot-submit]")
    event = Event.objects.get()
    assert event.state == Event.State.HANDLED and event.spot_check
    expect(page.locator("[data-testid=flash]")).to_contain_text("抽中抽查")
    page.wait_for_load_state("networkidle")
    assert Notification.objects.filter(user=actors.community, kind="event.spot_check").exists()

    # The community's staff open it from their notification and pass it.
    page.context.clear_cookies()
    sign_in(page, "community", next_path=f"/events/{event.pk}/")
    expect(page.locator("body")).to_contain_text("抽中社区抽查核查")
    page.screenshot(path=os.path.join(shots_dir, "event-spot-check-phone.png"), full_page=True)
    verify = page.locator("[data-testid=do-verify_pass]")
    assert verify.bounding_box()["height"] >= 44
    with page.expect_navigation():
        verify.click()
    event.refresh_from_db()
    assert event.state == Event.State.CLOSED
    page.wait_for_load_state("networkidle")
    assert console.clean() == []


def test_a_point_outside_the_grid_is_refused_by_its_field(
    phone_page,
    console,
    sign_in,
    actors,  # noqa: F811
    live_server,
    shots_dir,
    tmp_path,
):
    page = phone_page
    sign_in(page, "mg_worker", next_path="/events/spot/")
    fill_the_form(page, tmp_path, live_server)
    # A point in the neighbouring micro-grid (as a mistaken tap far off would give).
    page.evaluate(
        "([lng, lat]) => { document.querySelector('#id_lng').value = lng;"
        " document.querySelector('#id_lat').value = lat; }",
        [str(IN_MICRO2[0]), str(IN_MICRO2[1])],
    )
    with page.expect_navigation():
        page.click("[data-testid=spot-submit]")
    assert Event.objects.count() == 0
    error = page.locator("[data-field=location] .field-error")
    expect(error).to_contain_text("网格")
    expect(page.locator("[data-testid=form-errors]")).to_contain_text("请重新选择照片")
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "event-spot-refused-phone.png"), full_page=True)
    # The refused form comes back with its 400 status, which the browser logs.
    assert console.clean(allow=("status of 400",)) == []
