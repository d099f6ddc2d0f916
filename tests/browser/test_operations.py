"""An emergency operation in a real browser: the worker's check list on a phone
(vulnerable households first, a need recorded in a few taps) and the live dashboard
(figures polled, the map coloured by coverage), on a phone and on the wall."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from shezhi.events.models import Event
from shezhi.households import services as households
from shezhi.operations import services
from shezhi.operations.models import CheckLine
from tests.factories import EmergencyPeriodFactory, make_user
from tests.people.conftest import valid_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def operation(territory):
    street = make_user("street_staff", role="street_staff", area=territory["street1"])
    staff = make_user("community_staff", role="community_staff", area=territory["community"])
    make_user("mg_worker", role="micro_grid_worker", area=territory["micro1"])
    compound = households.create_compound(
        actor=staff, community=territory["community"], name="凤凰家园"
    )
    b1 = households.create_building(
        actor=staff, compound=compound, number="1", lng=104.02, lat=30.62, floors=6, units=2
    )
    b2 = households.create_building(
        actor=staff, compound=compound, number="2", lng=104.07, lat=30.62, floors=6, units=1
    )
    made = {}
    for room in ("101", "102", "201", "202"):
        made[room] = households.create_household(actor=staff, building=b1, unit="1", room=room)
    households.create_household(actor=staff, building=b2, unit="1", room="101")
    households.create_resident(
        actor=staff, household=made["202"], name="张德明", relation="head",
        id_number=valid_id_number(birth="19400517", seq="101"), tags=["lives_alone"],
    )  # fmt: skip
    EmergencyPeriodFactory(area=territory["street1"], started_by=street)
    op = services.start_operation(
        actor=street, area=territory["community"], kind="flood", title="防汛扫楼",
        instructions="逐户敲门，独居老人优先。",
    )  # fmt: skip
    return {"op": op, "first": made["202"]}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_the_workers_check_list_on_a_phone(
    phone_page, console, sign_in, operation, live_server, shots_dir
):
    op = operation["op"]
    page = phone_page
    sign_in(page, "mg_worker", next_path=f"/operations/{op.pk}/check/?todo=1")
    lines = page.locator("[data-testid=lines] .op-line")
    assert lines.count() == 4  # building 2 stands in micro2: not theirs
    first = CheckLine.objects.get(household=operation["first"])
    assert lines.first.get_attribute("data-line") == str(first.pk)
    assert "重点户" in lines.first.inner_text()  # the vulnerable household, marked
    assert "张德明" not in page.content()  # the list names places, not people
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "operation-check-phone.png"), full_page=True)

    item = page.locator(f"#line-{first.pk}")
    item.locator("input[name=needs][value=medical]").check()
    item.locator("input[name=notes]").fill("老人发烧，需送医")
    with page.expect_navigation():
        item.locator("button[data-outcome=needs_help]").click()
    first.refresh_from_db()
    assert first.outcome == "needs_help" and first.need_event_id
    assert Event.objects.get(pk=first.need_event_id).source == "operation"
    assert page.locator("[data-testid=lines] .op-line").count() == 3  # checked: off the to-do
    page.goto(f"{live_server.url}/operations/{op.pk}/check/")
    assert "需要帮助" in page.locator(f"#line-{first.pk} [data-testid=outcome]").inner_text()
    page.screenshot(path=os.path.join(shots_dir, "operation-checked-phone.png"), full_page=True)
    assert console.clean() == []


def test_the_live_dashboard_on_a_phone_and_on_the_wall(
    phone_page, page, console, sign_in, operation, live_server, shots_dir, territory
):
    op = operation["op"]
    phone = phone_page
    sign_in(phone, "street_staff", next_path=f"/operations/{op.pk}/")
    phone.wait_for_selector("#op-map[data-state=ready]")
    assert phone.locator("[data-fig=households]").inner_text() == "5"
    assert phone.locator("[data-fig=checked]").inner_text() == "0"
    phone.wait_for_selector("#op-dashboard:not([data-refreshes='0'])", state="attached")
    # A check elsewhere shows at the next poll.
    line = CheckLine.objects.get(household=operation["first"])
    services.record_check(
        actor=make_user("helper", role="micro_grid_worker", area=territory["micro1"]),
        line=CheckLine.objects.select_related("operation", "micro_grid").get(pk=line.pk),
        outcome="reached", request_key="elsewhere",
    )  # fmt: skip
    # The page polls every 10 s.
    expect(phone.locator("[data-fig=checked]")).to_have_text("1", timeout=15_000)
    assert phone.locator("[data-fig=vulnerable_checked]").inner_text() == "1"
    no_sideways_scroll(phone)
    phone.screenshot(path=os.path.join(shots_dir, "operation-dashboard-phone.png"), full_page=True)

    sign_in(page, "street_staff", next_path=f"/operations/{op.pk}/wall/")
    page.set_viewport_size({"width": 1600, "height": 900})
    page.wait_for_selector("#op-map[data-state=ready]")
    assert page.locator("#op-map path.leaflet-interactive").count() >= 1
    assert page.locator("[data-testid=op-children] tr[data-code]").count() == 1
    page.screenshot(path=os.path.join(shots_dir, "operation-dashboard-wall.png"), full_page=True)
    assert console.clean() == []
