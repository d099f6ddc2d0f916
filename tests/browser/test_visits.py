"""Household visits in a real browser, on a phone: a worker records a visit from the
household's page, reports the gas hazard it found as an event in one tap, and sees the
household's last visit on their list (the others overdue, in red)."""

from __future__ import annotations

import os

import pytest

from shezhi.events.models import Event
from shezhi.incentives.models import Transfer
from shezhi.visits.models import Visit

from .test_households import households, no_sideways_scroll  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_records_a_visit_on_a_phone(
    phone_page,
    console,
    sign_in,
    households,  # noqa: F811  (the fixture imported above)
    live_server,
    shots_dir,
):
    page = phone_page
    h101 = households["h101"]
    sign_in(page, "mg_worker", next_path=f"/households/{h101.pk}/")
    with page.expect_navigation():
        page.click("[data-testid=record-visit]")
    assert page.url.endswith(f"/visits/new/{h101.pk}/")
    page.check("text=张德明")
    page.check("input[name=items][value=gas]")
    page.check("input[name=items][value=medical]")
    page.fill("textarea[name=notes]", "燃气软管老化，需陪同就医")
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "visit-record-phone.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=save-visit]")
    visit = Visit.objects.get()
    assert page.url.endswith(f"/visits/{visit.pk}/")
    assert "燃气软管老化" in page.content()
    assert Transfer.objects.filter(rule="household_visit", cause_id=str(visit.pk)).count() == 1
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "visit-detail-phone.png"), full_page=True)

    # The gas hazard becomes an event at the building in one tap.
    with page.expect_navigation():
        page.click("[data-testid=report-gas]")
    event = Event.objects.get()
    assert page.url.endswith(f"/events/{event.pk}/")
    assert page.locator("[data-testid=from-visit] a").get_attribute("href") == (
        f"/visits/{visit.pk}/"
    )

    # The list: 1-101 visited today; 1-102 never visited, overdue in red.
    page.goto(f"{live_server.url}/households/")
    first = page.locator(f"[data-household='{h101.pk}']")
    assert first.locator("[data-testid=last-visit]").inner_text() != "—"
    assert first.locator("[data-overdue]").count() == 0
    other = page.locator(f"[data-household='{households['h102'].pk}'] .hh-visit")
    assert other.get_attribute("data-overdue") == "true"
    colour = other.evaluate("el => getComputedStyle(el).color")
    assert colour == "rgb(180, 35, 24)"  # --danger
    page.screenshot(path=os.path.join(shots_dir, "households-visited-phone.png"), full_page=False)

    page.goto(f"{live_server.url}/visits/")
    assert page.locator("[data-testid=visits] [data-visit]").count() == 1
    no_sideways_scroll(page)
    assert console.clean() == []
