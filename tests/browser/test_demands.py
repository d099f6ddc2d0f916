"""A resident raises a demand on a phone (390x844, axe-checked as every browser test):
kind, text, anonymous; it lands in "my demands"; when staff close it, the page says what
became of it."""

from __future__ import annotations

import os

import pytest

from shezhi.demands import services
from shezhi.demands.models import Demand
from shezhi.households.models import Resident
from tests.factories import make_user

from .test_households import households, no_sideways_scroll  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_raises_a_demand_on_a_phone(
    phone_page,
    console,
    sign_in,
    territory,
    households,  # noqa: F811  (the fixture imported above)
    live_server,
    shots_dir,
    tmp_path,
):
    from PIL import Image

    photo = tmp_path / "garden.jpg"
    Image.new("RGB", (800, 600), (40, 140, 60)).save(photo, format="JPEG")
    user = make_user("resident_zhang", role="resident", area=territory["micro1"])
    Resident.objects.filter(
        pk=Resident.objects.filter(household=households["h101"]).first().pk
    ).update(user=user)
    page = phone_page
    sign_in(page, "resident_zhang", next_path="/demands/")
    assert page.url.endswith("/demands/")
    page.check("input[name=kind][value=parking]")
    page.fill("textarea[name=text]", "小区车位太少，晚上回来没地方停车")
    page.check("input[name=anonymous]")
    page.set_input_files("[data-testid=demand-photos]", str(photo))
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "demand-raise-phone.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=submit-demand]")
    d = Demand.objects.get()
    assert d.anonymous and d.household == households["h101"] and d.group is not None
    assert d.photos.count() == 1
    thumb = page.locator("[data-testid=my-demands] .demand-thumb img").first
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")
    staff = make_user("community_boss", role="community_staff", area=territory["community"])
    services.close_demand(actor=staff, demand=d, outcome="已在1栋旁新增20个车位")
    page.reload()
    mine = page.locator("[data-testid=my-demands]")
    assert "已在1栋旁新增20个车位" in mine.inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "demand-mine-phone.png"), full_page=True)
    assert console.clean() == []


def _collect(actor, area, text, point=None):
    return services.submit_demand(
        actor=actor, kind="parking", text=text, source="staff", area=area,
        address="1栋" if point is None else "", lng=point and point[0], lat=point and point[1],
    ).demand  # fmt: skip


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_staff_work_the_grouping_queue(
    viewport, request, console, sign_in, territory, live_server, shots_dir
):
    staff = make_user("community_lead", role="community_staff", area=territory["community"])
    a = _collect(staff, territory["micro1"], "车位太少，晚上没地方停车")
    b = _collect(staff, territory["micro1"], "停车太难了，希望多划停车位")
    _collect(staff, territory["micro1"], "希望开办老年食堂，老人吃饭不方便")
    assert a.group_id == b.group_id
    p = request.getfixturevalue("phone_page" if viewport == "phone" else "page")
    sign_in(p, "community_lead", next_path="/demands/queue/")
    queue = p.locator("[data-testid=demand-queue]")
    assert queue.locator(".queue-group").count() == 2
    no_sideways_scroll(p)
    p.screenshot(path=os.path.join(shots_dir, f"demand-queue-{viewport}.png"), full_page=True)
    group = queue.locator(f".queue-group[data-group='{a.group_id}']")
    with p.expect_navigation():
        group.locator("[data-testid=confirm]").click()
    a.refresh_from_db()
    assert a.group.confirmed_at is not None
    with p.expect_navigation():
        p.locator(f".queue-group[data-group='{a.group_id}'] [data-testid=split]").last.click()
    assert p.locator("[data-testid=demand-queue] .queue-group").count() == 3
    assert console.clean() == []
